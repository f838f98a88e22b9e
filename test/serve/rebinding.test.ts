// DNS rebinding (issue 19's target allowlist): a name checked against the allowlist must connect to
// the address the check saw, not to a fresh lookup. The name is `localhost`: the service's resolver
// (injected: the check's answer) says 127.0.0.2, on the list; the system resolver, which any
// connection that looks the name up again would ask, says 127.0.0.1 / ::1, off the list. A
// "forbidden" server listens there on the same port and counts what reaches it: it must stay at 0.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startReferenceA2aAgent } from '../../reference-agent/index.js';
import { startHarness } from './helpers.js';

const ALLOWED = '127.0.0.2';
/** The check's resolver: localhost is 127.0.0.2 (the system's answer, 127.0.0.1 / ::1, is the one an unpinned connection gets). */
const checkResolver = async (host: string) => (host === 'localhost' ? [ALLOWED] : []);

/** Listens on 127.0.0.1 and ::1 at `port` and records every request: the third party. */
async function startForbidden(port: number) {
  const got: string[] = [];
  const servers: Server[] = [];
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer((req, res) => {
      got.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const listening = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, host, () => done(true));
    });
    if (listening) servers.push(server);
  }
  return { got, count: servers.length, close: () => Promise.all(servers.map((s) => new Promise((done) => s.close(done)))) };
}

async function startRecorder() {
  const got: { url: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      got.push({ url: req.url ?? '', body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, ALLOWED, done));
  return { got, port: (server.address() as AddressInfo).port, close: () => new Promise((done) => server.close(done)) };
}

t.test('push notifications and callbacks to a re-pointed name go to the checked address only', async (t) => {
  const hook = await startRecorder();
  const forbidden = await startForbidden(hook.port);
  t.ok(forbidden.count > 0, `the forbidden server listens (${forbidden.count} of 127.0.0.1, ::1)`);
  const h = await startHarness({ resolve: checkResolver, key: { targets: [`${ALLOWED}/32`] } });
  t.teardown(async () => {
    await h.close();
    await hook.close();
    await forbidden.close();
  });
  const webhook = `http://localhost:${hook.port}`;
  const sent = await fetch(`${h.service.url}/a2a/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.key}`, 'a2a-version': '1.0' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'rb1', role: 'ROLE_USER', parts: [{ data: { requestId: 'rb-push', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: `GET /ok on http://${ALLOWED}:9 with 2 users for 1 minute` } }] }, configuration: { returnImmediately: true, taskPushNotificationConfig: { url: `${webhook}/push`, token: 'x' } } } }),
  });
  t.notOk(((await sent.json()) as { error?: unknown }).error, 'the webhook name resolves onto the list: accepted');
  const accepted = await h.call('POST', '/requests', { requestId: 'rb-cb', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: `GET /ok on http://${ALLOWED}:9 with 2 users for 1 minute`, callbackUrl: `${webhook}/cb` });
  t.equal(accepted.status, 202);
  const end = Date.now() + 10_000;
  const arrived = () => hook.got.some((g) => g.url === '/push' && g.body.includes('TASK_STATE_COMPLETED')) && hook.got.some((g) => g.url === '/cb' && g.body.includes('"completed"'));
  while (!arrived() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  t.ok(arrived(), `the push and the callback reached the checked address (${hook.got.length} posts)`);
  t.same(forbidden.got, [], 'nothing reached the address a second lookup gives');
});

t.test('certify: the run (a child process) connects to the checked address, not to a fresh lookup of the name', async (t) => {
  const agent = await startReferenceA2aAgent({ minimal: true, host: ALLOWED, port: 0 });
  const port = Number(new URL(agent.endpoint).port);
  const forbidden = await startForbidden(port);
  const h = await startHarness({ resolve: checkResolver, key: { targets: [`${ALLOWED}/32`] } });
  t.teardown(async () => {
    await h.close();
    await agent.close();
    await forbidden.close();
  });
  const created = await h.call('POST', '/requests', { requestId: 'rb-cert', sourceAgentId: 'a', taskType: 'certify', taskDescription: 'Certify this agent', targetDetails: { url: `http://localhost:${port}`, only: ['a2a.v1_0.card'] } });
  t.equal(created.status, 202, JSON.stringify(created.body));
  const done = await h.waitFor('rb-cert', ['completed', 'error'], 60_000);
  t.equal(done.status, 'completed', done.error);
  const result = (await h.call('GET', '/requests/rb-cert/result')).body.result;
  t.equal(result.verdicts['a2a.v1_0.card.passive'], 'interoperable', 'the card was read, from the checked address');
  t.same(forbidden.got, [], 'nothing reached the address a second lookup gives');
});
