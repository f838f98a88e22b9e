// The A2A adapter against a real HTTP server on 127.0.0.1: requests out of the outbox, answers
// (plain and SSE) into the inbox as records naming their request, push POSTs in, and every way a
// request can fail reported, never lost.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import t from 'tap';
import { createA2aAdapter, type AdapterEvent, type A2aInboxRecord } from '../../adapters/index.js';
import { createMessageWriter, watchMessages } from '../../agtalk/index.js';
import { waitFor, withTempDir } from '../adapters/helpers/wait.js';

async function startPeer(): Promise<{ server: Server; url: string; seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] }> {
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.url === '/stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"n":1}\n\n');
        response.write('event: update\nid: 2\ndata: {"n":2}\n\n');
        setTimeout(() => response.end('data: {"n":3}\n\n'), 30);
        return;
      }
      if (request.url === '/stream-forever') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"n":1}\n\n');
        return;
      }
      response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-probe': 'yes' }).end(JSON.stringify({ echo: body, method: request.method }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, seen };
}

t.test('requests go out in order; plain, SSE, failed and push answers come back as records', async (t) => {
  const peer = await startPeer();
  t.teardown(() => new Promise<void>((resolve) => peer.server.close(() => resolve())));
  await withTempDir(async (dir) => {
    const outbox = join(dir, 'outbox');
    const inbox = join(dir, 'inbox');
    const events: AdapterEvent[] = [];
    const adapter = createA2aAdapter({ streamTimeoutMs: 300, timeoutMs: 2000 });
    const { endpoint } = await adapter.start({ outbox, inbox, target: peer.url, log: () => undefined, emit: (e) => events.push(e), fatal: (e) => t.fail(String(e)) });
    t.teardown(() => adapter.stop());
    const records: (A2aInboxRecord & { file: string })[] = [];
    const reader = await watchMessages(inbox, { onMessage: (file) => void records.push({ ...(file.json as A2aInboxRecord), file: file.name }) });
    t.teardown(() => reader.close());
    const writer = await createMessageWriter(outbox);
    const send = async (value: unknown) => (await writer.write(typeof value === 'string' ? value : JSON.stringify(value), 'json')).name;

    const rpc = await send({ http: { method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', 'A2A-Version': '1.0' } }, body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    const card = await send({ http: { method: 'GET', url: `${peer.url}/.well-known/agent-card.json` } });
    const missing = await send({ http: { method: 'GET', url: '/missing' } });
    const stream = await send({ http: { method: 'POST', url: '/stream' }, body: '{}' });
    const forever = await send({ http: { method: 'POST', url: '/stream-forever' }, body: '{}' });
    const garbage = await send('not json at all');
    const badScheme = await send({ http: { method: 'GET', url: 'file:///etc/passwd' } });
    const unreachable = await send({ http: { method: 'GET', url: 'http://127.0.0.1:1/' } });
    const pushed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${endpoint}hook?x=1`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-a2a-notification-token': 'tok' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"statusUpdate":{"taskId":"t1"}}');
    });
    t.equal(pushed, 200, 'the push endpoint acknowledges once the POST is in the inbox');

    await waitFor('every request answered', () => records.filter((r) => r.a2a === 'response' || r.a2a === 'failed').length >= 8 && records.filter((r) => r.a2a === 'stream-end').length >= 2);
    const of = (request: string) => records.filter((r) => 'request' in r && r.request === request);
    t.same(peer.seen.map((s) => s.url), ['/rpc', '/.well-known/agent-card.json', '/missing', '/stream', '/stream-forever'], 'sent in ordinal order; bad requests never reach the peer');
    t.equal(peer.seen[0]!.body, '{"jsonrpc": "2.0", "id": 1, "method": ', 'a malformed body is sent byte for byte');
    t.equal(peer.seen[0]!.headers['a2a-version'], '1.0', 'request headers are sent');
    const rpcAnswer = of(rpc)[0] as Extract<A2aInboxRecord, { a2a: 'response' }>;
    t.equal(rpcAnswer.status, 200);
    t.equal(rpcAnswer.headers['x-probe'], 'yes', 'response headers are kept');
    t.match(JSON.parse(rpcAnswer.body), { method: 'POST' });
    t.match(of(card)[0], { a2a: 'response', status: 200 }, 'an absolute URL is used as given');
    t.match(of(missing)[0], { a2a: 'response', status: 404 }, 'a 404 is an answer, not a failure');
    const streamed = of(stream);
    t.match(streamed[0], { a2a: 'response', stream: true, status: 200 }, 'the stream opens with its headers');
    t.same(streamed.filter((r) => r.a2a === 'event').map((r) => (r as { data: string }).data), ['{"n":1}', '{"n":2}', '{"n":3}'], 'one record per SSE event, in order');
    t.match(streamed.find((r) => r.a2a === 'event' && r.seq === 2), { event: 'update', id: '2' }, 'event name and id are kept');
    t.match(streamed.at(-1), { a2a: 'stream-end', reason: 'closed', events: 3 });
    t.match(of(forever).at(-1), { a2a: 'stream-end', reason: 'timeout', events: 1 }, 'a stream that never ends is closed and said so');
    t.match(of(garbage)[0], { a2a: 'failed', reason: /not an A2A request file/ });
    t.match(of(badScheme)[0], { a2a: 'failed', reason: /must be http\(s\)/ });
    t.match(of(unreachable)[0], { a2a: 'failed', reason: /ECONNREFUSED/ });
    t.match(records.find((r) => r.a2a === 'push'), { a2a: 'push', method: 'POST', path: '/hook?x=1', body: '{"statusUpdate":{"taskId":"t1"}}', headers: { 'x-a2a-notification-token': 'tok' } });
    t.same(events.filter((e) => e.type === 'undeliverable').map((e) => (e as { file: string }).file).sort(), [garbage, badScheme, unreachable].sort(), 'each failure is also an undeliverable event');
    t.same(await readdir(outbox).then((names) => names.filter((n) => !n.startsWith('.'))), [], 'every request file is gone from the outbox once handled');
  });
});

t.test('a target that is not an http(s) URL is refused at start', async (t) => {
  await withTempDir(async (dir) => {
    const adapter = createA2aAdapter();
    await t.rejects(adapter.start({ outbox: join(dir, 'o'), inbox: join(dir, 'i'), target: 'ws://127.0.0.1:1', log: () => undefined, emit: () => undefined, fatal: () => undefined }), { code: 'ADAPTER_INVALID_OPTION' });
  });
});

t.test('credentials: added to requests to the target origin only, a header the request sets itself wins, the record names them without values', async (t) => {
  const agent = await startPeer();
  const elsewhere = await startPeer();
  t.teardown(() => Promise.all([agent, elsewhere].map((peer) => new Promise<void>((resolve) => peer.server.close(() => resolve())))));
  await withTempDir(async (dir) => {
    const outbox = join(dir, 'outbox');
    const inbox = join(dir, 'inbox');
    const secret = 'Bearer s3cret-credential-value';
    const adapter = createA2aAdapter({ timeoutMs: 2000, credentials: { Authorization: secret, 'X-Api-Key': 'k3y-value' } });
    await adapter.start({ outbox, inbox, target: `${agent.url}/.well-known/agent-card.json`, log: () => undefined, emit: () => undefined, fatal: (e) => t.fail(String(e)) });
    t.teardown(() => adapter.stop());
    const records: A2aInboxRecord[] = [];
    const reader = await watchMessages(inbox, { onMessage: (file) => void records.push(file.json as A2aInboxRecord) });
    t.teardown(() => reader.close());
    const writer = await createMessageWriter(outbox);
    await writer.write(JSON.stringify({ http: { method: 'POST', url: `${agent.url}/a2a` }, body: '{}' }), 'json');
    await writer.write(JSON.stringify({ http: { method: 'POST', url: `${agent.url}/own`, headers: { authorization: 'Bearer the-test-own' } }, body: '{}' }), 'json');
    await writer.write(JSON.stringify({ http: { method: 'POST', url: `${elsewhere.url}/a2a` }, body: '{}' }), 'json');
    await waitFor('three responses', () => records.filter((r) => r.a2a === 'response').length === 3, 5000);
    const [sent, own] = agent.seen;
    t.equal(sent?.headers['authorization'], secret, 'the target origin gets the credentials');
    t.equal(sent?.headers['x-api-key'], 'k3y-value');
    t.equal(own?.headers['authorization'], 'Bearer the-test-own', "a request's own Authorization is kept");
    t.equal(own?.headers['x-api-key'], 'k3y-value', 'the other credential is still added');
    t.equal(elsewhere.seen[0]?.headers['authorization'], undefined, 'another origin gets no credentials');
    t.equal(elsewhere.seen[0]?.headers['x-api-key'], undefined);
    const responses = records.filter((r): r is Extract<A2aInboxRecord, { a2a: 'response' }> => r.a2a === 'response');
    t.same(responses.map((r) => r.credentials), [['authorization', 'x-api-key'], ['x-api-key'], []], 'each record names the headers added to its request');
    t.notMatch(JSON.stringify(records), /s3cret|k3y-value/, 'no value in any record');
  });
});

t.test('credentials from the environment: read once, removed from it, refused when malformed', async (t) => {
  const { takeCredentialsFromEnv, A2A_CREDENTIALS_ENV } = await import('../../adapters/a2a/a2a-adapter.js');
  const env: NodeJS.ProcessEnv = { [A2A_CREDENTIALS_ENV]: JSON.stringify({ Authorization: 'Bearer x' }) };
  t.same(takeCredentialsFromEnv(env), { Authorization: 'Bearer x' });
  t.equal(env[A2A_CREDENTIALS_ENV], undefined, 'gone from the environment, so nothing the adapter starts inherits it');
  t.equal(takeCredentialsFromEnv({}), undefined);
  t.throws(() => takeCredentialsFromEnv({ [A2A_CREDENTIALS_ENV]: '{"Authorization": 1}' }), /JSON object of header names to string values/);
  t.throws(() => takeCredentialsFromEnv({ [A2A_CREDENTIALS_ENV]: 'Bearer x' }), /it is not JSON/);
});

t.test('429 with a short Retry-After is waited out and the request sent again (reported as retrying); a long one is the answer', async (t) => {
  let calls = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls += 1;
      if (request.url === '/long') return void response.writeHead(429, { 'retry-after': '3600', 'content-type': 'application/json' }).end('{"error":"slow down"}');
      if (calls <= 2) return void response.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"error":"slow down"}');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await withTempDir(async (dir) => {
    const events: AdapterEvent[] = [];
    const adapter = createA2aAdapter({ timeoutMs: 2000 });
    await adapter.start({ outbox: join(dir, 'outbox'), inbox: join(dir, 'inbox'), target: url, log: () => undefined, emit: (e) => events.push(e), fatal: (e) => t.fail(String(e)) });
    t.teardown(() => adapter.stop());
    const records: A2aInboxRecord[] = [];
    const reader = await watchMessages(join(dir, 'inbox'), { onMessage: (file) => void records.push(file.json as A2aInboxRecord) });
    t.teardown(() => reader.close());
    const writer = await createMessageWriter(join(dir, 'outbox'));
    await writer.write(JSON.stringify({ http: { method: 'POST', url: '/a2a' }, body: '{}' }), 'json');
    await writer.write(JSON.stringify({ http: { method: 'POST', url: '/long' }, body: '{}' }), 'json');
    await waitFor('two responses', () => records.filter((r) => r.a2a === 'response').length === 2, 5000);
    const statuses = records.flatMap((r) => (r.a2a === 'response' ? [r.status] : []));
    t.same(statuses, [200, 429], 'the first answered after two 429s; the one asking for an hour gets its 429 as the answer');
    t.equal(calls, 4, 'three sends of the first request, one of the second');
    t.same(events.filter((e) => e.type === 'retrying').map((e) => (e.type === 'retrying' ? [e.status, e.attempt] : [])), [[429, 1], [429, 2]]);
  });
});
