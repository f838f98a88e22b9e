// The A2A fault runs, split over two files so that tap runs them in parallel.
import t from 'tap';
import { A2A_FAULT_EXPECTATIONS } from './a2a-fault-expectations.js';
import { checkA2aFaults, groupA2aFaults } from './a2a-fault-check.js';

// Each group is its own agent (own port, own output folder) and a run mostly waits on the
// suite's own pauses (tasks that take 500 ms, push deliveries): a few groups side by side.
t.jobs = 3;

const PART = 1;
const PARTS = 2;
for (const [index, group] of groupA2aFaults(A2A_FAULT_EXPECTATIONS).entries()) {
  if (index % PARTS !== PART - 1) continue;
  t.test(`A2A faults ${group.map((e) => e.fault).join(', ')}`, (t) => checkA2aFaults(t, group));
}
