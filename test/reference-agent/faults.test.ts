import t from 'tap';
import { randomUUID } from 'node:crypto';
import { FAULTS } from '../../reference-agent/index.js';
import { ofType, ping, sleep, startHarness, thid } from './helpers.js';

t.test('every fault has a one-line description', async (t) => {
  for (const [name, description] of Object.entries(FAULTS)) t.match(description, /^[^\n]+$/, name);
});

t.test('wrong-thid: the ping_response is threaded to something else', async (t) => {
  const h = await startHarness(t, ['wrong-thid']);
  const message = ping();
  await h.deliver(message);
  const response = await h.peer.next();
  t.equal(response['@type'], 'https://didcomm.org/trust_ping/1.0/ping_response');
  t.not(thid(response), message['@id']);
});

t.test('legacy-prefix: every message sent uses did:sov:...;spec/', async (t) => {
  const h = await startHarness(t, ['legacy-prefix']);
  await h.deliver(ping());
  await h.act('send-message', { content: 'x' });
  const types = [(await h.peer.next(ofType('/ping_response')))['@type'], (await h.peer.next(ofType('/message')))['@type']];
  t.same(types, ['did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/trust_ping/1.0/ping_response', 'did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/basicmessage/1.0/message']);
});

t.test('crash-on-unknown-major: wedged after a 2.0 message until the next setup', async (t) => {
  const h = await startHarness(t, ['crash-on-unknown-major']);
  await h.deliver(ping({}, '2.0'));
  t.match(await h.peer.next(), { description: { code: 'version-not-supported' } });
  t.equal((await h.deliver(ping())).status, 202, 'still answers HTTP');
  await sleep(200);
  t.equal(h.peer.messages.length, 1, 'but no ping_response');
  await h.act('setup', { endpoint: h.peer.endpoint });
  const after = ping();
  await h.deliver(after);
  t.equal(thid(await h.peer.next()), after['@id'], 'setup unwedges it');
});

t.test('wrong-major-handling answers a 2.0 ping as if it were 1.0', async (t) => {
  const h = await startHarness(t, ['wrong-major-handling']);
  await h.deliver(ping({}, '2.0'));
  t.match(await h.peer.next(), { '@type': 'https://didcomm.org/trust_ping/1.0/ping_response' });
});

t.test('drop faults: uuid-only-ids, reject-unknown-fields, reject-newer-minor', async (t) => {
  for (const [fault, message] of [
    ['uuid-only-ids', ping({ '@id': 'not-a-uuid-but-valid' })],
    ['reject-unknown-fields', ping({ extra: true })],
    ['reject-newer-minor', ping({}, '1.1')],
  ] as const) {
    await t.test(fault, async (t) => {
      const h = await startHarness(t, [fault]);
      t.equal((await h.deliver(message)).status, 202);
      const ok = ping({ '~timing': { out_time: new Date().toISOString() } });
      await h.deliver(ok);
      t.equal(thid(await h.peer.next()), ok['@id'], 'the first is dropped, a plain ping answered');
      t.ok(h.logs.some((line) => line.includes(`fault ${fault}`)), 'the drop is logged');
    });
  }
});

t.test('response_requested faults', async (t) => {
  const pong = await startHarness(t, ['pong-when-not-requested']);
  await pong.deliver(ping({ response_requested: false }));
  t.ok(await pong.peer.next(), 'pong-when-not-requested answers anyway');
  const silent = await startHarness(t, ['silent-when-absent']);
  await silent.deliver(ping());
  await silent.deliver(ping({ response_requested: true }));
  await sleep(150);
  t.equal(silent.peer.messages.length, 1, 'silent-when-absent answers only the explicit request');
});

t.test('sending faults', async (t) => {
  const h = await startHarness(t, ['malformed-ping', 'wrong-content', 'bad-sent-time', 'no-l10n', 'malformed-query']);
  await h.act('send-ping');
  t.notOk('@id' in (await h.peer.next()), 'malformed-ping');
  await h.act('send-message', { content: 'abc' });
  const message = await h.peer.next();
  t.not(message['content'], 'abc', 'wrong-content');
  t.match(message['sent_time'], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'bad-sent-time');
  t.notOk('~l10n' in message, 'no-l10n');
  await h.act('send-query');
  t.notOk('query' in (await h.peer.next()), 'malformed-query');
});

t.test('recording and disclose faults', async (t) => {
  const h = await startHarness(t, ['ignore-ping-response', 'drop-basicmessage', 'no-disclose', 'disclose-wrong-thid']);
  await h.deliver({ '@type': 'https://didcomm.org/trust_ping/1.0/ping_response', '@id': randomUUID(), '~thread': { thid: randomUUID() } });
  await h.deliver({ '@type': 'https://didcomm.org/basicmessage/1.0/message', '@id': randomUUID(), content: 'x', sent_time: new Date().toISOString() });
  t.same((await h.act('received')).body, { messages: [] });
  const query = { '@type': 'https://didcomm.org/discover-features/1.0/query', '@id': randomUUID(), query: '*' };
  await h.deliver(query);
  const disclose = await h.peer.next();
  t.not(thid(disclose), query['@id'], 'disclose-wrong-thid');
  t.same(disclose['protocols'], [{ pid: 'https://didcomm.org/trust_ping/1.0' }, { pid: 'https://didcomm.org/discover-features/1.0' }], 'no-disclose');

  const nonempty = await startHarness(t, ['disclose-unknown-nonempty']);
  await nonempty.deliver({ ...query, '@id': randomUUID(), query: 'https://didcomm.org/no-such/1.0' });
  t.equal(((await nonempty.peer.next())['protocols'] as unknown[]).length, 3, 'disclose-unknown-nonempty');
});
