import t, { type Test } from 'tap';
import {
  createKeyPair,
  decodeVerkey,
  didKeyToVerkey,
  EnvelopeError,
  loadCrypto,
  packRfc0019,
  unpackRfc0019,
  verkeyToDidKey,
  type EnvelopeErrorCode,
  type Rfc0019Envelope,
} from '../../envelopes/index.js';

await loadCrypto();
const alice = await createKeyPair();
const bob = await createKeyPair();
const carol = await createKeyPair();
const message = JSON.stringify({ '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': 'p-1', comment: 'héllo ✓' });

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = (envelope: Rfc0019Envelope) => JSON.parse(Buffer.from(envelope.protected, 'base64url').toString('utf8')) as Record<string, unknown> & { recipients: { encrypted_key: string; header: Record<string, string> }[] };
const flipByte = (field: string) => {
  const bytes = Buffer.from(field, 'base64url');
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  return bytes.toString('base64url');
};

function rejects(t: Test, input: unknown, code: EnvelopeErrorCode, pattern: RegExp, name: string, keys = [bob]) {
  t.throws(() => unpackRfc0019(input, keys), { name: 'EnvelopeError', code, message: pattern }, name);
}

t.test('authcrypt: the recipient gets the message and a proven sender', async (t) => {
  const envelope = packRfc0019(message, [bob.verkey], alice);
  const unpacked = unpackRfc0019(envelope, [carol, bob]);
  const protectedHeader = header(envelope);
  t.same(unpacked, { message, alg: 'Authcrypt', recipientVerkey: bob.verkey, senderVerkey: alice.verkey, header: protectedHeader });
  t.match(protectedHeader, { enc: 'xchacha20poly1305_ietf', typ: 'JWM/1.0', alg: 'Authcrypt' });
  t.equal(protectedHeader.recipients[0]!.header['kid'], bob.verkey, 'kid is the base58 verkey');
  t.notOk(JSON.stringify(envelope).includes(alice.verkey), "the sender's verkey is sealed, never in clear");
  t.notOk(JSON.stringify(envelope).includes('trust_ping'), 'the content is encrypted');
  for (const field of ['protected', 'iv', 'ciphertext', 'tag'] as const) t.match(envelope[field], /^[A-Za-z0-9_-]+=*$/, `${field} is base64url`);
  t.same(unpackRfc0019(JSON.stringify(envelope), [bob]), unpacked, 'JSON text unpacks the same');
  t.same(unpackRfc0019(Buffer.from(JSON.stringify(envelope)), [bob]), unpacked, 'bytes unpack the same');
});

t.test('anoncrypt: no sender, and no way to learn one', async (t) => {
  const envelope = packRfc0019(message, [bob.verkey]);
  t.same(unpackRfc0019(envelope, [bob]), { message, alg: 'Anoncrypt', recipientVerkey: bob.verkey, header: header(envelope) });
  t.same(Object.keys(header(envelope).recipients[0]!.header), ['kid']);
});

t.test('several recipients each unpack it; anyone else is told it is not for them', async (t) => {
  const envelope = packRfc0019(message, [bob.verkey, carol.verkey], alice);
  t.equal(unpackRfc0019(envelope, [bob]).recipientVerkey, bob.verkey);
  t.equal(unpackRfc0019(envelope, [carol]).recipientVerkey, carol.verkey);
  rejects(t, envelope, 'ENVELOPE_NOT_FOR_US', /no recipient kid is ours/, 'a third party', [alice]);
});

t.test('padding: unpadded base64url (as some agents write) unpacks too', async (t) => {
  const envelope = packRfc0019(message, [bob.verkey], alice);
  const unpadded = { ...envelope, iv: envelope.iv.replace(/=+$/, ''), ciphertext: envelope.ciphertext.replace(/=+$/, ''), tag: envelope.tag.replace(/=+$/, '') };
  t.equal(unpackRfc0019(unpadded, [bob]).message, message);
});

t.test('tampered envelopes are refused with the reason', async (t) => {
  const envelope = packRfc0019(message, [bob.verkey], alice);
  rejects(t, { ...envelope, ciphertext: flipByte(envelope.ciphertext) }, 'ENVELOPE_DECRYPT_FAILED', /tampered/, 'a flipped ciphertext byte');
  rejects(t, { ...envelope, tag: flipByte(envelope.tag) }, 'ENVELOPE_DECRYPT_FAILED', /tampered/, 'a flipped tag byte');
  rejects(t, { ...envelope, iv: flipByte(envelope.iv) }, 'ENVELOPE_DECRYPT_FAILED', /tampered/, 'a flipped iv byte');
  const changed = header(envelope);
  rejects(t, { ...envelope, protected: b64({ ...changed, extra: 1 }) }, 'ENVELOPE_DECRYPT_FAILED', /tampered/, 'protected header changed (it is the AAD)');
  const wrongKid = { ...changed, recipients: [{ ...changed.recipients[0]!, header: { ...changed.recipients[0]!.header, kid: carol.verkey } }] };
  rejects(t, { ...envelope, protected: b64(wrongKid) }, 'ENVELOPE_NOT_FOR_US', new RegExp(carol.verkey), 'a wrong kid');
  // The key was encrypted to carol, but the entry claims bob: the key does not open.
  const forCarol = header(packRfc0019(message, [carol.verkey], alice));
  const stolen = { ...changed, recipients: [{ ...forCarol.recipients[0]!, header: { ...forCarol.recipients[0]!.header, kid: bob.verkey } }] };
  rejects(t, { ...envelope, protected: b64(stolen) }, 'ENVELOPE_BAD_SENDER', /header\.sender does not decrypt/, 'an entry sealed to another key');
  const badKey = { ...changed, recipients: [{ ...changed.recipients[0]!, encrypted_key: flipByte(changed.recipients[0]!.encrypted_key) }] };
  rejects(t, { ...envelope, protected: b64(badKey) }, 'ENVELOPE_DECRYPT_FAILED', /encrypted_key does not open/, 'a flipped encrypted_key byte');
  const anon = packRfc0019(message, [bob.verkey]);
  const anonHeader = header(anon);
  const anonBad = { ...anonHeader, recipients: [{ ...anonHeader.recipients[0]!, encrypted_key: flipByte(anonHeader.recipients[0]!.encrypted_key) }] };
  rejects(t, { ...anon, protected: b64(anonBad) }, 'ENVELOPE_DECRYPT_FAILED', /encrypted_key does not open/, 'anoncrypt: a flipped encrypted_key byte');
});

t.test('malformed and unsupported envelopes name the field', async (t) => {
  const envelope = packRfc0019(message, [bob.verkey], alice);
  const protectedHeader = header(envelope);
  rejects(t, '{"protected":', 'ENVELOPE_MALFORMED', /not JSON/, 'not JSON');
  rejects(t, [], 'ENVELOPE_MALFORMED', /not a JSON object/, 'an array');
  rejects(t, { ...envelope, tag: undefined }, 'ENVELOPE_MALFORMED', /no string "tag"/, 'no tag');
  rejects(t, { ...envelope, iv: 'not base64!' }, 'ENVELOPE_MALFORMED', /iv is not base64url/, 'iv not base64url');
  rejects(t, { ...envelope, protected: 'bm90IGpzb24' }, 'ENVELOPE_MALFORMED', /protected does not decode to a JSON object/, 'protected not JSON');
  rejects(t, { ...envelope, protected: b64({ ...protectedHeader, enc: 'chacha20poly1305_ietf' }) }, 'ENVELOPE_UNSUPPORTED', /protected\.enc is "chacha20poly1305_ietf"/, 'another enc');
  rejects(t, { ...envelope, protected: b64({ ...protectedHeader, alg: 'ECDH-1PU' }) }, 'ENVELOPE_UNSUPPORTED', /protected\.alg/, 'another alg');
  rejects(t, { ...envelope, protected: b64({ ...protectedHeader, typ: undefined }) }, 'ENVELOPE_UNSUPPORTED', /protected\.typ is undefined/, 'no typ');
  rejects(t, { ...envelope, protected: b64({ ...protectedHeader, recipients: [] }) }, 'ENVELOPE_MALFORMED', /recipients must be a non-empty array/, 'no recipients');
  const noSender = { ...protectedHeader, recipients: [{ encrypted_key: protectedHeader.recipients[0]!.encrypted_key, header: { kid: bob.verkey } }] };
  rejects(t, { ...envelope, protected: b64(noSender) }, 'ENVELOPE_MALFORMED', /recipients\[0\]\.header needs "sender" and "iv"/, 'authcrypt without sender');
  const garbageSender = { ...protectedHeader, recipients: [{ ...protectedHeader.recipients[0]!, header: { ...protectedHeader.recipients[0]!.header, sender: 'AAAA' } }] };
  rejects(t, { ...envelope, protected: b64(garbageSender) }, 'ENVELOPE_BAD_SENDER', /header\.sender/, 'a sender that is not sealed to us');
});

t.test('any mutation of an envelope unpacks to the same message or throws an EnvelopeError, never anything else', async (t) => {
  const text = JSON.stringify(packRfc0019(message, [bob.verkey], alice));
  let refused = 0;
  for (let round = 0; round < 300; round++) {
    const chars = [...text];
    const at = (round * 7919) % chars.length;
    chars[at] = String.fromCharCode(32 + ((chars[at]!.charCodeAt(0) + round) % 95));
    const mutated = round % 3 === 0 ? chars.join('').slice(0, at) : chars.join('');
    try {
      t.equal(unpackRfc0019(mutated, [bob]).message, message, `mutation ${round} unpacked: then it must be intact`);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) t.fail(`mutation ${round}: ${String(error)}`);
      refused++;
    }
  }
  t.ok(refused > 250, `most mutations are refused (${refused} of 300)`);
});

t.test('keys: RFC 8032 test vector, did:key round trip, and bad keys refused', async (t) => {
  const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
  const pair = await createKeyPair(seed);
  t.equal(Buffer.from(decodeVerkey(pair.verkey)).toString('hex'), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const did = verkeyToDidKey(pair.verkey);
  t.match(did, /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/, 'Ed25519 did:keys start z6Mk');
  t.equal(didKeyToVerkey(did), pair.verkey);
  t.equal(didKeyToVerkey(`${did}#${did.slice(8)}`), pair.verkey, 'a key reference (#fragment) resolves too');
  t.throws(() => didKeyToVerkey('did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc'), { code: 'ENVELOPE_BAD_KEY', message: /not an Ed25519 did:key/ }, 'an X25519 did:key');
  t.throws(() => didKeyToVerkey('did:web:example.com'), { code: 'ENVELOPE_BAD_KEY' });
  t.throws(() => decodeVerkey('0OIl'), { code: 'ENVELOPE_BAD_KEY', message: /not base58/ });
  t.throws(() => decodeVerkey('3yZe7d'), { code: 'ENVELOPE_BAD_KEY', message: /is 4 bytes/ });
  await t.rejects(createKeyPair(new Uint8Array(5)), { code: 'ENVELOPE_BAD_KEY' });
  t.throws(() => packRfc0019(message, []), { code: 'ENVELOPE_BAD_KEY', message: /at least one recipient/ });
  t.throws(() => packRfc0019(message, ['not-a-key']), { code: 'ENVELOPE_BAD_KEY' });
});
