import t from 'tap';
import { createKeyPair, createPeerDid2, EnvelopeError, resolvePeerDid, resolvePeerDid2, signAttachment, verifyAttachment } from '../../envelopes/index.js';

// A did:peer:2 Credo 0.6 wrote in a DID exchange response on this machine (did_rotate~attach).
const CREDO_DID =
  'did:peer:2.Vz6Mkw6cirdGBosy2q4jB3qjWqa5CRxBbRRa1Py44xXdBbu9o.Ez6LSccE3WEyN3cuoTi3FYRhNbhiJ1krxxRMoz4hSFX8ocsqR.SeyJzIjoiaHR0cDovLzEyNy4wLjAuMTozMTAxIiwidCI6ImRpZC1jb21tdW5pY2F0aW9uIiwicHJpb3JpdHkiOjAsInJlY2lwaWVudEtleXMiOlsiI2tleS0xIl0sInIiOltdfQ';
// ...and its signature over that DID by the invitation key (did:key:z6Mkw6ci…).
const CREDO_ROTATE = {
  '@id': 'd9177c07-8d95-4f9d-a06a-271b9c62d181',
  data: {
    base64: Buffer.from(CREDO_DID).toString('base64url'),
    jws: {
      protected: 'eyJhbGciOiJFZERTQSIsImp3ayI6eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IjkwemNQSmVIWGYwVnNQVng5Z19sLVBJY3h3RUtEMHVGRTYxX3plOERrYjQiLCJraWQiOiIxMmNlYTQ1Ni03OTg4LTQ3MzQtOGU1ZS04YWJkNGQ3YTA5NjAifX0',
      signature: 'eHNt3LcS9gBHj41Imulwls5FImg_12NCBIUtN-l71rt4S9Vza-RXK2pgSBpXutgv0q3U6gAGVecVam3AipTsDQ',
      header: { kid: 'did:key:z6Mkw6cirdGBosy2q4jB3qjWqa5CRxBbRRa1Py44xXdBbu9o' },
    },
  },
};
const CREDO_KEY = 'HeMgGP1kULUZiZtUNGmfzUXCcNuk1YKehx998FfAggNR';

t.test('did:peer:2: what agtest writes resolves to its key and endpoint', async (t) => {
  const keys = await createKeyPair();
  const did = createPeerDid2(keys.verkey, 'http://127.0.0.1:4000/');
  const resolved = resolvePeerDid2(did);
  t.same(resolved.verkeys, [keys.verkey]);
  t.equal(resolved.services.length, 1);
  t.equal(resolved.services[0]!.type, 'did-communication');
  t.equal(resolved.services[0]!.serviceEndpoint, 'http://127.0.0.1:4000/');
  t.same(resolved.services[0]!.recipientKeys, [keys.verkey]);
});

t.test("did:peer:2: Credo's DID resolves to its key and endpoint", async (t) => {
  const resolved = resolvePeerDid2(CREDO_DID);
  t.same(resolved.verkeys, [CREDO_KEY]);
  t.equal(resolved.services[0]!.serviceEndpoint, 'http://127.0.0.1:3101');
  t.same(resolved.services[0]!.recipientKeys, [CREDO_KEY]);
});

t.test('did:peer:2: a malformed DID is an EnvelopeError naming the part', async (t) => {
  t.throws(() => resolvePeerDid2('did:peer:4zQm'), { code: 'ENVELOPE_BAD_KEY', message: /not a did:peer:2/ });
  t.throws(() => resolvePeerDid2('did:peer:2.Xz6Mk'), { code: 'ENVELOPE_BAD_KEY', message: /neither a key/ });
  t.throws(() => resolvePeerDid2('did:peer:2.Vz6MkjajgmBBWxDnjgV1XtAZPz3n1RBGY7BJFuDYjexNXZ3WR.S!!!'), EnvelopeError);
  const service = Buffer.from(JSON.stringify({ t: 'did-communication', s: 'http://x', recipientKeys: ['#key-9'] })).toString('base64url');
  t.throws(() => resolvePeerDid2(`did:peer:2.Vz6MkjajgmBBWxDnjgV1XtAZPz3n1RBGY7BJFuDYjexNXZ3WR.S${service}`), { message: /#key-9/ });
});

t.test("signed attachment: Credo's did_rotate~attach verifies, signed by its invitation key", async (t) => {
  const verified = verifyAttachment(CREDO_ROTATE);
  t.same(verified.signers, [CREDO_KEY]);
  t.equal(Buffer.from(verified.payload).toString(), CREDO_DID);
});

t.test('signed attachment: sign then verify, and every tampering is caught', async (t) => {
  const keys = await createKeyPair();
  const attachment = signAttachment('did:peer:2.example', keys);
  t.same(verifyAttachment(attachment).signers, [keys.verkey]);
  t.same(verifyAttachment(signAttachment({ id: 'did:example' }, keys)).signers, [keys.verkey]);

  const otherPayload = structuredClone(attachment);
  otherPayload.data.base64 = Buffer.from('did:peer:2.other').toString('base64url');
  t.same(verifyAttachment(otherPayload).signers, [], 'a different payload under the same signature does not verify');

  const jws = attachment.data.jws as Record<string, string>;
  const flipped = Buffer.from(jws['signature']!, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  t.same(verifyAttachment({ data: { base64: attachment.data.base64, jws: { ...jws, signature: flipped.toString('base64url') } } }).signers, []);

  t.throws(() => verifyAttachment({ data: { base64: attachment.data.base64 } }), { code: 'ENVELOPE_MALFORMED', message: /not signed/ });
  t.throws(() => verifyAttachment({ data: {} }), { message: /no data.base64/ });
  const es256 = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
  t.throws(() => verifyAttachment({ data: { base64: attachment.data.base64, jws: { protected: es256, signature: 'AA' } } }), { code: 'ENVELOPE_UNSUPPORTED' });
});

// A long-form did:peer:4 as Credo 0.6 writes it (didDocumentToNumAlgo4Did; keys embedded in authentication).
const CREDO_PEER4 = 'did:peer:4zQmQJMnbiLk2sc398oBM5VJseP41m6wDoqE8BVJeKPaJ2bQ:z6WDterfhqipLey5HMriihM1stK1N7puaop16VcCWh2SEm4fqaEAN4HbZ5m8koyUoGJsdvGwFCDSPPCFp1Apd2xxpZVUQCXuc695khBDxYVZd3HuV17rcYiLPx8Uw7f8KfN85XpkbJ4sG2VQRR1ZCx6kPRTBq7n8tMj7wsjdfySVT5mwrPvCSbxmZaS5efdCbVo9es12QT5sM71HniDY7Gh24MxghNA6752Rduo9GQp6MtCqtWYSHGafw9rvCANPSapwdukayxtEZ6XuTFEzNp3WuCwcqmi5vY68rmi8u9ZRiF1gK18Y2eFmZp7novQBhTrrwTcdLQC9VmRopEWZ3GSAyZ1285n3br6khvKRLLpzX9NAQGEmJ8ftJcopUKXF9XGCUuPCMeafKQxFF3kvyrL6BRjMCnJjSAgRzEbDgGhX1PDqa8yf7QHVBYRhj57nBxmLruwnwskXGsLq7ADyY7omVUywiiVo95mttz8kyBXs53TpguWfZUuCuTyM8ZaDG8quACWnKfAqCyrhs7cVYPJBdWQjFq7YBDdBcTjbhAFWBnWJ8Hb8ANATxu9vywQGGgAts8QrWXMEt8GZFhzPv34joCBQrDpg6G4mGhhH9gu43ToywaDg5x62aP4akcedtSCPMv';

t.test("did:peer:4: Credo's long form resolves to its key and endpoint; a changed document fails its hash", async (t) => {
  const resolved = resolvePeerDid(CREDO_PEER4);
  t.same(resolved.verkeys, [CREDO_KEY]);
  t.equal(resolved.services[0]!.serviceEndpoint, 'http://127.0.0.1:3101');
  t.same(resolved.services[0]!.recipientKeys, [CREDO_KEY]);
  const [prefix, encoded] = [CREDO_PEER4.slice(0, CREDO_PEER4.lastIndexOf(':')), CREDO_PEER4.slice(CREDO_PEER4.lastIndexOf(':') + 1)];
  const other = encoded.slice(0, -1) + (encoded.endsWith('z') ? 'y' : 'z');
  t.throws(() => resolvePeerDid(`${prefix}:${other}`), { code: 'ENVELOPE_BAD_KEY', message: /hash does not match/ });
  t.throws(() => resolvePeerDid(prefix), { message: /short form/ });
  t.throws(() => resolvePeerDid('did:web:example.com'), { message: /resolves did:peer:2 and long-form did:peer:4/ });
});
