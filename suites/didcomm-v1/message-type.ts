import type { JsonMessage, MessageMatcher, ReceivedMessage, TestContext } from '../define.js';

export const DIDCOMM_PREFIX = 'https://didcomm.org/';
/** The pre-2020 prefix (Aries RFC 0348): still accepted, with a warning. */
export const LEGACY_PREFIX = 'did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/';

export interface MessageType {
  legacy: boolean;
  family: string;
  major: number;
  minor: number;
  name: string;
}

const TYPE_BODY = /^([A-Za-z0-9_.-]+)\/(\d+)\.(\d+)(?:\.\d+)?\/([A-Za-z0-9_.-]+)$/;
/** Aries RFC 0008: "[-_./a-zA-Z0-9]{8,64}", UUID recommended. */
const MESSAGE_ID = /^[-_./a-zA-Z0-9]{8,64}$/;

/** Aries RFC 0020 message type URI: `<prefix><family>/<major>.<minor>/<name>`. */
export function parseMessageType(type: unknown): MessageType | undefined {
  if (typeof type !== 'string') return undefined;
  const legacy = type.startsWith(LEGACY_PREFIX);
  if (!legacy && !type.startsWith(DIDCOMM_PREFIX)) return undefined;
  const match = TYPE_BODY.exec(type.slice(legacy ? LEGACY_PREFIX.length : DIDCOMM_PREFIX.length));
  if (!match) return undefined;
  return { legacy, family: match[1]!, major: Number(match[2]), minor: Number(match[3]), name: match[4]! };
}

export function messageType(family: string, version: string, name: string): string {
  return `${DIDCOMM_PREFIX}${family}/${version}/${name}`;
}

export function threadId(message: JsonMessage): unknown {
  const thread = message['~thread'];
  return typeof thread === 'object' && thread !== null ? (thread as Record<string, unknown>)['thid'] : undefined;
}

/** Same family, major version and name; any prefix, any minor version (RFC 0003). */
export function ofType(family: string, major: number, name: string): MessageMatcher {
  return (received) => {
    const type = parseMessageType(received.message['@type']);
    return type !== undefined && type.family === family && type.major === major && type.name === name;
  };
}

export function inThread(thid: string): MessageMatcher {
  return (received) => threadId(received.message) === thid;
}

export function both(a: MessageMatcher, b: MessageMatcher): MessageMatcher {
  return (received) => a(received) && b(received);
}

export function describeMessage(received: ReceivedMessage): string {
  const type = received.message['@type'];
  return `${typeof type === 'string' ? type : '(no @type)'} in ${received.file}`;
}

/**
 * The envelope-level checks every message from the agent must pass: a parseable `@type` of the
 * expected family/name and a usable `@id`. Legacy prefix and non-RFC-0008 ids are warnings.
 */
export function checkWellFormed(t: TestContext, received: ReceivedMessage, family: string, major: number, name: string): void {
  const { message } = received;
  const type = parseMessageType(message['@type']);
  t.check(type, `@type ${JSON.stringify(message['@type'])} is not a DIDComm message type URI (Aries RFC 0020) in ${received.file}`);
  t.check(type.family === family && type.major === major && type.name === name, `@type is ${String(message['@type'])}, expected ${family}/${major}.x/${name}`);
  if (type.legacy) t.warn(`@type uses the legacy prefix ${LEGACY_PREFIX}; Aries RFC 0348 says to use ${DIDCOMM_PREFIX}`);
  const id = message['@id'];
  t.check(typeof id === 'string' && id.length > 0, `${name} has no @id (Aries RFC 0008: every message has one) in ${received.file}`);
  if (!MESSAGE_ID.test(id)) t.warn(`@id ${JSON.stringify(id)} does not match Aries RFC 0008's [-_./a-zA-Z0-9]{8,64}`);
}
