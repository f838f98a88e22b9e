import { EnvelopeError, looksLikeRfc0019, unpackRfc0019 } from '../envelopes/index.js';
import type { Agent, Message, Via } from './agent.js';

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

/**
 * A message as it came off any transport: plaintext, or an RFC 0019 envelope the agent opens
 * with its key. A bad envelope is refused with the reason (and, with the fault
 * crash-on-bad-envelope, leaves the agent wedged).
 */
export function openMessage(agent: Agent, bytes: Buffer): { message: Message; via: Via } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!looksLikeRfc0019(value)) {
    const parsed = parseMessage(bytes);
    return 'error' in parsed ? parsed : { message: parsed.message, via: { enveloped: false } };
  }
  if (agent.has('first-recipient-only') && !firstRecipientIsOurs(agent, value)) return { error: 'fault first-recipient-only: the first recipient kid is not ours' };
  let opened;
  try {
    opened = unpackRfc0019(value, agent.keysFor(recipientKids(value)));
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    if (agent.has('crash-on-bad-envelope')) agent.wedge();
    return { error: `envelope refused (${error.code}): ${error.message}` };
  }
  if (opened.alg === 'Anoncrypt' && agent.has('authcrypt-only')) return { error: 'fault authcrypt-only: an Anoncrypt envelope' };
  const inner = parseMessage(Buffer.from(opened.message, 'utf8'));
  if ('error' in inner) return { error: `the envelope holds ${inner.error}` };
  return { message: inner.message, via: { enveloped: true, recipient: opened.recipientVerkey, ...(opened.senderVerkey ? { sender: opened.senderVerkey } : {}) } };
}

/** For the fault first-recipient-only: whether protected.recipients[0] names one of the agent's keys. */
function firstRecipientIsOurs(agent: Agent, envelope: { protected: string }): boolean {
  try {
    const header = JSON.parse(Buffer.from(envelope.protected, 'base64url').toString('utf8')) as { recipients?: { header?: { kid?: unknown } }[] };
    const kid = header.recipients?.[0]?.header?.kid;
    return typeof kid === 'string' && agent.keyFor(kid) !== undefined;
  } catch {
    return true;
  }
}

/** The recipient kids of an envelope's protected header; none when it does not parse (unpacking then says why). */
function recipientKids(envelope: { protected: string }): string[] {
  try {
    const header = JSON.parse(Buffer.from(envelope.protected, 'base64url').toString('utf8')) as { recipients?: unknown };
    if (!Array.isArray(header.recipients)) return [];
    return header.recipients.flatMap((recipient: { header?: { kid?: unknown } } | null) => (typeof recipient?.header?.kid === 'string' ? [recipient.header.kid] : []));
  } catch {
    return [];
  }
}
