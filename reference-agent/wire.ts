import type { Message } from './agent.js';

/** A DIDComm v1 plaintext message from bytes, or why it is not one (any transport). */
export function parseMessage(bytes: Buffer): { message: Message } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isMessage(value)) return { error: 'a DIDComm message is a JSON object with string @type and @id' };
  return { message: value };
}

function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Message;
  return typeof message['@type'] === 'string' && typeof message['@id'] === 'string';
}

/** `~transport.return_route` (Aries RFC 0092), if any. */
export function returnRoute(message: Message): unknown {
  const transport = message['~transport'];
  return typeof transport === 'object' && transport !== null ? (transport as Record<string, unknown>)['return_route'] : undefined;
}
