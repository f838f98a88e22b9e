import type { Test } from 'tap';
import { FAULTS } from '../../reference-agent/index.js';
import { junctionOf } from '../../profiles/index.js';
import { assertFaultVerdicts } from '../helpers/fault-verdicts.js';
import { runReference } from '../helpers/reference-run.js';
import type { FaultExpectation } from './fault-expectations.js';

/** Junctions a fault may move: those of the tests it breaks and of the test it warns on. */
export function junctionsOf(expectation: FaultExpectation): Set<string> {
  return new Set([...(expectation.failing?.tests ?? []), ...(expectation.warning ? [expectation.warning.test] : [])].map(junctionOf));
}

/**
 * Faults that can share one run: a full run per fault costs the most time of the whole test
 * suite, and faults that touch different junctions cannot hide one another. A fault with its own
 * transport or `only` runs alone.
 */
export function groupFaults(expectations: readonly FaultExpectation[]): FaultExpectation[][] {
  const groups: { members: FaultExpectation[]; junctions: Set<string> }[] = [];
  const alone: FaultExpectation[][] = [];
  for (const expectation of expectations) {
    if (expectation.only || expectation.transport || expectation.alone) {
      alone.push([expectation]);
      continue;
    }
    const junctions = junctionsOf(expectation);
    let group = groups.find((g) => ![...junctions].some((junction) => g.junctions.has(junction)));
    if (!group) groups.push((group = { members: [], junctions: new Set() }));
    group.members.push(expectation);
    for (const junction of junctions) group.junctions.add(junction);
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
  const verdicts = group.map((e) => ({ fault: e.fault, failing: e.failing, warnings: e.warning && { tests: [e.warning.test], text: e.warning.text } }));
  assertFaultVerdicts(t, summary, verdicts);
  const expectedFailing = verdicts.flatMap((v) => v.failing?.tests ?? []);
  t.equal(summary.exitCode, expectedFailing.length > 0 ? 1 : 0, 'exit code follows the profile');
}
