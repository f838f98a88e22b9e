import t from 'tap';
import { startReferenceAgent } from '../../reference-agent/index.js';
import { ofType, startHarness } from './helpers.js';

t.test('unknown action 501, bad bodies 400, GET 405', async (t) => {
  const h = await startHarness(t);
  const unknown = await h.act('dance');
  t.equal(unknown.status, 501);
  t.same(unknown.body, { error: 'action not supported: dance' });
  const raw = (body: string) => fetch(h.agent.backchannel, { method: 'POST', body });
  for (const body of ['{oops', 'null', '[]', '{"params":{}}', '{"action":"setup","params":[]}']) {
    const response = await raw(body);
    t.equal(response.status, 400, body);
    t.type(((await response.json()) as { error?: unknown }).error, 'string');
  }
  t.equal((await fetch(h.agent.backchannel)).status, 405);
  t.equal((await h.act('setup', { endpoint: 'not a url' })).status, 400, 'setup needs a URL endpoint');
  t.equal((await h.act('send-message', {})).status, 400, 'send-message needs content');
});

t.test('send-message sends a basicmessage with content, UTC sent_time and ~l10n', async (t) => {
  const h = await startHarness(t);
  const { status, body } = await h.act('send-message', { content: 'Hello, Bob' });
  t.equal(status, 200);
  const message = await h.peer.next();
  t.match(message, { '@type': 'https://didcomm.org/basicmessage/1.0/message', '@id': body['id'], content: 'Hello, Bob', '~l10n': { locale: 'en' } });
  t.match(message['sent_time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

t.test('send-ping and send-query build the right messages', async (t) => {
  const h = await startHarness(t);
  await h.act('send-ping', { response_requested: false, comment: 'c' });
  t.match(await h.peer.next(ofType('/ping')), { '@type': 'https://didcomm.org/trust_ping/1.0/ping', response_requested: false, comment: 'c' });
  await h.act('send-ping');
  t.match(await h.peer.next(ofType('/ping')), { response_requested: true });
  await h.act('send-query');
  t.match(await h.peer.next(), { '@type': 'https://didcomm.org/discover-features/1.0/query', query: '*' });
  await h.act('send-query', { query: 'https://didcomm.org/trust_ping/*' });
  t.match(await h.peer.next(), { query: 'https://didcomm.org/trust_ping/*' });
});

t.test('send-* without a reachable peer answers 502; teardown forgets the peer', async (t) => {
  const h = await startHarness(t);
  t.same((await h.act('teardown')).body, {});
  const noPeer = await h.act('send-ping');
  t.equal(noPeer.status, 502);
  t.match(noPeer.body['error'], /no peer/);
  await h.act('setup', { endpoint: 'http://127.0.0.1:9/' });
  t.equal((await h.act('send-message', { content: 'x' })).status, 502, 'unreachable peer');
  t.ok(h.logs.some((line) => line.includes('could not send')), 'the failure is logged');
});

t.test('an unknown fault is refused with a stable code', async (t) => {
  await t.rejects(startReferenceAgent({ faults: ['nope'] }), { code: 'UNKNOWN_FAULT', message: /unknown fault\(s\): nope/ });
});
