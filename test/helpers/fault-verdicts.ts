import type { Test } from 'tap';
import type { RunSummary } from '../../agtest/index.js';
import { junctionOf, verdictOf } from '../../profiles/index.js';
import { failingTests } from './reference-run.js';

/** What one fault of a run must do: make these tests fail with a reason naming it, or warn. */
export interface FaultVerdict {
  fault: string;
  failing?: { tests: readonly string[]; reason: RegExp };
  warnings?: { tests: readonly string[]; text: RegExp };
  /** Tests that must be blocked (their prerequisite failed), with the prerequisite they name. */
  blocked?: { tests: readonly string[]; by: RegExp };
  /** Tests a legal variation leaves not run, with the reason they give. */
  notRun?: { tests: readonly string[]; reason: RegExp };
}

/**
 * The two numbers a conformance tool is judged by, for a run with faults on: each violation is
 * flagged, with a reason that names it, and nothing else is (every other junction stays
 * interoperable). Shared by the DIDComm and the A2A fault runs.
 */
export function assertFaultVerdicts(t: Test, summary: RunSummary, verdicts: readonly FaultVerdict[]): void {
  const expectedFailing = verdicts.flatMap((v) => v.failing?.tests ?? []).sort();
  t.same(failingTests(summary), expectedFailing, 'exactly the expected tests fail');
  const expectedBlocked = verdicts.flatMap((v) => v.blocked?.tests ?? []).sort();
  t.same(summary.results.filter((r) => r.status === 'blocked').map((r) => r.test).sort(), expectedBlocked, 'exactly the expected tests are blocked');
  const affected = new Set(expectedFailing.map(junctionOf));
  for (const junction of summary.claimed) {
    const score = summary.profile.profile[junction];
    if (affected.has(junction)) t.not(verdictOf(score), 'interoperable', `${junction} drops (${score})`);
    else if (summary.results.filter((r) => junctionOf(r.test) === junction).every((r) => r.status === 'blocked' || r.status === 'not-run')) t.equal(score, undefined, `${junction}: nothing ran, no score`);
    else t.equal(verdictOf(score), 'interoperable', `${junction} is unchanged (${score})`);
  }
  for (const verdict of verdicts) {
    for (const test of verdict.failing?.tests ?? []) {
      const result = summary.results.find((r) => r.test === test);
      t.match(result?.reason ?? '', verdict.failing!.reason, `${verdict.fault}: ${test} names the violation: ${result?.reason}`);
    }
    for (const test of verdict.blocked?.tests ?? []) {
      const result = summary.results.find((r) => r.test === test);
      t.match(result?.blockedBy ?? '', verdict.blocked!.by, `${verdict.fault}: ${test} names its prerequisite: ${result?.blockedBy}`);
    }
    for (const test of verdict.notRun?.tests ?? []) {
      const result = summary.results.find((r) => r.test === test);
      t.equal(result?.status, 'not-run', `${verdict.fault}: ${test} is not run`);
      t.match(result?.reason ?? '', verdict.notRun!.reason, `${verdict.fault}: ${test} says why: ${result?.reason}`);
    }
    for (const test of verdict.warnings?.tests ?? []) {
      const result = summary.results.find((r) => r.test === test);
      t.equal(result?.status, 'pass', `${verdict.fault}: ${test} still passes`);
      t.ok(result?.warnings.some((w) => verdict.warnings!.text.test(w)), `${verdict.fault}: ${test} warns: ${JSON.stringify(result?.warnings)}`);
    }
  }
}

/** Junctions a fault may move: those of the tests it breaks or warns on. */
export function verdictJunctions(verdict: FaultVerdict): Set<string> {
  return new Set([...(verdict.failing?.tests ?? []), ...(verdict.warnings?.tests ?? []), ...(verdict.blocked?.tests ?? [])].map(junctionOf));
}

/** Fault runs are grouped to save time; a group is only sound if its faults cannot hide one another. */
export function assertFaultGroups<E extends { fault: string }>(t: Test, all: readonly E[], groups: readonly (readonly E[])[], junctionsOf: (expectation: E) => Set<string>): void {
  t.same(groups.flat().map((e) => e.fault).sort(), all.map((e) => e.fault).sort(), 'each fault in exactly one group');
  for (const group of groups) {
    const seen = new Map<string, string>();
    for (const expectation of group) {
      for (const junction of junctionsOf(expectation)) {
        t.notOk(seen.has(junction), `${expectation.fault} and ${seen.get(junction)} would share ${junction}`);
        seen.set(junction, expectation.fault);
      }
    }
  }
}
