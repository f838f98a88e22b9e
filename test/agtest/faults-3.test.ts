// The fault runs are split over files so that tap runs them in parallel.
import t from 'tap';
import { FAULT_EXPECTATIONS } from './fault-expectations.js';
import { checkFault } from './fault-check.js';

const PART = 3;
const PARTS = 3;
for (const [index, expectation] of FAULT_EXPECTATIONS.entries()) {
  if (index % PARTS !== PART - 1) continue;
  t.test(`fault ${expectation.fault}`, (t) => checkFault(t, expectation));
}
