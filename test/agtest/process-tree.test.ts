import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { InteropProfile } from '../../profiles/index.js';
import { CLI, processesWithMark, runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

// agtest owns the whole tree of what it starts (issue 23): wrappers, forks and its own death.
const REFERENCE_AGENT = fileURLToPath(new URL('../../dist/reference-agent/main.js', import.meta.url));
const FORKING_AGACT = fileURLToPath(new URL('../fixtures/harness/forking-agact.mjs', import.meta.url));

function config(overrides: Record<string, unknown>) {
  return {
    agent: { command: ['agtest-reference-agent'], endpoint: '${ready.endpoint}' },
    transport: { adapter: 'http' },
    agact: { command: ['agact-http', '--url', '${ready.backchannel}'], timeoutMs: 3000 },
    claims: ['trust_ping.1_0.passive'],
    timeouts: { testMs: 15_000, messageMs: 5_000, silenceMs: 300 },
    ...overrides,
  };
}

async function runConfig(value: unknown) {
  return withTempDir(async (dir) => {
    const file = join(dir, 'agtest.config.json');
    await writeFile(file, JSON.stringify(value));
    const result = await runCli(['run', '--config', file, '--out', join(dir, 'out')], { cwd: dir });
    const profile = JSON.parse(await readFile(join(dir, 'out', 'profile.json'), 'utf8')) as InteropProfile;
    return { result, profile, leftovers: await processesWithMark(result.mark) };
  });
}

t.test('an agent started through a wrapper (bash -c) is stopped with its wrapper; agtest exits', async (t) => {
  const { result, profile, leftovers } = await runConfig(config({ agent: { command: ['bash', '-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(REFERENCE_AGENT)}; true`], endpoint: '${ready.endpoint}' } }));
  t.equal(result.exitCode, 0, 'the run ends (it used to hang on the grandchild’s pipe)');
  t.equal(profile.profile['trust_ping.1_0.passive'], 'interoperable');
  t.same(leftovers, [], 'neither bash nor the agent is left');
});

t.test('an agact that forks a child holding its stdout: the call ends when agact does, the child is stopped', async (t) => {
  const { result, profile, leftovers } = await runConfig(config({ agact: { command: [process.execPath, FORKING_AGACT, '--url', '${ready.backchannel}'], timeoutMs: 3000 } }));
  t.equal(result.exitCode, 0);
  t.ok(profile.results?.every((r) => r.status === 'pass'), `every test passed: ${JSON.stringify(profile.results?.map((r) => r.reason))}`);
  t.same(leftovers, [], 'no forked child left');
});

t.test('kill -9 of agtest: the agent and the adapter notice and exit by themselves', async (t) => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'agtest.config.json');
    await writeFile(file, JSON.stringify(config({ claims: ['trust_ping.1_0', 'basicmessage.1_0'] })));
    const mark = randomUUID();
    const child = execa(process.execPath, [CLI, 'run', '--config', file, '--out', join(dir, 'out')], { reject: false, cwd: dir, env: { NO_COLOR: '1', AGTEST_TEST_MARK: mark } });
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('✓')) resolve();
      });
      void child.then(() => resolve());
    });
    t.ok((await processesWithMark(mark)).length >= 3, 'agtest, the agent and the adapter were running');
    child.kill('SIGKILL');
    await child;
    // They poll for their parent every 500 ms; allow a generous margin on a loaded machine.
    let left = await processesWithMark(mark);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = await processesWithMark(mark);
    }
    t.same(left, [], 'nothing left listening');
  });
});
