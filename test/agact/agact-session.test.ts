import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createAgactSession, invokeAgact, type AgactOutcome } from '../../agact/index.js';
import { builtinCommand, isAgtestError } from '../../common/index.js';

/** A real HTTP backchannel on loopback: each action answers as the agact-http contract maps it. */
async function startBackchannel(): Promise<{ url: string; server: Server; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { action, params } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { action: string; params: unknown };
      calls.push(action);
      const answer = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      if (action === 'echo') answer(200, JSON.stringify({ echoed: params }));
      else if (action === 'quiet') answer(200, '');
      else if (action === 'unknown') answer(501, 'no');
      else if (action === 'decline') answer(409, 'not in this state');
      else answer(500, 'it broke');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel`, server, calls };
}

const node = process.execPath;
const outcomeOf = (outcome: AgactOutcome) => ({ status: outcome.status, ...(outcome.status === 'done' ? { output: outcome.output } : {}), ...(outcome.status === 'refused' ? { reason: outcome.reason } : {}) });
const errorCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isAgtestError(error) ? error.code : String(error)),
  );

t.test('agact-http in a session gives every outcome a one-shot call gives, in one process', async (t) => {
  const { url, server, calls } = await startBackchannel();
  t.teardown(() => void server.close());
  const command = [...builtinCommand('agact-http'), '--url', url];
  const session = createAgactSession({ command, timeoutMs: 10_000 });
  t.teardown(() => session.close());
  for (const [action, params] of [
    ['echo', { a: [1, 'two'] }],
    ['quiet', {}],
    ['unknown', {}],
    ['decline', {}],
  ] as const) {
    const oneShot = await invokeAgact({ action, params }, { command, timeoutMs: 10_000 });
    const inSession = await session.invoke({ action, params });
    t.same(outcomeOf(inSession), outcomeOf(oneShot), `${action}: the session's outcome is the one-shot call's`);
  }
  t.same(outcomeOf(await session.invoke({ action: 'echo', params: { n: 1 } })), { status: 'done', output: { echoed: { n: 1 } } });
  t.equal(await errorCode(session.invoke({ action: 'explode', params: {} })), 'AGTEST_AGACT_FAILED', 'a 5xx (exit 4) fails that call');
  t.same(outcomeOf(await session.invoke({ action: 'echo', params: {} })), { status: 'done', output: { echoed: {} } }, 'and the session goes on');
  t.equal(calls.filter((c) => c === 'echo').length, 4, 'each call reached the backchannel once');
});

t.test('an unreachable backchannel is exit 1 in a session too: AGTEST_AGACT_BROKEN', async (t) => {
  const { url, server } = await startBackchannel();
  await new Promise((resolve) => server.close(resolve));
  const session = createAgactSession({ command: [...builtinCommand('agact-http'), '--url', url], timeoutMs: 10_000 });
  t.teardown(() => session.close());
  t.equal(await errorCode(session.invoke({ action: 'echo', params: {} })), 'AGTEST_AGACT_BROKEN');
});

t.test('a session that hangs, dies or prints garbage costs one call; the next call starts a fresh session', async (t) => {
  // Answers "ok" lines, except: "hang" never answers, "die" exits, "garble" prints a non-answer.
  const script = `
    const rl = require('node:readline').createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      const { id, action } = JSON.parse(line);
      if (action === 'hang') return;
      if (action === 'die') { process.stderr.write('session gave up\\n'); process.exit(7); }
      if (action === 'garble') return void process.stdout.write('hello there\\n');
      process.stdout.write(JSON.stringify({ id, exit: 0, stdout: JSON.stringify({ pid: process.pid }) }) + '\\n');
    });`;
  const session = createAgactSession({ command: [node, '-e', script, '--'], timeoutMs: 1_000 });
  t.teardown(() => session.close());
  const pid = async () => ((await session.invoke({ action: 'ok', params: {} })) as { output: { pid: number } }).output.pid;
  const first = await pid();
  t.equal(await pid(), first, 'calls share one process');
  const started = performance.now();
  t.equal(await errorCode(session.invoke({ action: 'hang', params: {} })), 'AGTEST_AGACT_TIMEOUT', 'a hung call times out');
  t.ok(performance.now() - started < 5_000, 'after its timeout, not later');
  const second = await pid();
  t.not(second, first, 'a fresh session after the timeout');
  t.equal(await errorCode(session.invoke({ action: 'die', params: {} })), 'AGTEST_AGACT_FAILED', 'a session that exits mid-call fails that call');
  const third = await pid();
  t.not(third, second, 'a fresh session after the exit');
  t.equal(await errorCode(session.invoke({ action: 'garble', params: {} })), 'AGTEST_AGACT_BAD_OUTPUT', 'a line that is no answer is bad output');
  t.not(await pid(), third, 'a fresh session after garbage');
});

t.test('an interrupted run stops the pending session call at once', async (t) => {
  const controller = new AbortController();
  const session = createAgactSession({ command: [node, '-e', 'process.stdin.resume()', '--'], timeoutMs: 30_000, signal: controller.signal });
  t.teardown(() => session.close());
  const pending = errorCode(session.invoke({ action: 'anything', params: {} }));
  setTimeout(() => controller.abort('SIGINT'), 100);
  t.equal(await pending, 'AGTEST_INTERRUPTED');
});
