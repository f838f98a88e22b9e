import t from 'tap';
import { A2A_FAULTS } from '../../reference-agent/index.js';
import { a2aSuites } from '../../suites/index.js';
import { A2A_FAULT_EXPECTATIONS } from './a2a-fault-expectations.js';
import { groupA2aFaults } from './a2a-fault-check.js';
import { assertFaultGroups, verdictJunctions } from '../helpers/fault-verdicts.js';

t.test('every reference A2A agent fault has an expectation, and every A2A check a fault that breaks it', async (t) => {
  t.same(A2A_FAULT_EXPECTATIONS.map((e) => e.fault).sort(), Object.keys(A2A_FAULTS).sort(), 'faults and expectations match one to one');
  const proven = new Set(A2A_FAULT_EXPECTATIONS.flatMap((e) => [...(e.failing?.tests ?? []), ...(e.warnings?.tests ?? [])]));
  const all = a2aSuites.flatMap((suite) => suite.tests.map((test) => `${suite.junction}.${test.name}`));
  t.same(all.filter((name) => !proven.has(name)), [], 'no A2A check is left without a fault proving it can fail (or warn)');
});

t.test('A2A fault groups: every fault runs once, and no two faults of a run touch the same junction', async (t) => {
  const groups = groupA2aFaults(A2A_FAULT_EXPECTATIONS);
  assertFaultGroups(t, A2A_FAULT_EXPECTATIONS, groups, verdictJunctions);
});
