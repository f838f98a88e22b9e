import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkAdapter, type AdapterRule } from '../../agtest/index.js';
import { builtinCommand } from '../../common/index.js';
import { runCli } from '../helpers/cli.js';

const TEMPLATE = [process.execPath, fileURLToPath(new URL('../../dist/adapters/template/main.js', import.meta.url))];
const FAULTY = [process.execPath, fileURLToPath(new URL('../fixtures/adapters/faulty-adapter.mjs', import.meta.url))];

// Each case is its own adapter process, loopback peer and folders, and mostly waits (on the peer's
// restart, on the rules' windows): run side by side they take the time of the slowest few.
t.jobs = 4;

const failing = (results: Awaited<ReturnType<typeof checkAdapter>>) => results.filter((r) => r.status === 'fail').map((r) => r.rule);

for (const [name, command, transport] of [
  ['the built-in HTTP adapter', builtinCommand('agtest-adapter-http'), 'http'],
  ['the built-in WebSocket adapter', builtinCommand('agtest-adapter-ws'), 'ws'],
  ['the built-in SMTP adapter', builtinCommand('agtest-adapter-smtp'), 'smtp'],
  ['the template adapter', TEMPLATE, 'http'],
  ['the faulty fixture with no fault (its baseline)', FAULTY, 'http'],
] as const) {
  t.test(`${name} passes every rule`, async (t) => {
    const results = await checkAdapter({ command, transport, messages: 20 });
    t.same(
      results.map((r) => [r.rule, r.status, r.reason]),
      results.map((r) => [r.rule, 'pass', undefined]),
      'all seven rules pass',
    );
    t.equal(results.length, 7);
  });
}

/** One broken adapter per rule: the check must fail exactly that rule, and say why. */
const BROKEN: { fault: string; rule: AdapterRule; reason: RegExp; alsoFails?: AdapterRule[]; mayFail?: AdapterRule[] }[] = [
  { fault: 'no-ready', rule: 'ready-line', reason: /first stdout line that is not a ready event/ },
  { fault: 'reverse-order', rule: 'ordering', reason: /message (\d+) to arrive was ordering-\d+, expected ordering-\1 \(outbox ordinal order\)/ },
  { fault: 'delete-before-send', rule: 'delete-after-send', reason: /deleted from the outbox while the peer was down/, alsoFails: ['bad-target'], mayFail: ['no-loss-on-restart'] },
  { fault: 'non-atomic-inbox', rule: 'atomic-inbox', reason: /visible before it was complete/ },
  { fault: 'ignore-existing', rule: 'no-loss-on-restart', reason: /never reached the peer after the restart/ },
  { fault: 'exit-1-on-sigterm', rule: 'sigterm', reason: /with code 1 after SIGTERM, expected 0/ },
  { fault: 'silent-exit-on-bad-target', rule: 'bad-target', reason: /last stderr line does not say why/ },
];

for (const broken of BROKEN) {
  t.test(`an adapter with ${broken.fault} fails ${broken.rule}, and only that (its consequences aside)`, async (t) => {
    const results = await checkAdapter({ command: [...FAULTY, '--fault', broken.fault], messages: 20, waitMs: 5_000 });
    // A file deleted before it was sent is also gone when the target is bad (always), and when the
    // kill of the restart rule falls between the delete and the send (sometimes).
    const failed = failing(results).filter((rule) => !broken.mayFail?.includes(rule));
    t.same(failed, [broken.rule, ...(broken.alsoFails ?? [])], `only ${broken.rule} fails`);
    const result = results.find((r) => r.rule === broken.rule);
    t.match(result?.reason ?? '', broken.reason, `the reason says what broke: ${result?.reason}`);
    if (broken.rule === 'ready-line') t.ok(results.slice(1).every((r) => r.status === 'not-run'), 'the rest is not-run, never passed');
  });
}

t.test('agtest adapter check: the CLI names the failed rule and exits 1; no command is a usage error (exit 2)', async (t) => {
  const failed = await runCli(['adapter', 'check', '--wait-ms', '5000', '--messages', '10', '--', ...FAULTY, '--fault', 'exit-1-on-sigterm']);
  t.equal(failed.exitCode, 1, failed.stderr);
  t.match(failed.stdout, /✗ sigterm .*\n\s+exited with code 1 after SIGTERM, expected 0/);
  t.match(failed.stdout, /6 of 7 rules passed/);
  const usage = await runCli(['adapter', 'check']);
  t.equal(usage.exitCode, 2);
  t.match(usage.stderr, /give the adapter command after --/);
});
