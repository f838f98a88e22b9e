export type EnvelopeErrorCode =
  /** Not an RFC 0019 envelope: not JSON, a field missing or of the wrong type, bad base64url. */
  | 'ENVELOPE_MALFORMED'
  /** Well formed, but with an `enc`, `alg` or `typ` this implementation does not speak. */
  | 'ENVELOPE_UNSUPPORTED'
  /** No recipient `kid` is a key we hold. */
  | 'ENVELOPE_NOT_FOR_US'
  /** A key or the content did not decrypt: tampered, truncated, or encrypted to another key. */
  | 'ENVELOPE_DECRYPT_FAILED'
  /** Authcrypt: the sender field does not decrypt to a usable Ed25519 verkey. */
  | 'ENVELOPE_BAD_SENDER'
  /** A did:key or verkey that is not an Ed25519 public key. */
  | 'ENVELOPE_BAD_KEY';

/**
 * Why an envelope could not be packed or unpacked. Suites turn these into test outcomes (an agent
 * sent a malformed envelope) or findings; the reason must name the field that was wrong.
 */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  readonly code: EnvelopeErrorCode;

  constructor(code: EnvelopeErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}
