import t from 'tap';
import { BUILTIN_TRANSPORTS } from '../../agtest/index.js';
import { FAULTS } from '../../reference-agent/index.js';
import { didcommV1Suites } from '../../suites/index.js';
import { FAULT_EXPECTATIONS } from './fault-expectations.js';
import { groupFaults, junctionsOf } from './fault-check.js';

t.test('every reference-agent fault has an expectation, and every check a fault that breaks it', async (t) => {
  t.same(FAULT_EXPECTATIONS.map((e) => e.fault).sort(), Object.keys(FAULTS).sort(), 'faults and expectations match one to one');
  const caught = new Set(FAULT_EXPECTATIONS.flatMap((e) => e.failing?.tests ?? []));
  // A transport cluster is provable only once the reference agent speaks that transport.
  const speaks = (junction: string) => !junction.startsWith('transport.') || BUILTIN_TRANSPORTS.some((transport) => junction.startsWith(`transport.${transport}.`));
  const all = didcommV1Suites.filter((suite) => speaks(suite.junction)).flatMap((suite) => suite.tests.map((test) => `${suite.junction}.${test.name}`));
  t.same(all.filter((name) => !caught.has(name)), [], 'no check is left without a fault proving it can fail');
});

t.test('fault groups: every fault runs once, and no two faults of a run touch the same junction', async (t) => {
  const groups = groupFaults(FAULT_EXPECTATIONS);
  t.same(groups.flat().map((e) => e.fault).sort(), FAULT_EXPECTATIONS.map((e) => e.fault).sort(), 'each fault in exactly one group');
  for (const group of groups) {
    const seen = new Map<string, string>();
    for (const expectation of group) {
      for (const junction of junctionsOf(expectation)) {
        t.notOk(seen.has(junction), `${expectation.fault} and ${seen.get(junction)} would share ${junction}`);
        seen.set(junction, expectation.fault);
      }
    }
  }
  t.ok(groups.length < FAULT_EXPECTATIONS.length / 2, `${groups.length} runs for ${FAULT_EXPECTATIONS.length} faults`);
});
