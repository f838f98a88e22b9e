import t from 'tap';
import { FAULTS } from '../../reference-agent/index.js';
import { didcommV1Suites } from '../../suites/index.js';
import { FAULT_EXPECTATIONS } from './fault-expectations.js';

t.test('every reference-agent fault has an expectation, and every check a fault that breaks it', async (t) => {
  t.same(FAULT_EXPECTATIONS.map((e) => e.fault).sort(), Object.keys(FAULTS).sort(), 'faults and expectations match one to one');
  const caught = new Set(FAULT_EXPECTATIONS.flatMap((e) => e.failing?.tests ?? []));
  const all = didcommV1Suites.flatMap((suite) => suite.tests.map((test) => `${suite.junction}.${test.name}`));
  t.same(all.filter((name) => !caught.has(name)), [], 'no check is left without a fault proving it can fail');
});
