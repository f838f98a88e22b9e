import sodium from 'libsodium-wrappers';
import { EnvelopeError } from './errors.js';

/** Padded URL-safe base64, as indy-sdk and ACA-Py write RFC 0019 envelopes. */
export function toBase64Url(bytes: Uint8Array): string {
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE);
}

/** Accepts padded and unpadded URL-safe base64 (implementations differ); `field` names it in the error. */
export function fromBase64Url(text: unknown, field: string): Uint8Array {
  if (typeof text !== 'string') throw new EnvelopeError('ENVELOPE_MALFORMED', `${field} must be a base64url string, got ${text === null ? 'null' : typeof text}`);
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new EnvelopeError('ENVELOPE_MALFORMED', `${field} is not base64url (characters outside A-Z a-z 0-9 - _)`);
  try {
    return sodium.from_base64(text.replace(/=+$/, ''), sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_MALFORMED', `${field} is not valid base64url (length ${text.length})`, { cause });
  }
}
