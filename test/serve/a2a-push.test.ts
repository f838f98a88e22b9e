// A2A push notifications of agtest serve: delivered in the config's version form with its token,
// and held to the rules of every outbound call the service makes: the webhook must be on the
// caller's allowlist (refused when the config is made), a url is required, redirects are not followed.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startHarness, type Harness } from './helpers.js';

/** A loopback webhook that records every POST; `answer` picks the status (and a Location). */
async function startWebhook(answer: (req: IncomingMessage) => { status: number; location?: string } = () => ({ status: 200 })) {
  const got: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      got.push({ url: req.url ?? '', headers: req.headers, body });
      const { status, location } = answer(req);
      res.writeHead(status, location ? { location } : {}).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(done)) };
}

const rpc = async (h: Harness, version: '1.0' | '0.3', method: string, params: unknown) => {
  const response = await fetch(`${h.service.url}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.key}`, 'a2a-version': version }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await response.json()) as { result?: Record<string, unknown>; error?: { code: number; message: string } };
};

const generateRequest = (id: string) => ({ requestId: id, sourceAgentId: 'a', taskType: 'generate_script', taskDescription: 'GET /ok on http://127.0.0.1:9 with 2 users for 1 minute' });

t.test('push: v1.0 and v0.3 configs are notified in their own form with the token, up to completed', async (t) => {
  const hook = await startWebhook();
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await hook.close();
  });
  const v1 = await rpc(h, '1.0', 'SendMessage', { message: { messageId: 'p1', role: 'ROLE_USER', parts: [{ data: generateRequest('push-v1') }] }, configuration: { returnImmediately: true, taskPushNotificationConfig: { url: `${hook.url}/v1`, token: 'tok-1' } } });
  t.notOk(v1.error, JSON.stringify(v1.error));
  const v03 = await rpc(h, '0.3', 'message/send', { message: { kind: 'message', messageId: 'p2', role: 'user', parts: [{ kind: 'data', data: generateRequest('push-v03') }] }, configuration: { blocking: false, pushNotificationConfig: { url: `${hook.url}/v03`, token: 'tok-3' } } });
  t.notOk(v03.error, JSON.stringify(v03.error));
  const end = Date.now() + 10_000;
  const done = (path: string, state: string) => hook.got.some((g) => g.url === path && g.body.includes(state));
  while (!(done('/v1', 'TASK_STATE_COMPLETED') && done('/v03', '"completed"')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const v1Posts = hook.got.filter((g) => g.url === '/v1');
  const v03Posts = hook.got.filter((g) => g.url === '/v03');
  t.ok(done('/v1', 'TASK_STATE_COMPLETED'), `v1.0 form (${v1Posts.length} posts)`);
  t.ok(done('/v03', '"completed"') && !v03Posts.some((g) => g.body.includes('TASK_STATE_')), `v0.3 form, no v1.0 states (${v03Posts.length} posts)`);
  t.ok(v1Posts.every((g) => g.headers['x-a2a-notification-token'] === 'tok-1') && v03Posts.every((g) => g.headers['x-a2a-notification-token'] === 'tok-3'), 'each with its token');
  t.notOk(h.logs.join('\n').includes('tok-'), 'tokens never logged');
});

t.test('push: a webhook off the allowlist (an address, a name resolving off it) or without a url is refused; nothing is sent', async (t) => {
  const hook = await startWebhook();
  const h = await startHarness({ resolve: async (host) => (host === 'hooks.example' ? ['10.2.3.4'] : host === 'loop.example' ? ['127.0.0.1'] : []) });
  t.teardown(async () => {
    await h.close();
    await hook.close();
  });
  for (const [url, why] of [['http://10.9.9.9:8080/hook', /10\.9\.9\.9.*not on this key's target allowlist/], ['http://hooks.example/hook', /hooks\.example resolves to 10\.2\.3\.4/]] as const) {
    const sent = await rpc(h, '1.0', 'SendMessage', { message: { messageId: `m-${url}`, role: 'ROLE_USER', parts: [{ data: generateRequest(`off-${url.length}`) }] }, configuration: { returnImmediately: true, taskPushNotificationConfig: { url, token: 'x' } } });
    t.equal(sent.error?.code, -32602, `${url} refused`);
    t.match(sent.error?.message, why);
  }
  // Set on an existing task (CreateTaskPushNotificationConfig), without a url and off the list.
  const created = await rpc(h, '1.0', 'SendMessage', { message: { messageId: 'm-ok', role: 'ROLE_USER', parts: [{ data: generateRequest('on-list') }] }, configuration: { returnImmediately: true } });
  const taskId = String((created.result?.['task'] as { id: string }).id);
  t.equal((await rpc(h, '1.0', 'CreateTaskPushNotificationConfig', { taskId, token: 'x' })).error?.code, -32602, 'no url: -32602');
  t.equal((await rpc(h, '1.0', 'CreateTaskPushNotificationConfig', { taskId, url: 'http://hooks.example/h' })).error?.code, -32602, 'off the list: -32602');
  const allowed = await rpc(h, '1.0', 'CreateTaskPushNotificationConfig', { taskId, url: `${hook.url.replace('127.0.0.1', 'loop.example')}/named` });
  t.notOk(allowed.error, 'the legal variation: a name resolving onto the list is accepted');
  t.same(hook.got.filter((g) => g.url !== '/named'), [], 'nothing was sent for the refused ones');
});

t.test('push: a webhook answering with a redirect is not followed (the target, reachable, gets nothing)', async (t) => {
  const elsewhere = await startWebhook();
  const hook = await startWebhook(() => ({ status: 307, location: `${elsewhere.url}/stolen` }));
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await hook.close();
    await elsewhere.close();
  });
  await rpc(h, '1.0', 'SendMessage', { message: { messageId: 'r1', role: 'ROLE_USER', parts: [{ data: generateRequest('redirect') }] }, configuration: { returnImmediately: true, taskPushNotificationConfig: { url: `${hook.url}/r`, token: 'x' } } });
  const end = Date.now() + 10_000;
  while (!hook.got.some((g) => g.body.includes('TASK_STATE_COMPLETED')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  t.ok(hook.got.length >= 2, `the webhook got ${hook.got.length} posts`);
  await new Promise((r) => setTimeout(r, 200));
  t.same(elsewhere.got, [], 'the redirect target got nothing');
  t.match(h.logs.join('\n'), /HTTP 307 \(a redirect, not followed\)/);
});
