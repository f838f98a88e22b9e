import type { Test } from 'tap';
import { A2A_FAULTS } from '../../reference-agent/index.js';
import { assertFaultVerdicts, verdictJunctions } from '../helpers/fault-verdicts.js';
import { runReferenceA2a } from '../helpers/reference-run.js';
import type { A2aFaultExpectation } from './a2a-fault-expectations.js';

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
    const junctions = verdictJunctions(expectation);
    let group = groups.find((g) => g.minimal === minimal && ![...junctions].some((junction) => g.junctions.has(junction)));
    if (!group) groups.push((group = { minimal, members: [], junctions: new Set() }));
    group.members.push(expectation);
    for (const junction of junctions) group.junctions.add(junction);
  }
  return [...groups.map((g) => g.members), ...alone];
}

/** Both numbers (assertFaultVerdicts), and no findings: nothing lost, nothing stray. */
export async function checkA2aFaults(t: Test, group: readonly A2aFaultExpectation[]): Promise<void> {
  for (const expectation of group) t.ok(Object.hasOwn(A2A_FAULTS, expectation.fault), `${expectation.fault} is a reference A2A agent fault`);
  const [first] = group;
  const summary = await runReferenceA2a(group.map((e) => e.fault), { minimal: first?.minimal ?? false, ...(first?.only ? { only: first.only } : {}) });
  assertFaultVerdicts(t, summary, group);
  t.same(summary.findings, [], 'no findings (nothing lost, nothing stray)');
}
