/** Every security rule of issue 19, each with the attack it stops and a legal variation it lets through. */
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { checkTarget } from '../../serve/index.js';
import { startLoadServer } from '../helpers/load-server.js';
import { seedRequest, startHarness } from './helpers.js';

/** A server on another loopback address (127.0.0.2): the "third party" that must get no traffic. */
async function startForbidden() {
  const state = { requests: 0 };
  const server = createServer((_, res) => {
    state.requests += 1;
    res.end('third party');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.2:${port}`, port, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const load = (target: string, id: string, extra: Record<string, unknown> = {}) =>
  seedRequest(target, { requestId: id, taskType: 'execute_test', targetDetails: { url: target, apiEndpoints: [{ path: '/ok' }] }, ...extra });

t.test('authentication: no key, a malformed key, a wrong secret for a real key id and a revoked key are all 401', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const body = load('http://127.0.0.1:1', 'auth');
  const none = await fetch(`${h.service.url}/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.equal(none.status, 401);
  t.equal(none.headers.get('www-authenticate'), 'Bearer');
  t.equal((await h.call('POST', '/requests', body, { authorization: 'Bearer hunter2' })).status, 401);
  const forged = h.key.slice(0, -4) + (h.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  t.equal((await h.call('POST', '/requests', body, { authorization: `Bearer ${forged}` })).status, 401, 'the right key id with a wrong secret');
  t.equal((await h.call('GET', '/requests/x', undefined, { authorization: `Bearer ${forged}` })).status, 401, 'reads need the key too');
  t.equal((await h.call('GET', '/requests/x')).status, 404, 'the real key passes (and the request does not exist)');
  h.service.keys.revoke(h.keyId);
  t.equal((await h.call('GET', '/requests/x')).status, 401, 'a revoked key is refused');
  const stored = JSON.stringify(h.service.store.db.all('SELECT * FROM api_keys'));
  // agk_<hex id>_<secret>: the secret is base64url and may itself hold '_' (even start with one).
  const secret = h.key.split('_').slice(2).join('_');
  t.ok(secret.length >= 20, 'the secret part is found');
  t.notOk(stored.includes(h.key) || stored.includes(secret), 'the key is not stored, only its hash');
});

t.test("authorisation: a task type the key may not run and another agent's sourceAgentId are 403; another key's request is 404", async (t) => {
  const h = await startHarness({ key: { taskTypes: ['generate_script'], sourceAgentId: 'github_copilot_acme_corp' } });
  t.teardown(() => h.close());
  const denied = await h.call('POST', '/requests', load('http://127.0.0.1:1', 'tt'));
  t.equal(denied.status, 403);
  t.equal(denied.body.error.code, 'forbidden_task_type');
  t.same(denied.body.error.problems, [{ field: 'taskType', message: 'not allowed for this key' }]);
  const other = await h.call('POST', '/requests', { ...load('http://127.0.0.1:1', 'src'), taskType: 'generate_script', sourceAgentId: 'someone_else' });
  t.equal(other.status, 403);
  t.equal(other.body.error.code, 'forbidden_source');
  const allowed = await h.call('POST', '/requests', { ...load('http://127.0.0.1:1', 'ok'), taskType: 'generate_script' });
  t.equal(allowed.status, 202, 'the allowed task type from the right agent goes through');
  const second = h.service.keys.add({ name: 'b', taskTypes: ['generate_script'], targets: ['127.0.0.1'] });
  const peek = await h.call('GET', '/requests/ok', undefined, { authorization: `Bearer ${second.key}` });
  t.equal(peek.status, 404, "another key cannot see this key's request");
});

t.test('target allowlist: an address off the list, a name resolving off the list and a redirect off the list get no traffic', async (t) => {
  const allowed = await startLoadServer();
  const forbidden = await startForbidden();
  const redirector = await startLoadServer({
    '/ok': (_, res) => {
      res.statusCode = 302;
      res.setHeader('location', `${forbidden.url}/ok`);
      res.end();
    },
  });
  const h = await startHarness({ key: { targets: ['127.0.0.2/32'] } });
  const h2 = await startHarness({ key: { targets: ['127.0.0.1/32'] } });
  t.teardown(async () => {
    await h.close();
    await h2.close();
    await allowed.close();
    await forbidden.close();
    await redirector.close();
  });

  // 1. The key allows only 127.0.0.2 (the forbidden server stands in for an allowed one here): 127.0.0.1 is refused.
  const off = await h.call('POST', '/requests', load(allowed.url, 'off'));
  t.equal(off.status, 403);
  t.equal(off.body.error.code, 'target_not_allowed');
  t.match(off.body.error.message, /127\.0\.0\.1, not on this key's target allowlist/);
  // 2. A DNS name that resolves to an address off the list: localhost → 127.0.0.1.
  const byName = await h.call('POST', '/requests', load(`http://localhost:${new URL(allowed.url).port}`, 'name'));
  t.equal(byName.status, 403);
  t.match(byName.body.error.message, /localhost resolves to 127\.0\.0\.1, not on this key's target allowlist/);
  t.equal(allowed.requests, 0, 'nothing reached the refused target');
  // The legal variation: the same name, when its address is on the list, is allowed (and the load goes to the checked address).
  const named = await h2.call('POST', '/requests', load(`http://localhost:${new URL(allowed.url).port}`, 'named', { performanceParameters: { virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0 } }));
  t.equal(named.status, 202);
  t.equal((await h2.waitFor('named', ['completed', 'error'])).status, 'completed');
  t.ok(allowed.requests > 0, 'the allowed target got the load');

  // 3. A redirect off the list: the allowed target answers 302 to 127.0.0.2; the load does not follow it.
  const redirected = await h2.call('POST', '/requests', load(redirector.url, 'redirect', { performanceParameters: { virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0 } }));
  t.equal(redirected.status, 202);
  await h2.waitFor('redirect', ['completed', 'error']);
  const { report } = (await h2.call('GET', '/requests/redirect/result')).body.result;
  t.ok(redirector.requests > 0);
  t.equal(report.errors[0].class, 'http-status', 'a 302 is an error of the run, not a hop');
  t.equal(forbidden.state.requests, 0, 'the third party got no request');

  // 4. A callbackUrl off the list is refused too (it is traffic as well).
  const hook = await h2.call('POST', '/requests', { ...load(allowed.url, 'hook'), callbackUrl: `${forbidden.url}/hook` });
  t.equal(hook.status, 403);
  t.equal(hook.body.error.code, 'callback_not_allowed');
  t.equal(forbidden.state.requests, 0);
});

t.test('the allowlist check, on the production path, with a resolver that re-points a name (DNS rebinding)', async (t) => {
  let answers = 0;
  const rebinding = async () => (answers++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']);
  t.same(await checkTarget('http://rebind.test/', ['127.0.0.1/32'], rebinding), { ok: true, url: new URL('http://rebind.test/'), addresses: ['127.0.0.1'] });
  t.same(await checkTarget('http://rebind.test/', ['127.0.0.1/32'], rebinding), { ok: false, reason: "rebind.test resolves to 127.0.0.2, not on this key's target allowlist" });
  t.match(await checkTarget('http://mixed.test/', ['127.0.0.1/32'], async () => ['127.0.0.1', '10.0.0.1']), { ok: false, reason: /10\.0\.0\.1/ }, 'one forbidden address among allowed ones is refused');
  t.match(await checkTarget('http://[::ffff:127.0.0.2]/', ['127.0.0.1/32']), { ok: false }, 'an IPv4-mapped IPv6 address is judged as the IPv4 address');
  t.match(await checkTarget('http://[::ffff:127.0.0.1]/', ['127.0.0.1/32']), { ok: true });
  t.match(await checkTarget('file:///etc/passwd', ['127.0.0.1/32']), { ok: false, reason: /file: URLs are not allowed/ });
  t.match(await checkTarget('http://10.1.2.3/', ['10.0.0.0/8']), { ok: true }, 'CIDR ranges');

  // Through the service: allowed at submission, re-pointed before the run: refused before any traffic.
  const forbidden = await startForbidden();
  let lookups = 0;
  const h = await startHarness({ resolve: async () => (lookups++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
  t.teardown(async () => {
    await h.close();
    await forbidden.close();
  });
  const accepted = await h.call('POST', '/requests', load(`http://rebind.test:${forbidden.port}`, 'rebind'));
  t.equal(accepted.status, 202, 'the first answer was on the list');
  const ended = await h.waitFor('rebind', ['completed', 'error']);
  t.equal(ended.status, 'error');
  t.match(ended.error, /target refused: rebind.test resolves to 127\.0\.0\.2/);
  t.equal(forbidden.state.requests, 0, 'the re-pointed name got no traffic');
});

t.test('size caps: an oversized body is 413; users and duration over the caps are 422 naming the field', async (t) => {
  const h = await startHarness({ caps: { maxBodyBytes: 4096, maxUsers: 5, maxDurationSeconds: 10 } });
  t.teardown(() => h.close());
  const big = await h.call('POST', '/requests', { ...load('http://127.0.0.1:1', 'big'), taskDescription: 'x'.repeat(5000) });
  t.equal(big.status, 413);
  t.equal(big.body.error.code, 'body_too_large');
  const over = await h.call('POST', '/requests', load('http://127.0.0.1:1', 'over', { performanceParameters: { virtualUsers: 6, durationSeconds: 11, rampUpSeconds: 0 } }));
  t.equal(over.status, 422);
  t.same(over.body.error.problems.map((p: { field: string }) => p.field), ['performanceParameters.virtualUsers', 'performanceParameters.durationMinutes']);
  const seed = await h.call('POST', '/requests', { ...seedRequest('http://127.0.0.1:1'), performanceParameters: { virtualUsers: 200, durationMinutes: 30, rampUpSeconds: 300 } });
  t.equal(seed.status, 422, "the seed's own 200 users for 30 minutes is over these caps");
  const within = await h.call('POST', '/requests', { ...load('http://127.0.0.1:1', 'within', { performanceParameters: { virtualUsers: 5, durationSeconds: 10, rampUpSeconds: 0 } }), taskType: 'generate_script' });
  t.equal(within.status, 202, 'at the caps is allowed');
});

t.test('schema validation names the field; non-JSON and the wrong media type are refused', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const bad = await h.call('POST', '/requests', { ...load('http://127.0.0.1:1', 'schema'), taskType: 'delete_everything', performanceParameters: { virtualUsers: '10' }, colour: 'red' });
  t.equal(bad.status, 400);
  const fields = bad.body.error.problems.map((p: { field: string; message: string }) => `${p.field} ${p.message}`);
  t.ok(fields.includes('colour is not a known field'), fields.join('; '));
  t.ok(fields.some((f: string) => f.startsWith('taskType must be one of generate_script')));
  t.ok(fields.includes('performanceParameters.virtualUsers must be integer'));
  const missing = await h.call('POST', '/requests', { requestId: 'm', taskType: 'generate_script' });
  t.same(missing.body.error.problems.map((p: { field: string }) => p.field).sort(), ['sourceAgentId', 'taskDescription']);
  t.equal((await h.call('POST', '/requests', '{"requestId": ', { 'content-type': 'application/json' })).status, 400);
  t.equal((await h.call('POST', '/requests', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
});

t.test('a flood is cut off with 429 and Retry-After; another key is not affected', async (t) => {
  const h = await startHarness({ key: { ratePerMinute: 5 } });
  t.teardown(() => h.close());
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 8; i++) {
    const r = await h.call('GET', '/requests/nothing');
    statuses.push(r.status);
    if (r.status === 429) retryAfter ??= r.headers.get('retry-after');
  }
  t.same(statuses, [404, 404, 404, 404, 404, 429, 429, 429], 'five a minute, then refused');
  t.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 12, `Retry-After ${retryAfter} s: when the next token is there`);
  const other = h.service.keys.add({ name: 'other', taskTypes: ['generate_script'], targets: ['127.0.0.1'], ratePerMinute: 5 });
  t.equal((await h.call('GET', '/requests/nothing', undefined, { authorization: `Bearer ${other.key}` })).status, 404, 'the limit is per key');
});

t.test('injection in taskDescription never reaches a shell, and a JMeter function is refused', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const marker = join(h.dir, 'pwned');
  const description = `Test http://127.0.0.1:1/ok with 2 users for 1 minute; $(touch ${marker}) \`touch ${marker}\` && touch ${marker} | sh -c "touch ${marker}" <script>alert(1)</script> GET /a?x=<b>&y='1'`;
  const accepted = await h.call('POST', '/requests', { requestId: 'inj', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: description });
  t.equal(accepted.status, 202);
  const done = await h.waitFor('inj', ['completed', 'error', 'input_required']);
  t.equal(done.status, 'completed', JSON.stringify(done));
  const { jmx, plan } = (await h.call('GET', '/requests/inj/result')).body.result;
  t.same(plan.endpoints, [{ method: 'GET', path: "/a?x=" }], 'the path stops at the first character that cannot be in one');
  t.notOk(existsSync(marker), 'no shell ran any of it');
  t.notMatch(jmx, /<script>|<b>/, 'nothing of the text lands in the JMX unescaped');

  const viaText = await h.call('POST', '/requests', { requestId: 'fn0', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: `GET /x?q=\${__exec(touch ${marker})} on http://127.0.0.1:1 with 2 users for 1 minute` });
  t.equal(viaText.status, 202);
  await h.waitFor('fn0', ['completed']);
  const parsed = (await h.call('GET', '/requests/fn0/result')).body.result;
  t.same(parsed.plan.endpoints, [{ method: 'GET', path: '/x?q=$' }], 'the parser does not take a "{" into a path');
  t.notMatch(parsed.jmx, /__exec/);
  const fn = await h.call('POST', '/requests', { ...load('http://127.0.0.1:1', 'fn'), taskType: 'generate_script', targetDetails: { url: 'http://127.0.0.1:1', apiEndpoints: [{ path: '/x?q=${__exec(id)}' }] } });
  t.equal(fn.status, 422, 'a ${…} JMeter would evaluate is refused');
  t.match(fn.body.error.message, /targetDetails.apiEndpoints\[0\].path contains "\$\{", which JMeter evaluates as a function call/);
  const header = await h.call('POST', '/requests', { ...load('http://127.0.0.1:1', 'fnh'), taskType: 'generate_script', targetDetails: { url: 'http://127.0.0.1:1', apiEndpoints: [{ path: '/ok', headers: { 'X-Q': '${__groovy(1)}' } }] } });
  t.equal(header.status, 422);
  t.notOk(existsSync(marker));
});

t.test('secrets for the target reach the target and nowhere else: not in status, result, callbacks, logs or the JMX', async (t) => {
  const seen: IncomingHttpHeaders[] = [];
  const target = await startLoadServer({ '/ok': (req, res) => (seen.push(req.headers), res.end('ok')) });
  const hooks: string[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => (hooks.push(body), res.end()));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });
  const secret = 'Bearer s3cret-target-token-9f8e7d';
  const apiKey = 'k3y-0f-the-target-1a2b';
  await h.call('POST', '/requests', {
    ...load(target.url, 'sec', { performanceParameters: { virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0 } }),
    taskType: 'generate_and_execute',
    targetDetails: { url: target.url, apiEndpoints: [{ path: '/ok', headers: { Authorization: secret, 'X-Api-Key': apiKey, Accept: 'text/plain' } }] },
    callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
  });
  await h.waitFor('sec', ['completed', 'error']);
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.ok(seen.length > 0 && seen.every((headers) => headers['authorization'] === secret && headers['x-api-key'] === apiKey), 'the target got the credentials');
  t.ok(seen.every((headers) => headers['host'] === new URL(target.url).host), 'and the Host it was addressed by');
  const outputs = JSON.stringify([await h.call('GET', '/requests/sec'), await h.call('GET', '/requests/sec/result'), hooks, h.logs]);
  t.ok(hooks.length > 0 && h.logs.length > 0);
  t.notOk(outputs.includes('s3cret-target-token') || outputs.includes(apiKey), 'no output carries them');
  t.notOk(outputs.includes(h.key) || outputs.includes(h.signingSecret), 'nor the API key or the signing secret');
  t.match(outputs, /\[redacted\]/);
  const { jmx } = (await h.call('GET', '/requests/sec/result')).body.result;
  t.match(jmx, /<stringProp name="Header.value">\$\{__P\(agtest.header.authorization,\)\}<\/stringProp>/, 'the JMX reads them from JMeter properties');
  t.match(jmx, /<stringProp name="Header.value">text\/plain<\/stringProp>/, 'a header that is no secret stays as it is');
});
