// DIDs whose document travels beside them (did:peer:1, unqualified RFC 0160 DIDs) and the RFC 0234
// signed field of RFC 0160's connection~sig: what 2023-era DIDComm agents exchange.
import { createHash } from 'node:crypto';
import bs58 from 'bs58';
import t from 'tap';
import { createKeyPair, createPeerDid1, createUnqualifiedDid, EnvelopeError, resolveDidWithDocument, signField, verifySignedField } from '../../envelopes/index.js';

const bytes = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value), 'utf8'));

t.test('did:peer:1: the DID is the SHA-256 multihash of the stored variant; keys and service come from the document', async (t) => {
  const keys = await createKeyPair();
  const { did, doc } = createPeerDid1(keys.verkey, 'http://127.0.0.1:4000/');
  const { id: _id, ...stored } = doc;
  const digest = createHash('sha256').update(JSON.stringify(stored)).digest();
  t.equal(did, `did:peer:1z${bs58.encode(Uint8Array.from([0x12, 0x20, ...digest]))}`, 'did:peer spec, Method 1: multihash 0x12 0x20, base58btc, multibase z');
  for (const [form, document] of [['resolved variant (with id)', bytes(doc)], ['stored variant (no id)', bytes(stored)], ['parsed object', doc]] as const) {
    const resolved = resolveDidWithDocument(did, document);
    t.same(resolved.verkeys, [keys.verkey], `${form}: the authentication key`);
    t.same(resolved.services[0]?.recipientKeys, [keys.verkey], `${form}: the service's recipient key`);
    t.equal(resolved.services[0]?.serviceEndpoint, 'http://127.0.0.1:4000/');
  }
});

t.test('did:peer:1: a document that is not the one the DID was made from is refused, naming the hash it gives', async (t) => {
  const keys = await createKeyPair();
  const { did, doc } = createPeerDid1(keys.verkey, 'http://127.0.0.1:4000/');
  const other = { ...doc, service: [{ type: 'did-communication', recipientKeys: ['#key-1'], serviceEndpoint: 'http://evil.invalid/' }] };
  t.throws(() => resolveDidWithDocument(did, bytes(other)), { code: 'ENVELOPE_BAD_KEY', message: /is not derived from its document: the SHA-256 of the stored variant .* gives did:peer:1z\S+ \(did:peer spec, Method 1/ });
  t.throws(() => resolveDidWithDocument('did:peer:1zShort', bytes(doc)), { message: /is not a did:peer:1/ });
  t.throws(() => resolveDidWithDocument(did, new Uint8Array(Buffer.from('not json'))), EnvelopeError);
});

t.test('unqualified DIDs with a legacy (RFC 0160) document: publicKey, authentication references, raw base58 recipientKeys', async (t) => {
  const keys = await createKeyPair();
  const { did, doc } = createUnqualifiedDid(keys.verkey, 'http://127.0.0.1:4000/');
  t.match(did, /^[1-9A-HJ-NP-Za-km-z]{21,22}$/);
  const resolved = resolveDidWithDocument(did, doc);
  t.same(resolved.verkeys, [keys.verkey]);
  t.same(resolved.services[0]?.recipientKeys, [keys.verkey]);
  t.same(resolveDidWithDocument(did, { ...doc, id: `did:sov:${did}` }).verkeys, [keys.verkey], 'a did:sov: id for the unqualified DID is the same DID');
  t.throws(() => resolveDidWithDocument(did, { ...doc, id: 'did:sov:SomeoneElse1234567890' }), { message: /is not the DID/ });
});

t.test('RFC 0234 ed25519Sha512_single: sig_data is an 8-byte timestamp and the JSON; the signature covers it', async (t) => {
  const keys = await createKeyPair();
  const value = { DID: 'abc', DIDDoc: { id: 'abc' } };
  const field = signField(value, keys, 1_700_000_000);
  const verified = verifySignedField(field);
  t.same(verified, { signer: keys.verkey, valid: true, timestamp: 1_700_000_000, value });
  const padded = { ...field, sig_data: Buffer.from(field.sig_data, 'base64url').toString('base64'), signature: Buffer.from(field.signature, 'base64url').toString('base64') };
  t.equal(verifySignedField(padded).valid, true, 'standard (padded) base64 is read too');
  const data = Buffer.from(field.sig_data, 'base64url');
  data[7] = data[7]! ^ 1;
  t.equal(verifySignedField({ ...field, sig_data: data.toString('base64url') }).valid, false, 'changed data: the signature does not verify');
  const other = await createKeyPair();
  t.equal(verifySignedField({ ...field, signer: other.verkey }).valid, false, 'another signer: does not verify');
  t.throws(() => verifySignedField({ ...field, '@type': 'https://didcomm.org/signature/1.0/other' }), { code: 'ENVELOPE_UNSUPPORTED' });
});
