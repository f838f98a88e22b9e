import type { Test } from 'tap';
import { FAULTS } from '../../reference-agent/index.js';
import { junctionOf } from '../../profiles/index.js';
import { didcommV1Suites } from '../../suites/index.js';
import { assertFaultVerdicts } from '../helpers/fault-verdicts.js';
import { runReference } from '../helpers/reference-run.js';
import type { FaultExpectation } from './fault-expectations.js';

/**
 * Junctions whose faults each change one field of one message (the connection protocols), so that
 * faults breaking different tests of the junction cannot cancel out. Elsewhere they can (two trust
 * ping faults on response_requested undo each other), so there a junction takes one fault per run.
 */
// Not the mediator junctions: their faults hide one another (forward-drop hides forward-unknown-key,
// keylist-query-omits hides keylist-ignore-remove, pickup-delete-on-delivery hides pickup-ignore-received).
const FIELD_FAULT_JUNCTIONS = new Set([
  'out_of_band.1_1.active',
  'out_of_band.1_1.passive',
  'didexchange.1_1.passive',
  'didexchange.1_1.active',
]);

/** Junction → the junctions with a test that `requires` it (their tests are blocked when it fails entirely). */
const DEPENDENTS = new Map<string, string[]>();
for (const suite of didcommV1Suites) {
  for (const required of new Set(suite.tests.flatMap((test) => test.requires ?? []))) DEPENDENTS.set(required, [...(DEPENDENTS.get(required) ?? []), suite.junction]);
}

/**
 * What a fault touches, for grouping: its tests in the junctions above, its junctions elsewhere,
 * and the junctions that require a junction it fails (a probe junction that fails every test
 * blocks them).
 */
export function touchedBy(expectation: FaultExpectation): Set<string> {
  const tests = [...(expectation.failing?.tests ?? []), ...(expectation.warning ? [expectation.warning.test] : [])];
  const dependents = (expectation.failing?.tests ?? []).flatMap((test) => DEPENDENTS.get(junctionOf(test)) ?? []);
  // A test a fault blocks belongs to its run too: another fault there could fail it instead.
  const blocked = expectation.blocked?.tests ?? [];
  return new Set([...tests, ...blocked].map((test) => (FIELD_FAULT_JUNCTIONS.has(junctionOf(test)) ? test : junctionOf(test))).concat(dependents));
}

/**
 * Faults that can share one run: a full run per fault costs the most time of the whole test
 * suite, and faults that touch different junctions (or tests, see touchedBy) cannot hide one
 * another. A fault with its own transport runs alone; faults with the same `only` share runs.
 */
export function groupFaults(expectations: readonly FaultExpectation[]): FaultExpectation[][] {
  // Faults restricted to the same junctions (`only`) share runs of those junctions, as the others share full runs.
  const groups: { only: string; members: FaultExpectation[]; tests: Set<string> }[] = [];
  const alone: FaultExpectation[][] = [];
  for (const expectation of expectations) {
    if (expectation.transport || expectation.alone) {
      alone.push([expectation]);
      continue;
    }
    const only = (expectation.only ?? []).join(',');
    const tests = touchedBy(expectation);
    let group = groups.find((g) => g.only === only && ![...tests].some((test) => g.tests.has(test)));
    if (!group) groups.push((group = { only, members: [], tests: new Set() }));
    group.members.push(expectation);
    for (const test of tests) group.tests.add(test);
  }
  return [...groups.map((g) => g.members), ...alone];
}

/**
 * Runs the whole suite against the reference agent with a group of faults on and checks both
 * numbers a conformance tool is judged by: each violation is flagged, with a reason naming it,
 * and nothing else is (every other junction stays interoperable).
 */
export async function checkFaults(t: Test, group: readonly FaultExpectation[]): Promise<void> {
  for (const expectation of group) t.ok(Object.hasOwn(FAULTS, expectation.fault), `${expectation.fault} is a reference-agent fault`);
  const [first] = group;
  const summary = await runReference(
    group.map((e) => e.fault),
    first?.only ? { only: first.only } : {},
    first?.transport,
  );
  const verdicts = group.map((e) => ({ fault: e.fault, failing: e.failing, blocked: e.blocked, notRun: e.notRun, warnings: e.warning && { tests: [e.warning.test], text: e.warning.text } }));
  assertFaultVerdicts(t, summary, verdicts);
  const expectedFailing = verdicts.flatMap((v) => v.failing?.tests ?? []);
  // A run certifies (exit 0) only when every junction it ran is interoperable (agtest/api.ts): one that
  // ran nothing (a legal deny leaves routing and pickup not run) has no verdict, so the exit is 1 too.
  const unscored = summary.claimed.filter((junction) => summary.profile.profile[junction] === undefined);
  t.equal(summary.exitCode, expectedFailing.length > 0 || unscored.length > 0 ? 1 : 0, `exit code follows the profile${unscored.length ? ` (no verdict: ${unscored.join(', ')})` : ''}`);
}
