import type { MessageExtension } from '../../agtalk/index.js';

/** Extensions whose bytes are JSON text: they travel as text frames, everything else as binary. */
const TEXT_KINDS: ReadonlySet<MessageExtension> = new Set(['dm', 'json', 'dcpm', 'dee']);

export function isTextKind(extension: MessageExtension): boolean {
  return TEXT_KINDS.has(extension);
}

/**
 * A WebSocket frame has no Content-Type, so the message kind is read from its shape: DIDComm v1
 * plaintext has `@type`; a JWE whose protected header says `didcomm-encrypted` is DIDComm v2,
 * any other JWE an RFC 0019 envelope; DIDComm v2 plaintext has `type`+`body`, signed has
 * `payload`+`signatures`; other JSON is `.json`. Not JSON at all → undefined (not a message).
 */
export function extensionForFrame(bytes: Buffer): MessageExtension | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'json';
  const object = value as Record<string, unknown>;
  if (typeof object['@type'] === 'string') return 'dm';
  if (typeof object['protected'] === 'string' && 'ciphertext' in object) {
    return /didcomm-encrypted/.test(protectedType(object['protected'])) ? 'dcem' : 'dee';
  }
  if ('payload' in object && Array.isArray(object['signatures'])) return 'dcsm';
  if (typeof object['type'] === 'string' && 'body' in object) return 'dcpm';
  return 'json';
}

function protectedType(encoded: string): string {
  try {
    const header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as { typ?: unknown };
    return typeof header.typ === 'string' ? header.typ : '';
  } catch {
    return '';
  }
}
