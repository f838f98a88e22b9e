import t from 'tap';
import { BUILTIN_TRANSPORTS } from '../../agtest/index.js';
import { FAULTS } from '../../reference-agent/index.js';
import { didcommV1Suites, isMandatory } from '../../suites/index.js';
import { FAULT_EXPECTATIONS } from './fault-expectations.js';
import { groupFaults, touchedBy } from './fault-check.js';
import { assertFaultGroups } from '../helpers/fault-verdicts.js';

t.test('every reference-agent fault has an expectation, and every check a fault that breaks it', async (t) => {
  t.same(FAULT_EXPECTATIONS.map((e) => e.fault).sort(), Object.keys(FAULTS).sort(), 'faults and expectations match one to one');
  // A test with a MUST-level rule is proven by a fault that makes it fail; a test whose rules are
  // all SHOULD / MAY / policy cannot fail, so a fault must make it warn.
  const shouldOnly = new Set(didcommV1Suites.flatMap((suite) => suite.tests.filter((test) => (test.rules ?? []).length > 0 && !(test.rules ?? []).some((rule) => isMandatory(rule.level))).map((test) => `${suite.junction}.${test.name}`)));
  const caught = new Set([...FAULT_EXPECTATIONS.flatMap((e) => e.failing?.tests ?? []), ...FAULT_EXPECTATIONS.flatMap((e) => (e.warning && shouldOnly.has(e.warning.test) ? [e.warning.test] : []))]);
  // A transport cluster is provable only once the reference agent speaks that transport.
  // RFC 0160 connections (which the reference agent does not speak) is proven by the 2023-era
  // fixture agent instead (test/agtest/didcomm-2023-agent.test.ts, deviation bad-doc-signature).
  const speaks = (junction: string) => !junction.startsWith('connections.') && (!junction.startsWith('transport.') || BUILTIN_TRANSPORTS.some((transport) => junction.startsWith(`transport.${transport}.`)));
  const all = didcommV1Suites.filter((suite) => speaks(suite.junction)).flatMap((suite) => suite.tests.map((test) => `${suite.junction}.${test.name}`));
  t.same(all.filter((name) => !caught.has(name)), [], 'no check is left without a fault proving it can fail');
});

t.test('fault groups: every fault runs once, and no two faults of a run touch the same junction (or, for the connection protocols, the same test)', async (t) => {
  const groups = groupFaults(FAULT_EXPECTATIONS);
  assertFaultGroups(t, FAULT_EXPECTATIONS, groups, touchedBy);
  t.ok(groups.length < FAULT_EXPECTATIONS.length / 2, `${groups.length} runs for ${FAULT_EXPECTATIONS.length} faults`);
});
