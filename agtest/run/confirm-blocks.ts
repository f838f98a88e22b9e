import { junctionOf, type TestResult } from '../../profiles/index.js';
import { NEEDS_CREDENTIALS } from '../../suites/index.js';

/**
 * One fault, one failure — and never none. A test may only stay blocked when the prerequisite it
 * names (a test, or a junction) carries a failure in this run; otherwise nothing would report the
 * fault, so the block becomes this test's own failure, with the reason it was blocked. A test
 * blocked for credentials the agent requires (NEEDS_CREDENTIALS) stands: that is no fault at all.
 */
export function confirmBlocks(results: readonly TestResult[]): TestResult[] {
  const failed = (result: TestResult) => result.status === 'fail' || result.status === 'error';
  const carried = (prerequisite: string) =>
    results.some((r) => failed(r) && (r.test === prerequisite || junctionOf(r.test) === prerequisite));
  return results.map((result) => {
    if (result.status !== 'blocked' || result.blockedBy === NEEDS_CREDENTIALS || (result.blockedBy !== undefined && carried(result.blockedBy))) return result;
    const why = result.blockedBy ? `${result.blockedBy} did not fail in this run` : 'no prerequisite was named';
    const reason = `${result.reason ?? 'blocked'} (counted as this test's failure: ${why}, so nothing else reports it)`;
    const { blockedBy: _dropped, ...rest } = result;
    void _dropped;
    return { ...rest, status: 'fail', reason, failures: [reason] };
  });
}
