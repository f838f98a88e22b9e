import t from 'tap';
import { randomUUID } from 'node:crypto';
import { ofType, ping, sleep, startHarness, thid, type Message } from './helpers.js';

const PROBLEM = 'https://didcomm.org/report-problem/1.0/problem-report';
const DISCLOSE = 'https://didcomm.org/discover-features/1.0/disclose';
const ALL_PIDS = ['https://didcomm.org/trust_ping/1.0', 'https://didcomm.org/basicmessage/1.0', 'https://didcomm.org/discover-features/1.0'];

t.test('a ping gets a ping_response threaded to it; the ping is recorded', async (t) => {
  const h = await startHarness(t);
  const message = ping({ response_requested: true, comment: 'hi' });
  t.equal((await h.deliver(message)).status, 202);
  const response = await h.peer.next();
  t.equal(response['@type'], 'https://didcomm.org/trust_ping/1.0/ping_response');
  t.equal(thid(response), message['@id']);
  t.match(response['@id'], /^[0-9a-f-]{36}$/);
  const { body } = await h.act('received', { type: 'https://didcomm.org/trust_ping/1.0/ping' });
  t.same(body['messages'], [message]);
});

t.test('response_requested absent means yes; false means no answer', async (t) => {
  const h = await startHarness(t);
  const absent = ping();
  await h.deliver(absent);
  t.equal(thid(await h.peer.next()), absent['@id']);
  await h.deliver(ping({ response_requested: false }));
  await sleep(300);
  t.equal(h.peer.messages.length, 1, 'nothing more within 300 ms');
});

t.test('newer minor, legacy prefix and unknown fields are handled as 1.0', async (t) => {
  const h = await startHarness(t);
  const newer = ping({ extra_field: 1, '@extra': 'x' }, '1.9');
  await h.deliver(newer);
  t.equal(thid(await h.peer.next()), newer['@id']);
  const legacy: Message = { ...ping(), '@type': 'did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/trust_ping/1.0/ping' };
  await h.deliver(legacy);
  t.equal(thid(await h.peer.next()), legacy['@id']);
});

t.test('return_route "all" puts the reply in the HTTP response', async (t) => {
  const h = await startHarness(t);
  const message = ping({ '~transport': { return_route: 'all' } });
  const response = await h.deliver(message);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^application\/json/);
  const reply = (await response.json()) as Record<string, unknown>;
  t.equal(thid(reply), message['@id']);
  const silent = await h.deliver(ping({ response_requested: false, '~transport': { return_route: 'all' } }));
  t.equal(silent.status, 202, 'no reply: 202');
  t.equal(await silent.text(), '');
  await sleep(100);
  t.equal(h.peer.messages.length, 0, 'nothing POSTed to the peer');
});

t.test('a different major version gets version-not-supported; an unknown type unsupported-message-type', async (t) => {
  const h = await startHarness(t);
  const v2 = ping({}, '2.0');
  await h.deliver(v2);
  const report = await h.peer.next();
  t.match(report, { '@type': PROBLEM, '~thread': { thid: v2['@id'] }, description: { code: 'version-not-supported', en: String } });
  const unknown = { '@type': 'https://didcomm.org/no-such-family/1.0/thing', '@id': randomUUID() };
  await h.deliver(unknown);
  t.match(await h.peer.next(), { '@type': PROBLEM, '~thread': { thid: unknown['@id'] }, description: { code: 'unsupported-message-type' } });
  const unknownName = { '@type': 'https://didcomm.org/trust_ping/1.0/pong', '@id': randomUUID() };
  await h.deliver(unknownName);
  t.match(await h.peer.next(), { description: { code: 'unsupported-message-type' } });
  // A problem-report it cannot read is not answered: two agents must not trade them forever.
  await h.deliver({ '@type': 'https://didcomm.org/report-problem/2.0/problem-report', '@id': randomUUID() });
  await h.deliver(ping());
  t.match(await h.peer.next(), { '@type': 'https://didcomm.org/trust_ping/1.0/ping_response' }, 'the next reply is the ping_response');
});

t.test('discover-features: *, prefix wildcard, exact, unknown, missing query', async (t) => {
  const h = await startHarness(t);
  const ask = async (query?: string) => {
    const message = { '@type': 'https://didcomm.org/discover-features/1.0/query', '@id': randomUUID(), ...(query === undefined ? {} : { query }) };
    await h.deliver(message);
    const reply = await h.peer.next();
    t.equal(thid(reply), message['@id'], `thid for ${query}`);
    return reply;
  };
  const pids = (m: Record<string, unknown>) => (m['protocols'] as { pid: string }[]).map((p) => p.pid);
  const all = await ask('*');
  t.equal(all['@type'], DISCLOSE);
  t.same(pids(all), ALL_PIDS);
  t.same(pids(await ask('https://didcomm.org/trust_ping/*')), [ALL_PIDS[0]]);
  t.same(pids(await ask('did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/basicmessage/1.0')), [ALL_PIDS[1]]);
  t.same(pids(await ask('https://didcomm.org/no-such-protocol/1.0')), []);
  t.match(await ask(undefined), { '@type': PROBLEM, description: { code: 'invalid-message' } });
});

t.test('received keeps what arrived since setup, filtered by type (any minor, either prefix)', async (t) => {
  const h = await startHarness(t);
  const basic = { '@type': 'https://didcomm.org/basicmessage/1.1/message', '@id': randomUUID(), content: 'hello', sent_time: new Date().toISOString() };
  await h.deliver(basic);
  const sent = await h.act('send-ping');
  t.equal(sent.status, 200);
  const outgoing = await h.peer.next(ofType('/ping'));
  t.equal(sent.body['id'], outgoing['@id']);
  const pong = { '@type': 'https://didcomm.org/trust_ping/1.0/ping_response', '@id': randomUUID(), '~thread': { thid: outgoing['@id'] } };
  await h.deliver(pong);
  const legacyFilter = await h.act('received', { type: 'did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/basicmessage/1.0/message' });
  t.same(legacyFilter.body, { messages: [basic] });
  t.same((await h.act('received', { type: 'https://didcomm.org/trust_ping/1.0/ping_response' })).body, { messages: [pong] });
  t.same((await h.act('received')).body, { messages: [basic, pong] });
  await h.act('setup', { endpoint: h.peer.endpoint });
  t.same((await h.act('received')).body, { messages: [] }, 'setup resets the log');
});

t.test('inbound HTTP: 405, 400, 413, and any content type', async (t) => {
  const h = await startHarness(t);
  t.equal((await fetch(h.agent.endpoint)).status, 405);
  const post = (body: string, type = 'application/json') => fetch(h.agent.endpoint, { method: 'POST', headers: { 'content-type': type }, body });
  const notJson = await post('{nope');
  t.equal(notJson.status, 400);
  t.match(await notJson.text(), /not JSON/);
  t.equal((await post(JSON.stringify({ '@type': 'x' }))).status, 400, 'no @id');
  t.equal((await post('[1]')).status, 400, 'not an object');
  t.equal((await post('x'.repeat(1024 * 1024 + 1))).status, 413);
  t.equal((await post(JSON.stringify(ping({ response_requested: false })), 'application/didcomm-plain+json')).status, 202);
  t.equal((await post(JSON.stringify(ping({ response_requested: false })), 'text/plain')).status, 202);
  t.ok(h.logs.some((line) => line.includes('inbound 400')), 'rejections are logged');
});
