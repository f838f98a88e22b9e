import bs58 from 'bs58';
import sodium from 'libsodium-wrappers';
import { fromBase64Url } from './base64url.js';
import { EnvelopeError } from './errors.js';
import { decodeVerkey, type KeyPair } from './keys.js';

/** The signature scheme of Aries RFC 0234 that RFC 0160's `connection~sig` uses. */
export const ED25519_SHA512_SINGLE = 'https://didcomm.org/signature/1.0/ed25519Sha512_single';

export interface SignedField {
  '@type': string;
  signature: string;
  sig_data: string;
  signer: string;
}

export interface VerifiedField {
  /** The signer's base58 verkey, as the field names it. */
  signer: string;
  /** Whether the signature over sig_data verifies with that key. */
  valid: boolean;
  /** Seconds since the Unix epoch: the 8-byte big-endian prefix of sig_data. */
  timestamp: number;
  /** The signed value: the JSON after the timestamp. */
  value: unknown;
}

/**
 * Signs a field value the RFC 0234 way (`ed25519Sha512_single`): sig_data is base64url(8-byte
 * big-endian Unix time || UTF-8 JSON of the value); the signature is Ed25519 over those bytes.
 */
export function signField(value: unknown, key: KeyPair, nowSeconds = Math.floor(Date.now() / 1000)): SignedField {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const data = Buffer.alloc(8 + json.length);
  data.writeBigUInt64BE(BigInt(nowSeconds), 0);
  json.copy(data, 8);
  const signature = sodium.crypto_sign_detached(data, key.secretKey);
  return { '@type': ED25519_SHA512_SINGLE, signature: Buffer.from(signature).toString('base64url'), sig_data: data.toString('base64url'), signer: key.verkey };
}

/**
 * Reads and verifies a signed field (RFC 0234, ed25519Sha512_single; the legacy did:sov type
 * prefix too). Throws ENVELOPE_MALFORMED / ENVELOPE_UNSUPPORTED naming what is wrong with its
 * shape; a signature that does not verify gives `valid: false`.
 */
export function verifySignedField(field: unknown): VerifiedField {
  if (typeof field !== 'object' || field === null) throw new EnvelopeError('ENVELOPE_MALFORMED', 'the signed field is not an object');
  const { '@type': type, signature, sig_data: sigData, signer } = field as Record<string, unknown>;
  if (typeof type !== 'string' || !/\/signature\/1\.\d+\/ed25519Sha512_single$/.test(type)) throw new EnvelopeError('ENVELOPE_UNSUPPORTED', `the signed field's @type is ${JSON.stringify(type ?? null)}, not …/signature/1.0/ed25519Sha512_single`);
  if (typeof signature !== 'string' || typeof sigData !== 'string' || typeof signer !== 'string') throw new EnvelopeError('ENVELOPE_MALFORMED', 'the signed field needs signature, sig_data and signer strings');
  // Some agents write standard base64 (padded) here: read it as base64url.
  const data = fromBase64Url(sigData.replace(/\+/g, '-').replace(/\//g, '_'), 'sig_data');
  const sig = fromBase64Url(signature.replace(/\+/g, '-').replace(/\//g, '_'), 'signature');
  if (data.length < 9) throw new EnvelopeError('ENVELOPE_MALFORMED', `sig_data is ${data.length} bytes: no 8-byte timestamp followed by the value`);
  const key = decodeVerkey(signer);
  const valid = sig.length === sodium.crypto_sign_BYTES && sodium.crypto_sign_verify_detached(sig, data, key);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data.subarray(8)).toString('utf8'));
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_MALFORMED', 'sig_data after its 8-byte timestamp is not JSON', { cause });
  }
  return { signer: bs58.encode(key), valid, timestamp: Number(Buffer.from(data).readBigUInt64BE(0)), value };
}
