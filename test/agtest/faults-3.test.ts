// The fault runs are split over files so that tap runs them in parallel.
import t from 'tap';
import { FAULT_EXPECTATIONS } from './fault-expectations.js';
import { checkFaults, groupFaults } from './fault-check.js';

// Each group is its own agent and adapter (own ports, own output folder), and a run mostly
// waits (silence windows, the message wait of each failing check): two groups side by side.
t.jobs = 2;

const PART = 3;
const PARTS = 5;
for (const [index, group] of groupFaults(FAULT_EXPECTATIONS).entries()) {
  if (index % PARTS !== PART - 1) continue;
  t.test(`faults ${group.map((e) => e.fault).join(', ')}`, (t) => checkFaults(t, group));
}
