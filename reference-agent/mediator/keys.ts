import { didKeyToVerkey, EnvelopeError, verkeyToDidKey } from '../../envelopes/index.js';

/** A recipient key as a client gives it: did:key (RFC 0211, Encoding of keys) or, leniently, a raw base58 verkey. */
export function toVerkey(key: unknown): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return undefined;
  if (!key.startsWith('did:key:')) return /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(key) ? key : undefined;
  try {
    return didKeyToVerkey(key);
  } catch (error) {
    if (error instanceof EnvelopeError) return undefined;
    throw error;
  }
}

export { verkeyToDidKey };
