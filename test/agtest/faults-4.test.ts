// The fault runs are split over files so that tap runs them in parallel.
import t from 'tap';
import { FAULT_EXPECTATIONS } from './fault-expectations.js';
import { checkFaults, groupFaults } from './fault-check.js';

const PART = 4;
const PARTS = 5;
for (const [index, group] of groupFaults(FAULT_EXPECTATIONS).entries()) {
  if (index % PARTS !== PART - 1) continue;
  t.test(`faults ${group.map((e) => e.fault).join(', ')}`, (t) => checkFaults(t, group));
}
