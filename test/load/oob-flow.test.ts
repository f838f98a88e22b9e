import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { loadReportProblems, planLoad, runLoadCommand, type LoadConfigFile, type LoadFlags, type LoadReport } from '../../load/index.js';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';
import { writeFile } from 'node:fs/promises';

const DYING_AGENT = fileURLToPath(new URL('../fixtures/load/dying-agent.mjs', import.meta.url));

/** runLoadCommand (what `agtest load` runs) with a config file; the report as written to --out. */
async function runOob(dir: string, block: Record<string, unknown>, load: Record<string, unknown>, flags: Partial<LoadFlags> = {}) {
  const config = join(dir, `load-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(config, JSON.stringify({ scenario: 'oob-flow', 'oob-flow': block, load }));
  const out = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  let text = '';
  const sink = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
  const code = await runLoadCommand({ config, ...flags }, { out }, { stdout: sink, stderr: sink }).catch((error: Error & { code?: string }) => error);
  const report = typeof code === 'number' ? (JSON.parse(await readFile(out, 'utf8')) as LoadReport) : undefined;
  return { code, report, text };
}

const step = (report: LoadReport | undefined, name: string) => report?.steps.find((s) => s.name === name);
const errorClasses = (report: LoadReport | undefined) => Object.fromEntries((report?.errors ?? []).map((e) => [e.class, e.count]));

t.test('inline receivers against the built-in reference agent: every flow connects over WebSocket and runs ping + message; the report validates', async (t) => {
  await withTempDir(async (dir) => {
    const { code, report, text } = await runOob(dir, {}, { vus: 4, iterations: 24 });
    t.equal(code, 0, text);
    t.same(loadReportProblems(report!), [], 'the report validates against load-report.schema.json');
    t.equal(report!.summary.ok, 24);
    t.equal(report!.summary.errors, 0);
    t.same(report!.steps.map((s) => [s.name, s.ok]), [['invite', 24], ['connect', 24], ['flow', 24], ['total', 24]]);
    t.match(text, /built-in reference agent \(pid \d+\) at ws:\/\/127\.0\.0\.1:/);
    t.ok(report!.health[0]!.watched.some((p) => p.role === 'agent'), 'the agent agtest started is measured');
  });
});

t.test('HTTP is selectable: the built-in agent on HTTP, the receivers follow the invitation endpoint', async (t) => {
  await withTempDir(async (dir) => {
    const { code, report, text } = await runOob(dir, { transport: 'http', flow: ['ping', 'ping'] }, { vus: 2, iterations: 10 });
    t.equal(code, 0, text);
    t.equal(report!.summary.ok, 10);
  });
});

t.test('process receivers: agtest-receive per flow, with spawn, connect and flow timed by the engine', async (t) => {
  await withTempDir(async (dir) => {
    const { code, report, text } = await runOob(dir, { receiver: 'process' }, { vus: 2, iterations: 4, timeout: '30s' });
    t.equal(code, 0, text);
    t.equal(report!.summary.ok, 4, JSON.stringify(report!.errors));
    t.same(report!.steps.map((s) => [s.name, s.ok]), [['invite', 4], ['spawn', 4], ['connect', 4], ['flow', 4], ['total', 4]]);
    t.ok(report!.health[0]!.watched.some((p) => p.role === 'receiver'), 'receiver processes are measured');
  });
});

t.test('an agent that refuses invitations (reference-agent fault oob-refuse-invitations): every flow is a refused error at invite, with its words', async (t) => {
  await withTempDir(async (dir) => {
    const { code, report } = await runOob(dir, { agent: { faults: ['oob-refuse-invitations'] } }, { vus: 2, iterations: 6 }, { threshold: ['errors.rate < 1%'] });
    t.equal(code, 1, 'the error threshold fails');
    t.same(errorClasses(report), { refused: 6 });
    t.match(report!.errors[0]!.examples[0], { step: 'invite', message: /refused to create an invitation: POST .* answered 403/ });
    t.equal(step(report, 'connect')?.ok ?? 0, 0, 'no flow went on past its invitation');
  });
});

t.test('a receiver that hangs is killed at its timeout and counted as a timeout error', async (t) => {
  await withTempDir(async (dir) => {
    const hang = [process.execPath, '-e', 'setInterval(() => {}, 1000)', '${invitation_url}'];
    const { code, report } = await runOob(dir, { receiver: { command: hang }, receiver_timeout: '300ms' }, { vus: 2, iterations: 4, timeout: '10s' });
    t.equal(code, 0, 'no thresholds: the run itself succeeded');
    t.same(errorClasses(report), { timeout: 4 });
    const example = report!.errors[0]!.examples[0]!;
    t.match(example, { step: 'flow', message: /did not finish within 300 ms: killed/ });
    const pid = (example.detail as { pid?: number } | undefined)?.pid;
    t.type(pid, 'number');
    t.throws(() => process.kill(pid!, 0), { code: 'ESRCH' }, 'the hung receiver is gone');
    t.ok(step(report, 'total')!.error_latency_ms.max_ms < 3000, 'killed at its timeout, not at the iteration timeout');
    // One that says it started (events) and then hangs times out on connect, the step it was in.
    const started = [process.execPath, '-e', 'console.log(JSON.stringify({ event: "started" })); setInterval(() => {}, 1000)', '${invitation_url}'];
    const late = await runOob(dir, { receiver: { command: started, events: true }, receiver_timeout: '1s' }, { vus: 1, iterations: 2, timeout: '10s' });
    t.same(errorClasses(late.report), { timeout: 2 });
    t.match(late.report!.errors[0]!.examples[0], { step: 'connect' });
    t.equal(step(late.report, 'spawn')!.ok, 2, 'its spawn ended at the started line');
  });
});

t.test("a receiver that crashes counts as receiver-exit with its exit code; one that reports a failure counts as the failure's class", async (t) => {
  await withTempDir(async (dir) => {
    const crash = [process.execPath, '-e', 'process.stderr.write("boom\\n"); process.exit(3)', '${invitation_url}'];
    const crashed = await runOob(dir, { receiver: { command: crash } }, { vus: 1, iterations: 3 });
    t.same(errorClasses(crashed.report), { 'receiver-exit': 3 });
    t.match(crashed.report!.errors[0]!.examples[0], { message: /the receiver exited 3: boom/, detail: { exit_code: 3 } });
    const reports = [process.execPath, '-e', 'console.log(JSON.stringify({ ok: false, error_class: "problem-report", message: "no" })); process.exit(1)', '${invitation_url}'];
    const reported = await runOob(dir, { receiver: { command: reports } }, { vus: 1, iterations: 2 });
    t.same(errorClasses(reported.report), { 'problem-report': 2 });
    const missing = await runOob(dir, { receiver: { command: [join(dir, 'no-such-receiver'), '${invitation_url}'] } }, { vus: 1, iterations: 1 });
    t.match(missing.report!.errors, [{ class: 'receiver-exit', examples: [{ step: 'spawn', message: /could not start: .*ENOENT/ }] }]);
  });
});

t.test('an agent that dies mid-run ends the run: exit 2, the report written with what was measured and why', async (t) => {
  await withTempDir(async (dir) => {
    const { code, report } = await runOob(dir, { agent: { command: [process.execPath, DYING_AGENT, '1500'] } }, { vus: 2, duration: '20s' });
    t.equal(code, 2);
    t.match(report!.stopped_early, /the agent exited \(exit code 9\) during the run/);
    t.ok(report!.summary.ok > 0, `flows before the death were measured (${report!.summary.ok})`);
    t.ok(report!.duration_s < 10, 'the run did not go on to its 20 s');
    t.same(loadReportProblems(report!), []);
  });
});

t.test('invalid oob-flow config: each error names its key', async (t) => {
  await withTempDir(async (dir) => {
    const bad = await runOob(dir, { receiver: 'threads', flow: ['ping', 'dance'], transport: 'smtp', colour: 1 }, { vus: 1, iterations: 1 });
    t.match(bad.code, { code: 'AGTEST_LOAD_CONFIG_INVALID' });
    const message = (bad.code as Error).message;
    t.match(message, /oob-flow\.receiver/);
    t.match(message, /oob-flow\.flow\[1\]/);
    t.match(message, /oob-flow\.transport must be one of "ws", "http"/);
    t.match(message, /oob-flow has an unknown key "colour"/);
    const noUrl = await runOob(dir, { receiver: { command: ['my-receiver', '--url'] } }, { vus: 1, iterations: 1 });
    t.match(noUrl.code, { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /oob-flow\.receiver\.command must pass \$\{invitation_url\}/ });
    const both = await runOob(dir, { agent: { command: ['x'], faults: ['wrong-thid'] } }, { vus: 1, iterations: 1 });
    t.match(both.code, { message: /oob-flow\.agent\.faults is for the built-in reference agent/ });
    await t.rejects(runLoadCommand({ scenario: 'message', receiver: 'process', vus: 1, iterations: 1 }, {}, { stdout: process.stdout, stderr: process.stderr }), { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /--receiver is for the oob-flow scenario, not message/ });
    const unknownFault = await runOob(dir, { agent: { faults: ['no-such-fault'] } }, { vus: 1, iterations: 1 });
    t.match(unknownFault.code, { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /oob-flow\.agent\.faults: unknown fault\(s\): no-such-fault; known: / });
  });
});

t.test("the README's oob-flow command, as written there, runs through the real CLI: summary table printed, report valid", async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('npx agtest load --scenario oob-flow'));
  t.ok(line, 'the README has the command');
  // Its arguments as a shell would split them (the README's quotes hold one argument each).
  const args = [...line!.replace(/^npx agtest /, '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  await withTempDir(async (dir) => {
    const out = join(dir, 'oob-report.json');
    const result = await runCli(args.map((arg) => (arg === 'oob-report.json' ? out : arg)));
    t.equal(result.exitCode, 0, result.stderr);
    t.match(result.stdout, /agtest load: oob-flow {2}closed 8 VUs, 200 iterations/);
    t.match(result.stdout, /\ninvite +200 +0 /);
    t.match(result.stdout, /\nconnect +200 +0 /);
    t.match(result.stdout, /\nflow +200 +0 /);
    t.match(result.stdout, /✓ errors\.rate < 1%/);
    t.same(loadReportProblems(JSON.parse(await readFile(out, 'utf8')) as LoadReport), []);
  });
});

t.test('the example configs plan (schema-valid, every key known)', async (t) => {
  for (const name of ['oob-flow.json', 'oob-flow-external.json', 'message.json']) {
    const file = fileURLToPath(new URL(`../../examples/load/${name}`, import.meta.url));
    t.doesNotThrow(() => planLoad(JSON.parse(readFileSync(file, 'utf8')) as LoadConfigFile, file), name);
  }
});

t.test('inline receivers interoperate with a third-party agent: Credo 0.6 (examples/credo) over HTTP, every flow ok', async (t) => {
  const credo = fileURLToPath(new URL('../../examples/credo/credo-agent.mjs', import.meta.url));
  await withTempDir(async (dir) => {
    const { code, report, text } = await runOob(dir, { agent: { command: [process.execPath, credo] }, transport: 'http' }, { vus: 2, iterations: 6, timeout: '20s' });
    t.equal(code, 0, text);
    t.equal(report!.summary.ok, 6, JSON.stringify(report!.errors));
  });
});
