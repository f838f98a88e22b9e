import type { Score, TestResult } from './types.js';

/** DESIGN §2, written so that the HIPE's malformed regex is not repeated. */
export const SCORE_PATTERN = /^(interoperable|divergent|constrained( ?\(\d+ of \d+[^)]*\))?)$/;

export interface JunctionScore {
  junction: string;
  /** Undefined when no test ran (each not-run or blocked): the junction is left out of the profile. */
  score: Score | undefined;
  passed: number;
  ran: number;
  failing: TestResult[];
  /** Tests that waited for a prerequisite that failed elsewhere: not counted in `ran`. */
  blocked: TestResult[];
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
export function scoreJunction(junction: string, results: readonly TestResult[]): JunctionScore {
  const ran = results.filter((result) => result.status !== 'not-run' && result.status !== 'blocked');
  const passed = ran.filter((result) => result.status === 'pass').length;
  const failing = ran.filter((result) => result.status !== 'pass');
  let score: Score | undefined;
  if (ran.length === 0) score = undefined;
  else if (passed === ran.length) score = 'interoperable';
  else if (passed === 0) score = 'divergent';
  else score = `constrained (${passed} of ${ran.length})`;
  return { junction, score, passed, ran: ran.length, failing, blocked: results.filter((result) => result.status === 'blocked') };
}

/** Groups results by junction, in first-seen order, and scores each. */
export function scoreResults(results: readonly TestResult[]): JunctionScore[] {
  const byJunction = new Map<string, TestResult[]>();
  for (const result of results) {
    const junction = junctionOf(result.test);
    const list = byJunction.get(junction) ?? [];
    list.push(result);
    byJunction.set(junction, list);
  }
  return [...byJunction].map(([junction, list]) => scoreJunction(junction, list));
}

export function isValidScore(value: string): boolean {
  return SCORE_PATTERN.test(value);
}
