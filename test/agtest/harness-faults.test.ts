import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { validateProfile, type InteropProfile } from '../../profiles/index.js';
import { CLI, processesWithMark, runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

// The harness under faults (issue 21): each of agent, adapter and agact killed, hung, refusing or
// failing in a phase, and SIGINT/SIGTERM. Every cell must stop what agtest started, name the real
// cause, and write a profile holding exactly the tests that finished before the fault.
// Each cell is its own agtest run (own folder, own process mark) that mostly waits on its children:
// a few side by side.
t.jobs = 4;

const FAULT_AGACT = fileURLToPath(new URL('../fixtures/harness/fault-agact.mjs', import.meta.url));
// 8 tests: trust_ping passive (3), trust_ping active (2: the first action is the 4th test's send-ping), basicmessage (3).
const TESTS = 8;

interface Plan {
  fault: 'kill-agent' | 'kill-adapter' | 'hang' | 'hang-always' | 'refuse' | 'fail';
  phase: 'setup' | 'test' | 'teardown';
  nth?: number;
}

function config(agentCommand: string[] = ['agtest-reference-agent']) {
  return {
    agent: { command: agentCommand, endpoint: '${ready.endpoint}' },
    transport: { adapter: 'http' },
    // Generous enough that a healthy call never times out on a loaded 2-core CI machine.
    agact: { command: [process.execPath, FAULT_AGACT, '--url', '${ready.backchannel}'], timeoutMs: 4000 },
    claims: ['trust_ping.1_0', 'basicmessage.1_0'],
    timeouts: { testMs: 15_000, messageMs: 5_000, silenceMs: 300 },
  };
}

async function runWithFault(plan: Plan | undefined, agentCommand?: string[]) {
  return withTempDir(async (dir) => {
    const file = join(dir, 'agtest.config.json');
    await writeFile(file, JSON.stringify(config(agentCommand)));
    const out = join(dir, 'out');
    const env: Record<string, string> = { AGTEST_FAULT_STATE: join(dir, 'state.json'), ...(plan ? { AGTEST_FAULT_PLAN: JSON.stringify(plan) } : {}) };
    const result = await runCli(['run', '--config', file, '--out', out], { cwd: dir, env });
    const profile = JSON.parse(await readFile(join(out, 'profile.json'), 'utf8')) as InteropProfile;
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    const outboxLeft = (await readdir(join(out, 'agtalk', 'outbox')).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));
    return { result, profile, junit, outboxLeft, leftovers: await processesWithMark(result.mark) };
  });
}

/** The tests that did not pass, with their reasons: the message of an assertion about them. */
const notPassed = (profile: InteropProfile) => JSON.stringify((profile.results ?? []).filter((r) => r.status !== 'pass').map((r) => [r.test, r.status, r.reason]));

const finished = (profile: InteropProfile) => (profile.results ?? []).filter((r) => !(r.status === 'not-run' && /interrupted/.test(r.reason ?? '')));

async function expectInterrupted(
  t: Test,
  run: Awaited<ReturnType<typeof runWithFault>>,
  expected: { exitCode: number; code: string; cause: RegExp; phase: string | RegExp; test?: string | RegExp; finished: number | readonly number[] },
) {
  const { result, profile, leftovers, outboxLeft } = run;
  const finishedCount = finished(profile).length;
  t.equal(result.exitCode, expected.exitCode, `exit ${expected.exitCode}`);
  t.ok(validateProfile(profile).valid, 'the profile of an interrupted run is valid');
  t.equal(profile.interrupted?.code, expected.code, `cause code: ${JSON.stringify(profile.interrupted)}`);
  t.match(profile.interrupted?.cause, expected.cause, 'the cause is named');
  t.match(profile.interrupted?.phase, typeof expected.phase === 'string' ? new RegExp(`^${expected.phase}$`) : expected.phase, 'the phase it happened in');
  if (expected.test) t.match(profile.interrupted?.test, typeof expected.test === 'string' ? new RegExp(`^${expected.test.replace(/\./g, '\\.')}$`) : expected.test, 'the test it happened in');
  t.equal(profile.results?.length, TESTS, 'every planned test is listed');
  // A child's death is seen a moment after it happens: where a phase boundary falls in that moment, either count is exact.
  t.ok(([] as number[]).concat(expected.finished).includes(finishedCount), `exactly the tests that finished before the fault keep their results (${finishedCount})`);
  const unsent = new Set((profile.findings ?? []).filter((f) => f.kind === 'unsent').map((f) => f.file));
  t.ok(outboxLeft.every((name) => unsent.has(name)), `no file left in the outbox unreported (${outboxLeft.join(', ') || 'none left'})`);
  t.ok(finished(profile).every((r) => r.status === 'pass'), `the finished tests passed: ${JSON.stringify(finished(profile).map((r) => [r.test, r.status, r.reason]))}`);
  t.match(String(result.stderr), new RegExp(`run interrupted: .*\\[${expected.code}\\]; the profile of the ${finishedCount} finished tests`), 'one line says what stopped the run');
  t.notMatch(String(result.stderr), /ECONNREFUSED|HTTP 502/, 'no consequence is reported as the cause');
  t.same(leftovers, [], 'no process left');
}

// The cells that wait out agact timeouts (4 s each, up to three in a row) first: they are the
// longest, and the short ones fill in beside them.
for (const phase of ['setup', 'teardown'] as const) {
  t.test(`one agact call hung in ${phase}: that test is an error, the run goes on`, async (t) => {
    const { result, profile, leftovers } = await runWithFault({ fault: 'hang', phase, nth: 2 });
    t.equal(result.exitCode, 1);
    t.equal(profile.interrupted, undefined, 'not interrupted');
    const hung = profile.results?.find((r) => r.test === 'trust_ping.1_0.passive.silent-when-not-requested');
    t.equal(hung?.status, 'error');
    t.match(hung?.reason, new RegExp(`backchannel failed in ${phase}: agact ${phase} timed out after 4000 ms \\(command: .*fault-agact\\.mjs`));
    t.equal(profile.results?.filter((r) => r.status === 'pass').length, TESTS - 1, `every other test passed: ${notPassed(profile)}`);
    t.same(leftovers, [], 'no process left');
  });
}

t.test('one hung agact call is that test’s error; the run goes on', async (t) => {
  const { result, profile, leftovers } = await runWithFault({ fault: 'hang', phase: 'test', nth: 1 });
  t.equal(result.exitCode, 1, 'exit 1: a test did not pass');
  t.equal(profile.interrupted, undefined, 'not interrupted');
  const hung = profile.results?.find((r) => r.test === 'trust_ping.1_0.active.sends-ping');
  t.equal(hung?.status, 'error');
  t.match(hung?.reason, /backchannel failed in test: agact send-ping timed out after 4000 ms \(command: .*fault-agact\.mjs --url http:\/\/127\.0\.0\.1:\d+\/\S* send-ping '\{"response_requested":true\}'\)/, 'the action, its parameters and the full command');
  t.equal(profile.results?.filter((r) => r.status === 'pass').length, TESTS - 1, `every other test ran and passed, after a fresh setup: ${notPassed(profile)}`);
  t.same(leftovers, [], 'no process left');
});

t.test('a backchannel that keeps hanging ends the run after 3 calls in a row, results kept', async (t) => {
  const run = await runWithFault({ fault: 'hang-always', phase: 'test' });
  const { profile } = run;
  t.equal(profile.interrupted?.code, 'AGTEST_AGACT_BROKEN');
  t.match(profile.interrupted?.cause, /the backchannel failed 3 calls in a row; the last: agact received timed out/);
  t.same(profile.results?.map((r) => r.status), ['pass', 'pass', 'pass', 'error', 'error', 'error', 'not-run', 'not-run']);
  t.equal(run.result.exitCode, 2);
  t.same(run.leftovers, [], 'no process left');
});

t.test('the agent killed in setup: its death is the cause, the finished test is kept', async (t) => {
  const run = await runWithFault({ fault: 'kill-agent', phase: 'setup', nth: 2 });
  await expectInterrupted(t, run, { exitCode: 2, code: 'AGTEST_AGENT_EXITED', cause: /the tested agent exited during the run \(killed by SIGKILL\) \(its stderr: .*logs\/agent\.stderr\.log\)/, phase: 'setup', test: 'trust_ping.1_0.passive.silent-when-not-requested', finished: 1 });
});

t.test('the agent killed mid-test', async (t) => {
  const run = await runWithFault({ fault: 'kill-agent', phase: 'test', nth: 1 });
  await expectInterrupted(t, run, { exitCode: 2, code: 'AGTEST_AGENT_EXITED', cause: /killed by SIGKILL/, phase: 'test', test: 'trust_ping.1_0.active.sends-ping', finished: 3 });
});

t.test('the agent killed in teardown', async (t) => {
  const run = await runWithFault({ fault: 'kill-agent', phase: 'teardown', nth: 2 });
  await expectInterrupted(t, run, { exitCode: 2, code: 'AGTEST_AGENT_EXITED', cause: /killed by SIGKILL/, phase: 'teardown', test: 'trust_ping.1_0.passive.silent-when-not-requested', finished: 1 });
});

t.test('the adapter killed mid-test: its exit is the cause, not the 502 that followed', async (t) => {
  const run = await runWithFault({ fault: 'kill-adapter', phase: 'test', nth: 1 });
  await expectInterrupted(t, run, { exitCode: 2, code: 'AGTEST_ADAPTER_EXITED', cause: /adapter http exited \(killed by SIGKILL\)/, phase: 'test', test: 'trust_ping.1_0.active.sends-ping', finished: 3 });
});

t.test('the adapter killed in setup', async (t) => {
  const run = await runWithFault({ fault: 'kill-adapter', phase: 'setup', nth: 2 });
  await expectInterrupted(t, run, { exitCode: 2, code: 'AGTEST_ADAPTER_EXITED', cause: /adapter http exited \(killed by SIGKILL\)/, phase: /^(setup|test)$/, test: 'trust_ping.1_0.passive.silent-when-not-requested', finished: 1 });
});

t.test('the adapter killed in teardown', async (t) => {
  const run = await runWithFault({ fault: 'kill-adapter', phase: 'teardown', nth: 2 });
  await expectInterrupted(t, run, { exitCode: 2, code: 'AGTEST_ADAPTER_EXITED', cause: /adapter http exited \(killed by SIGKILL\)/, phase: /^(teardown|setup|test)$/, test: /^trust_ping\.1_0\.passive\.(silent-when-not-requested|responds-when-absent)$/, finished: [1, 2] });
});

t.test('an agent that dies before it is ready: the start is the phase, nothing ran', async (t) => {
  const run = await runWithFault(undefined, [process.execPath, '-e', 'process.exit(3)']);
  t.equal(run.result.exitCode, 2);
  t.match(run.profile.interrupted, { code: 'AGTEST_AGENT_START_FAILED', phase: 'start' });
  t.match(run.profile.interrupted?.cause, /^agent exited \(exit code 3\) before it was ready/);
  t.ok(run.profile.results?.every((r) => r.status === 'not-run'));
  t.same(run.leftovers, []);
});

t.test('an agent that refuses an action: a verdict in its own words, not a harness fault', async (t) => {
  const { result, profile } = await runWithFault({ fault: 'refuse', phase: 'test', nth: 1 });
  t.equal(result.exitCode, 1);
  t.equal(profile.interrupted, undefined);
  const refused = profile.results?.find((r) => r.test === 'trust_ping.1_0.active.sends-ping');
  t.equal(refused?.status, 'fail');
  t.equal(refused?.reason, 'the agent refused agact send-ping: this agent does not send pings on request');
});

t.test('a backchannel that fails one action (agact exit 4): that test is an error, the run goes on', async (t) => {
  const { result, profile } = await runWithFault({ fault: 'fail', phase: 'test', nth: 1 });
  t.equal(result.exitCode, 1);
  t.equal(profile.interrupted, undefined);
  const failed = profile.results?.find((r) => r.test === 'trust_ping.1_0.active.sends-ping');
  t.equal(failed?.status, 'error');
  t.match(failed?.reason, /agact send-ping exited with 4: backchannel: internal error while sending/);
  t.equal(profile.results?.filter((r) => r.status === 'pass').length, TESTS - 1);
});

t.test('an agent command that does not exist: "command not found", and still a profile', async (t) => {
  const run = await runWithFault(undefined, ['no-such-agent-command-xyz']);
  t.equal(run.result.exitCode, 2);
  t.match(run.profile.interrupted, { code: 'AGTEST_AGENT_START_FAILED', phase: 'start' });
  t.match(run.profile.interrupted?.cause, /^command not found: no-such-agent-command-xyz/);
  t.ok(run.profile.results?.every((r) => r.status === 'not-run'), 'nothing ran');
  t.same(run.leftovers, []);
});

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  t.test(`${signal} mid-run: children stopped, finished results written, exit ${code}`, async (t) => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'agtest.config.json');
      await writeFile(file, JSON.stringify(config()));
      const mark = randomUUID();
      const child = execa(process.execPath, [CLI, 'run', '--config', file, '--out', join(dir, 'out')], { reject: false, cwd: dir, env: { NO_COLOR: '1', AGTEST_TEST_MARK: mark, AGTEST_FAULT_STATE: join(dir, 'state.json') }, timeout: 60_000 });
      // Signalled once the first test has finished (its ✓ line), while the second runs.
      await new Promise<void>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('✓')) resolve();
        });
        void child.then(() => resolve());
      });
      child.kill(signal);
      const result = await child;
      t.equal(result.exitCode, code);
      const profile = JSON.parse(await readFile(join(dir, 'out', 'profile.json'), 'utf8')) as InteropProfile;
      t.equal(profile.interrupted?.code, 'AGTEST_INTERRUPTED');
      t.equal(profile.interrupted?.signal, signal);
      t.ok(finished(profile).length >= 1 && finished(profile).length < TESTS, `finished tests kept (${finished(profile).length})`);
      t.ok(finished(profile).every((r) => r.status === 'pass'), `what finished passed: ${notPassed(profile)}`);
      t.same(await processesWithMark(mark), [], 'no process left');
    });
  });
}
