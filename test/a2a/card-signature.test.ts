// The signature check of suites/a2a/card-v1.ts without an agent: RFC 8785 canonical JSON, and JWS
// verification for every algorithm family a card may be signed with (a legal variation of the
// reference agent's EdDSA), each also refusing a signature over other content.
import { generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto';
import t from 'tap';
import { canonicalJson, keyOf, verifyJws } from '../../suites/a2a/card-v1.js';

t.test('canonicalJson: members sorted by UTF-16 code units, no whitespace, ES number forms (RFC 8785 §3.2)', async (t) => {
  t.equal(canonicalJson({ b: [1, { d: true, c: null }], a: 'x', '\u00e9': 1, A: 2 }), '{"A":2,"a":"x","b":[1,{"c":null,"d":true}],"é":1}');
  t.equal(canonicalJson({ n: [1e21, 0.1, -0, 100, 1.5e-7] }), '{"n":[1e+21,0.1,0,100,1.5e-7]}');
  t.equal(canonicalJson({ s: 'line\nbreak "quoted" \u2028' }), '{"s":"line\\nbreak \\"quoted\\" \u2028"}');
});

function signWith(alg: string, privateKey: KeyObject, input: Buffer): Buffer {
  if (alg === 'EdDSA') return sign(null, input, privateKey);
  if (alg === 'ES256') return sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (alg === 'RS256') return sign('sha256', input, privateKey);
  return sign('sha256', input, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
}

const pairs: [string, ReturnType<typeof generateKeyPairSync>][] = [
  ['EdDSA', generateKeyPairSync('ed25519')],
  ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['PS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
];

for (const [alg, pair] of pairs) {
  t.test(`verifyJws ${alg}: a signature over the signing input verifies, one over other content does not`, async (t) => {
    const key = keyOf(pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>);
    t.ok(key, 'the JWK is read');
    const input = Buffer.from(`${Buffer.from('{"alg":"x"}').toString('base64url')}.${Buffer.from(canonicalJson({ name: 'card' })).toString('base64url')}`, 'ascii');
    t.equal(verifyJws(alg, key!, input, signWith(alg, pair.privateKey, input)), true);
    t.equal(verifyJws(alg, key!, input, signWith(alg, pair.privateKey, Buffer.from('other content'))), false);
  });
}

t.test('verifyJws: an algorithm agtest cannot check is not judged (undefined); a key of another type does not verify', async (t) => {
  const key = keyOf(pairs[0]![1].publicKey.export({ format: 'jwk' }) as Record<string, unknown>)!;
  t.equal(verifyJws('HS256', key, Buffer.from('x'), Buffer.from('y')), undefined);
  t.equal(verifyJws('ES256', key, Buffer.from('x'), Buffer.alloc(64)), false);
});
