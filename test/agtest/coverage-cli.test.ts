// `agtest coverage` through the real CLI (dist/): the --json shape tools read, the filters, --unchecked and --help.
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const REASONS = ['not-yet', 'needs-auth', 'needs-second-agent', 'needs-operator', 'not-observable', 'client-side', 'out-of-scope'];

interface Counts {
  total: number;
  checked: number;
  unchecked: Record<string, number>;
  observable: number;
  percent: number | null;
}

t.test('--json: the documented shape, and its numbers add up', async (t) => {
  const result = await runCli(['coverage', '--json']);
  t.equal(result.exitCode, 0, String(result.stderr));
  const json = JSON.parse(String(result.stdout)) as { schema_version: number; filter: object; specs: { spec: string; requirements: number; musts: Counts }[]; total: Counts; junctions: { junction: string; specs: string[]; musts: Counts }[]; unchecked: { spec: string; id: string; section: string; level: string; quote: string; junctions: string[]; reason: string; why: string }[]; violations: unknown[] };
  t.equal(json.schema_version, 1);
  t.same(json.filter, { spec: null, junction: null });
  t.same(json.violations, [], 'the shipped maps have no violations');
  t.ok(json.specs.some((s) => s.spec === 'a2a-v1.0') && json.specs.some((s) => s.spec === 'jsonrpc-2.0') && json.specs.some((s) => s.spec.startsWith('aries-rfc-')), 'A2A, JSON-RPC and Aries maps');
  for (const counts of [...json.specs.map((s) => s.musts), ...json.junctions.map((j) => j.musts), json.total]) {
    t.same(Object.keys(counts.unchecked).sort(), [...REASONS].sort(), 'every reason is present');
    const unchecked = Object.values(counts.unchecked).reduce((a, b) => a + b, 0);
    t.equal(counts.checked + unchecked, counts.total, 'checked + unchecked = MUSTs');
    t.equal(counts.observable, counts.checked + (counts.unchecked['not-yet'] ?? 0), 'observable = checked + not-yet');
    t.equal(counts.percent, counts.observable === 0 ? null : Math.round((counts.checked / counts.observable) * 1000) / 10);
  }
  t.equal(json.total.total, json.specs.reduce((n, s) => n + s.musts.total, 0), 'total sums the specs');
  t.equal(json.unchecked.length, json.total.total - json.total.checked, 'every unchecked MUST is listed');
  t.ok(json.unchecked.every((u) => REASONS.includes(u.reason) && u.why.length > 0 && u.quote.length > 0 && (u.level === 'MUST' || u.level === 'MUST NOT')));
  t.ok(json.junctions.some((j) => j.junction === 'a2a.v1_0.jsonrpc.passive' && j.specs.includes('jsonrpc-2.0') && j.specs.includes('a2a-v1.0')), 'a junction gathers the MUSTs of every spec mapped to it');
});

t.test('--spec and --junction filter; --unchecked lists each unchecked MUST', async (t) => {
  const spec = await runCli(['coverage', '--spec', 'jsonrpc-2.0', '--json']);
  t.equal(spec.exitCode, 0, String(spec.stderr));
  const bySpec = JSON.parse(String(spec.stdout)) as { filter: object; specs: { spec: string }[]; junctions: { specs: string[] }[]; unchecked: { spec: string }[] };
  t.same(bySpec.filter, { spec: 'jsonrpc-2.0', junction: null });
  t.same(bySpec.specs.map((s) => s.spec), ['jsonrpc-2.0']);
  t.ok(bySpec.junctions.every((j) => j.specs.length === 1 && j.specs[0] === 'jsonrpc-2.0'));
  t.ok(bySpec.unchecked.every((u) => u.spec === 'jsonrpc-2.0'));

  const junction = await runCli(['coverage', '--junction', 'a2a.v1_0.tasks.passive', '--unchecked']);
  t.equal(junction.exitCode, 0, String(junction.stderr));
  const text = String(junction.stdout);
  t.match(text, /^junction\s+MUSTs\s+checked\s+observable\s+coverage/m);
  t.match(text, /^a2a\.v1_0\.tasks\.passive\s+\d+\s+\d+\s+\d+\s+[\d.]+ %/m);
  t.notMatch(text, /^a2a\.v1_0\.card\.passive/m, 'only that junction');
  t.match(text, /Unchecked MUSTs \(\d+\)/);
  t.match(text, /^a2a-v1\.0 §\S+.*\s(MUST|MUST NOT)\s+(not-yet|needs-auth|needs-operator|not-observable|out-of-scope)\s+\[a2a\.v1_0\.tasks\.passive\]\n {4}".+"\n {4}\S/m, 'spec, section, id, level, reason, junction; then the quote and why');

  const unknown = await runCli(['coverage', '--spec', 'nope']);
  t.equal(unknown.exitCode, 2);
  t.match(String(unknown.stderr), /no requirement map for spec nope/);
});

t.test('--help says what the numbers mean and the exit codes', async (t) => {
  const help = await runCli(['coverage', '--help']);
  t.equal(help.exitCode, 0);
  for (const flag of ['--spec', '--junction', '--unchecked', '--json']) t.match(String(help.stdout), flag);
  t.match(String(help.stdout), /observable/);
  t.match(String(help.stdout), /Exit codes: 0/);
  const top = await runCli(['--help']);
  t.match(String(top.stdout), /agtest coverage/);
});
