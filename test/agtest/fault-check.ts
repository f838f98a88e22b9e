import type { Test } from 'tap';
import { FAULTS } from '../../reference-agent/index.js';
import { junctionOf } from '../../profiles/index.js';
import { failingTests, runReference } from '../helpers/reference-run.js';
import type { FaultExpectation } from './fault-expectations.js';

/**
 * Runs the whole suite against the reference agent with one fault on and checks both numbers a
 * conformance tool is judged by: the violation is flagged, and nothing else is.
 */
export async function checkFault(t: Test, expectation: FaultExpectation): Promise<void> {
  t.ok(Object.hasOwn(FAULTS, expectation.fault), `${expectation.fault} is a reference-agent fault`);
  const summary = await runReference([expectation.fault]);
  const expectedFailing = [...(expectation.failing?.tests ?? [])].sort();
  t.same(failingTests(summary), expectedFailing, 'exactly the expected tests fail');
  const affected = new Set(expectedFailing.map(junctionOf));
  for (const junction of summary.claimed) {
    const score = summary.profile.profile[junction];
    if (affected.has(junction)) t.not(score, 'interoperable', `${junction} drops (${score})`);
    else t.equal(score, 'interoperable', `${junction} is unchanged`);
  }
  for (const test of expectedFailing) {
    const result = summary.results.find((r) => r.test === test);
    t.match(result?.reason ?? '', expectation.failing!.reason, `${test} names the violation: ${result?.reason}`);
  }
  if (expectation.warning) {
    const result = summary.results.find((r) => r.test === expectation.warning!.test);
    t.equal(result?.status, 'pass', `${expectation.warning.test} still passes`);
    t.ok(result?.warnings.some((w) => expectation.warning!.text.test(w)), `${expectation.warning.test} warns: ${JSON.stringify(result?.warnings)}`);
  }
  t.equal(summary.exitCode, expectedFailing.length > 0 ? 1 : 0, 'exit code follows the profile');
}
