// The reference agent's RFC 0019 side, over real HTTP: what the envelope suites rely on.
import t from 'tap';
import { createKeyPair, packRfc0019, unpackRfc0019, verkeyToDidKey, type Rfc0019Envelope } from '../../envelopes/index.js';
import { ofType, ping, startHarness, thid, type Harness } from './helpers.js';

const me = await createKeyPair();
const stranger = await createKeyPair();

async function withKeys(h: Harness): Promise<string> {
  const setup = await h.act('setup', { endpoint: h.peer.endpoint, transport: 'http', verkey: me.verkey });
  const verkey = setup.body['verkey'] as string;
  return verkey;
}

const post = (h: Harness, envelope: object) =>
  fetch(h.agent.endpoint, { method: 'POST', headers: { 'content-type': 'application/didcomm-envelope-enc' }, body: JSON.stringify(envelope) });

t.test('setup exchanges keys: it takes agtest verkey and prints its own, and refuses a bad one', async (t) => {
  const h = await startHarness(t);
  const setup = await h.act('setup', { endpoint: h.peer.endpoint, transport: 'http', verkey: me.verkey });
  t.equal(setup.status, 200);
  t.match(setup.body, { verkey: /^[1-9A-HJ-NP-Za-km-z]{43,44}$/ });
  t.equal(setup.body['did'], verkeyToDidKey(setup.body['verkey'] as string));
  const bad = await h.act('setup', { endpoint: h.peer.endpoint, transport: 'http', verkey: 'not-a-key' });
  t.equal(bad.status, 400);
  t.match(bad.body['error'], /setup params\.verkey: verkey "not-a-key" is not base58/);
});

t.test('an Authcrypt ping with return route is answered in the HTTP response, Authcrypt from the agent to the sender', async (t) => {
  const h = await startHarness(t);
  const agentKey = await withKeys(h);
  const message = ping({ response_requested: true, '~transport': { return_route: 'all' } });
  const response = await post(h, packRfc0019(JSON.stringify(message), [agentKey], me));
  t.equal(response.status, 200);
  t.equal(response.headers.get('content-type'), 'application/didcomm-envelope-enc');
  const opened = unpackRfc0019(await response.text(), [me]);
  t.match(opened, { alg: 'Authcrypt', senderVerkey: agentKey, recipientVerkey: me.verkey });
  const reply = JSON.parse(opened.message) as Record<string, unknown>;
  t.ok(ofType('/ping_response')(reply));
  t.equal(thid(reply), message['@id']);
});

t.test('Anoncrypt: taken in; the reply goes to the key from setup, since the message names no sender', async (t) => {
  const h = await startHarness(t);
  const agentKey = await withKeys(h);
  const message = ping({ response_requested: true });
  const response = await post(h, packRfc0019(JSON.stringify(message), [agentKey]));
  t.equal(response.status, 202);
  const sent = (await h.peer.next()) as unknown as Rfc0019Envelope;
  const opened = unpackRfc0019(sent, [me]);
  t.equal(opened.alg, 'Authcrypt');
  t.equal(thid(JSON.parse(opened.message) as Record<string, unknown>), message['@id']);
});

t.test('bad envelopes get 400 with the reason, and the agent keeps answering', async (t) => {
  const h = await startHarness(t);
  const agentKey = await withKeys(h);
  const good = packRfc0019(JSON.stringify(ping()), [agentKey], me);
  const bytes = Buffer.from(good.ciphertext, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  const cases: [string, object, RegExp][] = [
    ['tampered', { ...good, ciphertext: bytes.toString('base64url') }, /ENVELOPE_DECRYPT_FAILED/],
    ['for another key', packRfc0019(JSON.stringify(ping()), [stranger.verkey], me), /ENVELOPE_NOT_FOR_US/],
    ['unknown enc', { ...good, protected: Buffer.from(JSON.stringify({ enc: 'A256GCM', typ: 'JWM/1.0', alg: 'Authcrypt', recipients: [] })).toString('base64url') }, /ENVELOPE_UNSUPPORTED.*A256GCM/],
    ['not a message inside', packRfc0019('"just a string"', [agentKey], me), /the envelope holds a DIDComm message is a JSON object/],
  ];
  for (const [name, envelope, reason] of cases) {
    const response = await post(h, envelope);
    t.equal(response.status, 400, name);
    t.match(await response.text(), reason, name);
  }
  const response = await post(h, packRfc0019(JSON.stringify(ping({ '~transport': { return_route: 'all' } })), [agentKey], me));
  t.equal(response.status, 200, 'still answers a good one');
});

t.test('what it initiates is packed to the key from setup; without one, plaintext as before', async (t) => {
  const h = await startHarness(t);
  t.equal((await h.act('send-ping', {})).status, 200);
  t.match(await h.peer.next(), { '@type': /trust_ping\/1\.0\/ping$/ }, 'plaintext without a key');
  const agentKey = await withKeys(h);
  t.equal((await h.act('send-ping', {})).status, 200);
  const opened = unpackRfc0019(await h.peer.next(), [me]);
  t.match(opened, { alg: 'Authcrypt', senderVerkey: agentKey });
  t.match(JSON.parse(opened.message), { '@type': /trust_ping\/1\.0\/ping$/ });
});
