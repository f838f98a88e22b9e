import type { Score, TestResult } from './types.js';

/**
 * DESIGN §2, written so that the HIPE's malformed regex is not repeated, plus the coverage note
 * (DESIGN §3): "interoperable (N of M MUSTs checked)", "constrained (a of b; N of M MUSTs checked)".
 */
export const SCORE_PATTERN = /^(interoperable( \(\d+ of \d+ MUSTs checked\))?|divergent|constrained( ?\(\d+ of \d+[^)]*\))?)$/;

export type Verdict = 'interoperable' | 'constrained' | 'divergent';

/** How many of the MUSTs mapped to a junction (suites/requirements/) have a check. */
export interface MustCoverage {
  checked: number;
  total: number;
}

/** A score read back: its verdict, the tests passed of those that ran, and the MUSTs checked when it says. */
export interface ParsedScore {
  verdict: Verdict;
  passed?: number;
  ran?: number;
  musts?: MustCoverage;
}

const COVERAGE_NOTE = /^(\d+) of (\d+) MUSTs checked$/;

/**
 * The one reader of score strings (compare, validate, the meta suite, reporters): any string
 * SCORE_PATTERN accepts parses; anything else is undefined. A HIPE-style free note after
 * "constrained (N of M" is kept out of `musts` unless it is the coverage note.
 */
export function parseScore(score: string): ParsedScore | undefined {
  if (!SCORE_PATTERN.test(score)) return undefined;
  if (score === 'divergent') return { verdict: 'divergent' };
  const note = /\((.*)\)$/.exec(score)?.[1];
  if (score.startsWith('interoperable')) {
    const musts = note === undefined ? undefined : COVERAGE_NOTE.exec(note);
    return { verdict: 'interoperable', ...(musts ? { musts: { checked: Number(musts[1]), total: Number(musts[2]) } } : {}) };
  }
  const counts = note === undefined ? undefined : /^(\d+) of (\d+)(.*)$/.exec(note);
  if (!counts) return { verdict: 'constrained' };
  const musts = COVERAGE_NOTE.exec(counts[3]?.replace(/^[;,]\s*/, '') ?? '');
  return { verdict: 'constrained', passed: Number(counts[1]), ran: Number(counts[2]), ...(musts ? { musts: { checked: Number(musts[1]), total: Number(musts[2]) } } : {}) };
}

/**
 * interoperable, constrained or divergent, whatever note the score carries. A string that is not
 * a score (or a junction a profile leaves out, HIPE 0015's sparse profiles) is divergent.
 */
export function verdictOf(score: string | undefined): Verdict {
  return (score === undefined ? undefined : parseScore(score))?.verdict ?? 'divergent';
}

/**
 * Adds the coverage note when some MUSTs mapped to the junction have no check, so a partial check
 * never reads as a full one. A divergent score carries no note: nothing passed, so nothing can
 * be read as fully checked.
 */
export function withMustCoverage(score: Score, musts: MustCoverage | undefined): Score {
  if (!musts || musts.checked >= musts.total || score === 'divergent') return score;
  const note = `${musts.checked} of ${musts.total} MUSTs checked` as const;
  if (score === 'interoperable') return `interoperable (${note})`;
  const counts = /^constrained \((\d+) of (\d+)\)$/.exec(score);
  return counts ? `constrained (${Number(counts[1])} of ${Number(counts[2])}; ${note})` : score;
}

export interface JunctionScore {
  junction: string;
  /** Undefined when no test ran (each not-run or blocked): the junction is left out of the profile. */
  score: Score | undefined;
  passed: number;
  ran: number;
  failing: TestResult[];
  /** Tests that waited for a prerequisite that failed elsewhere: not counted in `ran`. */
  blocked: TestResult[];
  /** The MUSTs mapped to the junction and how many have a check, when the requirement maps name it. */
  musts?: MustCoverage;
}

/** `trust_ping.1_0.passive.responds` → `trust_ping.1_0.passive`. */
export function junctionOf(testName: string): string {
  const parts = testName.split('.');
  const mode = parts.findIndex((part) => part === 'active' || part === 'passive');
  if (mode < 1) throw new RangeError(`test name ${testName} has no .active. or .passive. segment`);
  return parts.slice(0, mode + 1).join('.');
}

/**
 * Scores one junction. Tests that errored count as ran and not passed: a harness that could not
 * check something must never turn it into a pass. Blocked tests count nowhere: their
 * prerequisite's test carries the failure (one fault, one failure).
 */
export function scoreJunction(junction: string, results: readonly TestResult[], musts?: MustCoverage): JunctionScore {
  const ran = results.filter((result) => result.status !== 'not-run' && result.status !== 'blocked');
  const passed = ran.filter((result) => result.status === 'pass').length;
  const failing = ran.filter((result) => result.status !== 'pass');
  let score: Score | undefined;
  if (ran.length === 0) score = undefined;
  else if (passed === ran.length) score = 'interoperable';
  else if (passed === 0) score = 'divergent';
  else score = `constrained (${passed} of ${ran.length})`;
  if (score !== undefined) score = withMustCoverage(score, musts);
  return { junction, score, passed, ran: ran.length, failing, blocked: results.filter((result) => result.status === 'blocked'), ...(musts ? { musts } : {}) };
}

/** Groups results by junction, in first-seen order, and scores each (with its MUST coverage, when given). */
export function scoreResults(results: readonly TestResult[], musts?: ReadonlyMap<string, MustCoverage>): JunctionScore[] {
  const byJunction = new Map<string, TestResult[]>();
  for (const result of results) {
    const junction = junctionOf(result.test);
    const list = byJunction.get(junction) ?? [];
    list.push(result);
    byJunction.set(junction, list);
  }
  return [...byJunction].map(([junction, list]) => scoreJunction(junction, list, musts?.get(junction)));
}

export function isValidScore(value: string): boolean {
  return SCORE_PATTERN.test(value);
}
