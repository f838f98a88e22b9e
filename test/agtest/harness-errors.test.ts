import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startReferenceAgent } from '../../reference-agent/index.js';
import { withTempDir } from '../helpers/reference-run.js';
import { processesWithMark, runCli } from '../helpers/cli.js';

/** Runs the CLI on a config file and expects exit 2 with one error line matching `pattern`. */
async function expectHarnessError(t: Test, config: unknown, pattern: RegExp) {
  await withTempDir(async (dir) => {
    const file = join(dir, 'agtest.config.json');
    await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
    const result = await runCli(['run', '--config', file, '--out', join(dir, 'out')], { cwd: dir });
    t.equal(result.exitCode, 2, 'exit 2: the harness failed');
    const lines = String(result.stderr).trim().split('\n');
    t.equal(lines.length, 1, `one line: ${String(result.stderr)}`);
    t.match(lines[0], pattern);
    t.same(await processesWithMark(result.mark), [], 'nothing left running');
  });
}

const node = process.execPath;

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const echoAgact = [node, '-e', 'process.stdout.write("{}")'];

t.test('missing config keys name the file and the key path', (t) =>
  expectHarnessError(t, { agent: { name: 'x' } }, /^agtest: (?=.*agent\.endpoint is missing in agtest\.config\.json)(?=.*claims is missing in agtest\.config\.json)/),
);

t.test('a wrong type names the key path', (t) =>
  expectHarnessError(t, { agent: { endpoint: 'http://127.0.0.1:1/' }, agact: { command: 'agact-http' }, claims: ['trust_ping.1_0'] }, /agact\.command in agtest\.config\.json must be array/),
);

t.test('an unknown claim lists the known junctions', (t) =>
  expectHarnessError(t, { agent: { endpoint: 'http://127.0.0.1:1/' }, agact: { command: echoAgact }, claims: ['trust_pong.1_0'] }, /name no known junction or cluster: trust_pong\.1_0 \(known: message\.v1\.passive, /),
);

t.test('a config that is not JSON says so', (t) => expectHarnessError(t, '{ "agent": ', /agtest\.config\.json is not valid JSON/));

t.test('an unreachable agent is a clear error naming the URL', async (t) => {
  const port = await closedPort();
  await expectHarnessError(
    t,
    { agent: { endpoint: `http://127.0.0.1:${port}/` }, transport: { adapter: 'http', args: ['--retries', '1', '--retry-delay-ms', '50'] }, agact: { command: echoAgact }, claims: ['trust_ping.1_0.passive'] },
    // Found by the pre-flight before the first test, not after the adapter's retries.
    new RegExp(`nothing listens at http://127\\.0\\.0\\.1:${port}/ \\(ECONNREFUSED\\).*\\[AGTEST_AGENT_UNREACHABLE\\]`),
  );
});

t.test('an agact that hangs times out with a message', async (t) => {
  const agent = await startReferenceAgent();
  t.teardown(() => agent.close());
  await expectHarnessError(
    t,
    { agent: { endpoint: agent.endpoint }, agact: { command: [node, '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 500 }, claims: ['trust_ping.1_0.passive'] },
    /agact setup timed out after 500 ms/,
  );
});

t.test('an agact that prints non-JSON is named', async (t) => {
  const agent = await startReferenceAgent();
  t.teardown(() => agent.close());
  await expectHarnessError(t, { agent: { endpoint: agent.endpoint }, agact: { command: [node, '-e', 'console.log("hello there")'] }, claims: ['trust_ping.1_0.passive'] }, /agact setup printed non-JSON on stdout: "hello there"/);
});

t.test('an agact that reports a broken backchannel (exit 1) stops the run', async (t) => {
  const agent = await startReferenceAgent();
  t.teardown(() => agent.close());
  await expectHarnessError(t, { agent: { endpoint: agent.endpoint }, agact: { command: [node, '-e', 'console.error("db down"); process.exit(1)'] }, claims: ['trust_ping.1_0.passive'] }, /agact setup reported a broken backchannel \(exit 1\): db down/);
});
