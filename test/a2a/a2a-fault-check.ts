import type { Test } from 'tap';
import { junctionOf } from '../../profiles/index.js';
import { A2A_FAULTS } from '../../reference-agent/index.js';
import { failingTests, runReferenceA2a } from '../helpers/reference-run.js';
import type { A2aFaultExpectation } from './a2a-fault-expectations.js';

export function junctionsOf(expectation: A2aFaultExpectation): Set<string> {
  return new Set([...(expectation.failing?.tests ?? []), ...(expectation.warning?.tests ?? [])].map(junctionOf));
}

/** Faults that can share a run: same agent mode, disjoint junctions; `only` runs alone. */
export function groupA2aFaults(expectations: readonly A2aFaultExpectation[]): A2aFaultExpectation[][] {
  const groups: { minimal: boolean; members: A2aFaultExpectation[]; junctions: Set<string> }[] = [];
  const alone: A2aFaultExpectation[][] = [];
  for (const expectation of expectations) {
    if (expectation.only) {
      alone.push([expectation]);
      continue;
    }
    const minimal = expectation.minimal ?? false;
    const junctions = junctionsOf(expectation);
    let group = groups.find((g) => g.minimal === minimal && ![...junctions].some((junction) => g.junctions.has(junction)));
    if (!group) groups.push((group = { minimal, members: [], junctions: new Set() }));
    group.members.push(expectation);
    for (const junction of junctions) group.junctions.add(junction);
  }
  return [...groups.map((g) => g.members), ...alone];
}

/** Both numbers: each violation flagged with a reason naming it, nothing else moved. */
export async function checkA2aFaults(t: Test, group: readonly A2aFaultExpectation[]): Promise<void> {
  for (const expectation of group) t.ok(Object.hasOwn(A2A_FAULTS, expectation.fault), `${expectation.fault} is a reference A2A agent fault`);
  const [first] = group;
  const summary = await runReferenceA2a(group.map((e) => e.fault), { minimal: first?.minimal ?? false, ...(first?.only ? { only: first.only } : {}) });
  const expectedFailing = group.flatMap((e) => e.failing?.tests ?? []).sort();
  t.same(failingTests(summary), expectedFailing, 'exactly the expected tests fail');
  const affected = new Set(expectedFailing.map(junctionOf));
  for (const junction of summary.claimed) {
    const score = summary.profile.profile[junction];
    if (affected.has(junction)) t.not(score, 'interoperable', `${junction} drops (${score})`);
    else t.equal(score, 'interoperable', `${junction} is unchanged`);
  }
  for (const expectation of group) {
    for (const test of expectation.failing?.tests ?? []) {
      const result = summary.results.find((r) => r.test === test);
      t.match(result?.reason ?? '', expectation.failing!.reason, `${expectation.fault}: ${test} names the violation: ${result?.reason}`);
    }
    for (const test of expectation.warning?.tests ?? []) {
      const result = summary.results.find((r) => r.test === test);
      t.equal(result?.status, 'pass', `${expectation.fault}: ${test} still passes`);
      t.ok(result?.warnings.some((w) => expectation.warning!.text.test(w)), `${expectation.fault}: ${test} warns: ${JSON.stringify(result?.warnings)}`);
    }
  }
  t.same(summary.findings, [], 'no findings (nothing lost, nothing stray)');
}
