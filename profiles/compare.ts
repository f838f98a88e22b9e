import { verdictOf, type Verdict } from './score.js';
import type { InteropProfile } from './types.js';

export interface JunctionComparison {
  junction: string;
  a: string;
  b: string;
  /** interoperable: both are; constrained: neither divergent, one constrained; divergent: either is. */
  verdict: Verdict;
}

export interface ClusterComparison {
  cluster: string;
  /** A initiates (A active ↔ B passive) and B initiates (B active ↔ A passive). */
  aToB: Verdict;
  bToA: Verdict;
}

export interface ProfileComparison {
  junctions: JunctionComparison[];
  clusters: ClusterComparison[];
}

export class IncomparableProfilesError extends Error {
  override readonly name = 'IncomparableProfilesError';
  readonly code = 'AGTEST_PROFILES_INCOMPARABLE';
}

/** A junction a profile leaves out is divergent (HIPE 0015: sparse profiles): verdictOf reads it so. */
function scoreOf(profile: InteropProfile, junction: string): string {
  return profile.profile[junction] ?? 'divergent (absent)';
}

function combine(x: string, y: string): Verdict {
  const a = verdictOf(x);
  const b = verdictOf(y);
  if (a === 'divergent' || b === 'divergent') return 'divergent';
  return a === 'interoperable' && b === 'interoperable' ? 'interoperable' : 'constrained';
}

/**
 * Which junctions two agents share. Profiles of different suites measure different things, so
 * comparing them is refused rather than guessed.
 */
export function compareProfiles(a: InteropProfile, b: InteropProfile, knownJunctions: readonly string[] = []): ProfileComparison {
  if (a.test_suite !== b.test_suite) {
    throw new IncomparableProfilesError(`the profiles measure different suites (${a.test_suite} and ${b.test_suite}); measure both agents with the same suite version`);
  }
  const junctions = [...new Set([...knownJunctions, ...Object.keys(a.profile), ...Object.keys(b.profile)])].sort();
  const rows = junctions.map((junction) => {
    const sa = scoreOf(a, junction);
    const sb = scoreOf(b, junction);
    return { junction, a: sa, b: sb, verdict: combine(sa, sb) };
  });
  const hasActive = (cluster: string) => junctions.includes(`${cluster}.active`);
  const clusters = [...new Set(junctions.map((j) => j.replace(/\.(active|passive)$/, '')))].map((cluster) =>
    hasActive(cluster)
      ? {
          cluster,
          aToB: combine(scoreOf(a, `${cluster}.active`), scoreOf(b, `${cluster}.passive`)),
          bToA: combine(scoreOf(b, `${cluster}.active`), scoreOf(a, `${cluster}.passive`)),
        }
      : // A passive-only cluster (e.g. message.v1) measures receiving alone.
        { cluster, aToB: verdictOf(scoreOf(b, `${cluster}.passive`)), bToA: verdictOf(scoreOf(a, `${cluster}.passive`)) },
  );
  return { junctions: rows, clusters };
}
