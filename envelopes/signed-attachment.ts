import bs58 from 'bs58';
import sodium from 'libsodium-wrappers';
import { fromBase64Url } from './base64url.js';
import { EnvelopeError } from './errors.js';
import { decodeVerkey, didKeyToVerkey, verkeyToDidKey, type KeyPair } from './keys.js';

/** An Aries RFC 0017 attachment whose data is signed with a detached JWS (RFC 0023's did_doc / did_rotate). */
export interface SignedAttachment {
  '@id'?: string;
  'mime-type'?: string;
  data: { base64: string; jws?: unknown };
}

export interface VerifiedAttachment {
  /** The signed bytes (data.base64 decoded). */
  payload: Uint8Array;
  /** Ed25519 verkeys whose signatures verified. */
  signers: string[];
}

const encoder = new TextEncoder();

/**
 * Signs `data` (a string as is, an object as JSON) with `key`: EdDSA JWS with the key's did:key
 * as `kid` and its JWK in the protected header, the way Credo and ACA-Py sign them.
 */
export function signAttachment(data: string | object, key: KeyPair): SignedAttachment {
  const payload = encoder.encode(typeof data === 'string' ? data : JSON.stringify(data));
  const base64 = Buffer.from(payload).toString('base64url');
  const didKey = verkeyToDidKey(key.verkey);
  const protectedHeader = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: didKey, jwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url'), kid: didKey } })).toString('base64url');
  const signature = sodium.crypto_sign_detached(encoder.encode(`${protectedHeader}.${base64}`), key.secretKey);
  return {
    ...(typeof data === 'string' ? {} : { 'mime-type': 'application/json' }),
    data: { base64, jws: { header: { kid: didKey }, protected: protectedHeader, signature: Buffer.from(signature).toString('base64url') } },
  };
}

/**
 * Verifies every signature of a signed attachment (flattened `jws`, or `jws.signatures`). The
 * signer is the key in the protected `jwk`, else the did:key `kid`. Throws ENVELOPE_MALFORMED
 * naming what is missing; a signature that does not verify is left out of `signers`.
 */
export function verifyAttachment(attachment: unknown): VerifiedAttachment {
  const data = isObject(attachment) ? attachment['data'] : undefined;
  if (!isObject(data) || typeof data['base64'] !== 'string') throw new EnvelopeError('ENVELOPE_MALFORMED', 'the attachment has no data.base64');
  // Some agents write standard base64 here: sign and verify over its base64url form.
  const payload = fromBase64Url(data['base64'].replace(/\+/g, '-').replace(/\//g, '_'), 'data.base64');
  const jws = data['jws'];
  if (!isObject(jws)) throw new EnvelopeError('ENVELOPE_MALFORMED', 'the attachment is not signed (no data.jws)');
  const entries = Array.isArray(jws['signatures']) ? (jws['signatures'] as unknown[]) : [jws];
  const payloadText = Buffer.from(payload).toString('base64url');
  const signers: string[] = [];
  entries.forEach((entry, index) => {
    const where = `data.jws${entries.length > 1 || Array.isArray(jws['signatures']) ? `.signatures[${index}]` : ''}`;
    if (!isObject(entry) || typeof entry['protected'] !== 'string' || typeof entry['signature'] !== 'string') throw new EnvelopeError('ENVELOPE_MALFORMED', `${where} needs "protected" and "signature" strings`);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(fromBase64Url(entry['protected'], `${where}.protected`)).toString('utf8')) as Record<string, unknown>;
    } catch (cause) {
      if (cause instanceof EnvelopeError) throw cause;
      throw new EnvelopeError('ENVELOPE_MALFORMED', `${where}.protected is not base64url JSON`, { cause });
    }
    if (header['alg'] !== 'EdDSA') throw new EnvelopeError('ENVELOPE_UNSUPPORTED', `${where}: alg ${JSON.stringify(header['alg'])}, expected "EdDSA" (Ed25519)`);
    const verkey = signerOf(header, isObject(entry['header']) ? entry['header'] : {}, where);
    const signature = fromBase64Url(entry['signature'], `${where}.signature`);
    const ok = signature.length === sodium.crypto_sign_BYTES && sodium.crypto_sign_verify_detached(signature, encoder.encode(`${entry['protected']}.${payloadText}`), decodeVerkey(verkey));
    if (ok) signers.push(verkey);
  });
  return { payload, signers };
}

function signerOf(protectedHeader: Record<string, unknown>, header: Record<string, unknown>, where: string): string {
  const jwk = protectedHeader['jwk'];
  if (isObject(jwk) && jwk['crv'] === 'Ed25519' && typeof jwk['x'] === 'string') {
    const bytes = fromBase64Url(jwk['x'], `${where}.protected.jwk.x`);
    if (bytes.length !== 32) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${where}.protected.jwk.x is ${bytes.length} bytes, an Ed25519 key is 32`);
    return bs58.encode(bytes);
  }
  const kid = protectedHeader['kid'] ?? header['kid'];
  if (typeof kid === 'string' && kid.startsWith('did:key:')) return didKeyToVerkey(kid);
  throw new EnvelopeError('ENVELOPE_MALFORMED', `${where}: no signer key (neither an Ed25519 protected.jwk nor a did:key kid)`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
