/**
 * Aries RFC 0019 encryption envelopes (DIDComm v1, media type application/didcomm-envelope-enc):
 * a JWE-like JSON whose content is XChaCha20-Poly1305 encrypted under a random key (CEK), the CEK
 * sealed to each recipient's X25519 key — with crypto_box from the sender's key (Authcrypt, the
 * sender verkey itself sealed in `header.sender`) or crypto_box_seal (Anoncrypt).
 */
import sodium from 'libsodium-wrappers';
import bs58 from 'bs58';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { EnvelopeError } from './errors.js';
import { decodeVerkey, type KeyPair } from './keys.js';

export const RFC0019_ENC = 'xchacha20poly1305_ietf';
export const RFC0019_TYP = 'JWM/1.0';

export interface Rfc0019Envelope {
  protected: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface UnpackedMessage {
  /** The plaintext, as UTF-8. */
  message: string;
  alg: 'Authcrypt' | 'Anoncrypt';
  /** Which of our keys it was encrypted to. */
  recipientVerkey: string;
  /** Authcrypt only: who sent it (proven by the crypto_box). */
  senderVerkey?: string;
  /** The decoded protected header (enc, typ, alg, recipients). */
  header: Record<string, unknown>;
}

interface RecipientHeader {
  kid: string;
  sender?: string;
  iv?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Ed25519 → X25519 public keys, remembered: the conversion (a point decompression, ~0.3 ms in
 * libsodium's WebAssembly) is a pure function of the key, and a peer under load packs to and opens
 * from the same few keys thousands of times. Bounded: the map starts over past MAX entries.
 */
const X25519_CACHE_MAX = 10_000;
const x25519Cache = new Map<string, Uint8Array>();

function x25519Public(verkey: string): Uint8Array {
  let key = x25519Cache.get(verkey);
  if (key === undefined) {
    key = sodium.crypto_sign_ed25519_pk_to_curve25519(decodeVerkey(verkey));
    if (x25519Cache.size >= X25519_CACHE_MAX) x25519Cache.clear();
    x25519Cache.set(verkey, key);
  }
  return key;
}

/** Packs `message` for every recipient verkey; Authcrypt when `sender` is given, else Anoncrypt. */
export function packRfc0019(message: string | Uint8Array, recipientVerkeys: readonly string[], sender?: KeyPair): Rfc0019Envelope {
  if (recipientVerkeys.length === 0) throw new EnvelopeError('ENVELOPE_BAD_KEY', 'an envelope needs at least one recipient');
  const cek = sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
  const senderSecret = sender ? sodium.crypto_sign_ed25519_sk_to_curve25519(sender.secretKey) : undefined;
  const recipients = recipientVerkeys.map((kid) => {
    const target = x25519Public(kid);
    if (!sender || !senderSecret) return { encrypted_key: toBase64Url(sodium.crypto_box_seal(cek, target)), header: { kid } };
    const nonce = sodium.randombytes_buf(sodium.crypto_box_NONCEBYTES);
    return {
      encrypted_key: toBase64Url(sodium.crypto_box_easy(cek, nonce, target, senderSecret)),
      header: { kid, sender: toBase64Url(sodium.crypto_box_seal(encoder.encode(sender.verkey), target)), iv: toBase64Url(nonce) },
    };
  });
  const header = { enc: RFC0019_ENC, typ: RFC0019_TYP, alg: sender ? 'Authcrypt' : 'Anoncrypt', recipients };
  const protectedHeader = toBase64Url(encoder.encode(JSON.stringify(header)));
  const iv = sodium.randombytes_buf(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const bytes = typeof message === 'string' ? encoder.encode(message) : message;
  // The AAD is the protected header exactly as sent (its base64url text), so it cannot be swapped.
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt_detached(bytes, encoder.encode(protectedHeader), null, iv, cek);
  return { protected: protectedHeader, iv: toBase64Url(iv), ciphertext: toBase64Url(sealed.ciphertext), tag: toBase64Url(sealed.mac) };
}

/** A cheap shape test, for telling an envelope from a plaintext message before unpacking. */
export function looksLikeRfc0019(value: unknown): value is Rfc0019Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['protected', 'iv', 'ciphertext', 'tag'].every((field) => typeof record[field] === 'string');
}

function parseEnvelope(input: unknown): Rfc0019Envelope {
  let value = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new EnvelopeError('ENVELOPE_MALFORMED', `the envelope is not JSON (${text.length} bytes)`, { cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EnvelopeError('ENVELOPE_MALFORMED', 'the envelope is not a JSON object');
  for (const field of ['protected', 'iv', 'ciphertext', 'tag']) {
    if (typeof (value as Record<string, unknown>)[field] !== 'string') throw new EnvelopeError('ENVELOPE_MALFORMED', `the envelope has no string "${field}"`);
  }
  return value as Rfc0019Envelope;
}

function parseHeader(envelope: Rfc0019Envelope): { header: Record<string, unknown>; alg: 'Authcrypt' | 'Anoncrypt'; recipients: { encrypted_key: string; header: RecipientHeader }[] } {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(decoder.decode(fromBase64Url(envelope.protected, 'protected'))) as Record<string, unknown>;
  } catch (cause) {
    if (cause instanceof EnvelopeError) throw cause;
    throw new EnvelopeError('ENVELOPE_MALFORMED', 'protected does not decode to a JSON object', { cause });
  }
  if (typeof header !== 'object' || header === null) throw new EnvelopeError('ENVELOPE_MALFORMED', 'protected does not decode to a JSON object');
  if (header['enc'] !== RFC0019_ENC) throw new EnvelopeError('ENVELOPE_UNSUPPORTED', `protected.enc is ${JSON.stringify(header['enc'])}, RFC 0019 uses "${RFC0019_ENC}"`);
  if (header['typ'] !== RFC0019_TYP) throw new EnvelopeError('ENVELOPE_UNSUPPORTED', `protected.typ is ${JSON.stringify(header['typ'])}, RFC 0019 uses "${RFC0019_TYP}"`);
  const alg = header['alg'];
  if (alg !== 'Authcrypt' && alg !== 'Anoncrypt') throw new EnvelopeError('ENVELOPE_UNSUPPORTED', `protected.alg is ${JSON.stringify(alg)}, expected "Authcrypt" or "Anoncrypt"`);
  const recipients = header['recipients'];
  if (!Array.isArray(recipients) || recipients.length === 0) throw new EnvelopeError('ENVELOPE_MALFORMED', 'protected.recipients must be a non-empty array');
  recipients.forEach((entry: unknown, index) => {
    const recipient = entry as { encrypted_key?: unknown; header?: Record<string, unknown> } | null;
    const where = `protected.recipients[${index}]`;
    if (typeof recipient?.encrypted_key !== 'string') throw new EnvelopeError('ENVELOPE_MALFORMED', `${where}.encrypted_key must be a string`);
    if (typeof recipient.header?.['kid'] !== 'string') throw new EnvelopeError('ENVELOPE_MALFORMED', `${where}.header.kid must be a string`);
    if (alg === 'Authcrypt' && (typeof recipient.header['sender'] !== 'string' || typeof recipient.header['iv'] !== 'string')) {
      throw new EnvelopeError('ENVELOPE_MALFORMED', `${where}.header needs "sender" and "iv" strings in an Authcrypt envelope`);
    }
  });
  return { header, alg, recipients: recipients as { encrypted_key: string; header: RecipientHeader }[] };
}

/**
 * Unpacks an envelope (object, JSON text or bytes) with whichever of `keys` it was encrypted to.
 * Throws an EnvelopeError whose code and message say what was wrong, and where.
 */
export function unpackRfc0019(input: unknown, keys: readonly KeyPair[]): UnpackedMessage {
  const envelope = parseEnvelope(input);
  const { header, alg, recipients } = parseHeader(envelope);
  const iv = fromBase64Url(envelope.iv, 'iv');
  const ciphertext = fromBase64Url(envelope.ciphertext, 'ciphertext');
  const tag = fromBase64Url(envelope.tag, 'tag');
  let index = -1;
  const key = keys.find((candidate) => (index = recipients.findIndex((r) => r.header.kid === candidate.verkey)) >= 0);
  if (!key) throw new EnvelopeError('ENVELOPE_NOT_FOR_US', `no recipient kid is ours: ${recipients.map((r) => r.header.kid.slice(0, 60)).join(', ')}`);
  const recipient = recipients[index]!;
  const where = `protected.recipients[${index}]`;
  const ourPublic = x25519Public(key.verkey);
  const ourSecret = sodium.crypto_sign_ed25519_sk_to_curve25519(key.secretKey);
  const encryptedKey = fromBase64Url(recipient.encrypted_key, `${where}.encrypted_key`);
  let cek: Uint8Array;
  let senderVerkey: string | undefined;
  if (alg === 'Authcrypt') {
    let senderBytes: Uint8Array;
    try {
      senderBytes = sodium.crypto_box_seal_open(fromBase64Url(recipient.header.sender, `${where}.header.sender`), ourPublic, ourSecret);
    } catch (cause) {
      if (cause instanceof EnvelopeError) throw cause;
      throw new EnvelopeError('ENVELOPE_BAD_SENDER', `${where}.header.sender does not decrypt with our key`, { cause });
    }
    try {
      senderVerkey = decoder.decode(senderBytes);
      if (bs58.decode(senderVerkey).length !== 32) throw new Error('not 32 bytes');
    } catch (cause) {
      throw new EnvelopeError('ENVELOPE_BAD_SENDER', `${where}.header.sender decrypts to something that is not a base58 Ed25519 verkey`, { cause });
    }
    const nonce = fromBase64Url(recipient.header.iv, `${where}.header.iv`);
    try {
      cek = sodium.crypto_box_open_easy(encryptedKey, nonce, x25519Public(senderVerkey), ourSecret);
    } catch (cause) {
      throw new EnvelopeError('ENVELOPE_DECRYPT_FAILED', `${where}.encrypted_key does not open with our key and sender ${senderVerkey}`, { cause });
    }
  } else {
    try {
      cek = sodium.crypto_box_seal_open(encryptedKey, ourPublic, ourSecret);
    } catch (cause) {
      throw new EnvelopeError('ENVELOPE_DECRYPT_FAILED', `${where}.encrypted_key does not open with our key`, { cause });
    }
  }
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt_detached(null, ciphertext, tag, encoder.encode(envelope.protected), iv, cek);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_DECRYPT_FAILED', 'ciphertext, tag, iv or protected fail authentication (tampered or truncated)', { cause });
  }
  let message: string;
  try {
    message = decoder.decode(plain);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_MALFORMED', 'the decrypted content is not UTF-8', { cause });
  }
  return { message, alg, recipientVerkey: key.verkey, header, ...(senderVerkey !== undefined ? { senderVerkey } : {}) };
}
