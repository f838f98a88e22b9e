import { TestFailure, type JsonMessage, type MessageMatcher, type ReceivedMessage, type Rule, type TestContext, type TransportEvent } from '../define.js';

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

function parentThreadId(message: JsonMessage): unknown {
  const thread = message['~thread'];
  return typeof thread === 'object' && thread !== null ? (thread as Record<string, unknown>)['pthid'] : undefined;
}

/**
 * A reply to the message `id`: threaded to it (Aries RFC 0008 `~thread.thid`), or a problem-report
 * triggered by it (Aries RFC 0035 puts the triggering message's `@id` in `~thread.pthid`).
 */
export function repliesTo(id: string): MessageMatcher {
  return (received) => threadId(received.message) === id || parentThreadId(received.message) === id;
}

/**
 * Aries RFC 0035 problem-report: `report-problem/1.0/problem-report` (its PIURI) or
 * `notification/1.0/problem-report` (the type of the RFC's own sample, sent by several frameworks).
 */
export const isProblemReport: MessageMatcher = (received) => {
  const type = parseMessageType(received.message['@type']);
  return type !== undefined && type.major === 1 && type.name === 'problem-report' && (type.family === 'report-problem' || type.family === 'notification');
};

/** RFC 0035's code: `description.code`, or `description~l10n.code` as in the RFC's sample. */
export function problemCode(message: JsonMessage): unknown {
  const description = message['description'];
  if (typeof description === 'object' && description !== null && 'code' in description) return (description as Record<string, unknown>)['code'];
  const l10n = message['description~l10n'];
  return typeof l10n === 'object' && l10n !== null ? (l10n as Record<string, unknown>)['code'] : undefined;
}

/** A problem-report in words, for reasons: its code and its English text when it has them. */
export function describeProblem(received: ReceivedMessage): string {
  const description = received.message['description'];
  const text = typeof description === 'string' ? description : typeof description === 'object' && description !== null ? (description as Record<string, unknown>)['en'] : undefined;
  return `a problem-report (code ${JSON.stringify(problemCode(received.message) ?? null)}${typeof text === 'string' ? `: ${JSON.stringify(text.slice(0, 200))}` : ''}) in ${received.file}`;
}

export function both(a: MessageMatcher, b: MessageMatcher): MessageMatcher {
  return (received) => a(received) && b(received);
}

export function describeMessage(received: ReceivedMessage): string {
  const type = received.message['@type'];
  return `${typeof type === 'string' ? type : '(no @type)'} in ${received.file}`;
}

/**
 * The rules checkWellFormed judges, for a test's `rules`. `id` says how binding an `@id` is on
 * this message: `required` where its protocol says so (with the citation), else agtest policy
 * (RFC 0008 defines `@id` but no RFC 2119 keyword makes every message carry one).
 */
export function wellFormedRules(name: string, id: { required: string } | 'policy'): Rule[] {
  return [
    { id: 'type-uri', level: 'MUST', cite: 'Aries RFC 0020 (Message Types), Protocol Identifier URI', text: `the ${name}'s @type is a message type URI <prefix><family>/<major>.<minor>/<name> of the expected family and name` },
    { id: 'type-prefix', level: 'SHOULD', cite: 'Aries RFC 0348 (Transition Message Type to HTTPs)', text: `the @type uses the ${DIDCOMM_PREFIX} prefix (the legacy ${LEGACY_PREFIX} is accepted)` },
    id === 'policy'
      ? { id: 'id-present', level: 'policy', cite: 'Aries RFC 0008, Message IDs (the sender creates the @id; no keyword requires one on every message)', text: `the ${name} has an @id, so that a reply can be threaded to it` }
      : { id: 'id-present', level: 'MUST', cite: id.required, text: `the ${name} has an @id` },
    { id: 'id-format', level: 'SHOULD', cite: 'Aries RFC 0008, Message ID Requirements (listed without an RFC 2119 keyword)', text: 'the @id matches [-_./a-zA-Z0-9]{8,64}' },
  ];
}

/**
 * The checks every message from the agent must pass, judged by the rules of wellFormedRules
 * (which the calling test declares): a parseable `@type` of the expected family/name, an `@id`.
 */
export function checkWellFormed(t: TestContext, received: ReceivedMessage, family: string, major: number, name: string): void {
  const { message } = received;
  const type = parseMessageType(message['@type']);
  const typeOk = type !== undefined && type.family === family && type.major === major && type.name === name;
  t.verify('type-uri', typeOk, type ? `@type is ${String(message['@type'])}, expected ${family}/${major}.x/${name}` : `@type ${JSON.stringify(message['@type'])} is not a DIDComm message type URI in ${received.file}`);
  t.verify('type-prefix', !type?.legacy, `@type uses the legacy prefix ${LEGACY_PREFIX}, not ${DIDCOMM_PREFIX}`);
  const id = message['@id'];
  if (t.verify('id-present', typeof id === 'string' && id.length > 0, `the ${name} has no @id (in ${received.file})`)) {
    t.verify('id-format', MESSAGE_ID.test(id as string), `@id ${JSON.stringify(id)} does not match [-_./a-zA-Z0-9]{8,64}`);
  }
}

/**
 * The adapter's final word on an outbox file (`sent` or `undeliverable`), waiting as long as the
 * adapter keeps reporting retries of it: a message the adapter is still retrying must not eat the
 * next message's time. Undefined when the transport said nothing for `timeoutMs` (the agent holds
 * the message). Every failed attempt is in `attempts` (an HTTP 5xx is evidence, whatever the
 * retry settings).
 */
export async function deliveryOf(t: TestContext, file: string, timeoutMs?: number): Promise<{ final?: TransportEvent; attempts: TransportEvent[] }> {
  const attempts = () => t.transportEvents((e) => e.type === 'retrying' && e.file === file);
  for (;;) {
    const seen = attempts().length;
    const next = await t
      .transportEvent((e) => (e.type === 'sent' || e.type === 'undeliverable' || (e.type === 'retrying' && e.attempt > seen)) && e.file === file, {
        description: `the transport's outcome for ${file}`,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      })
      .catch((error: unknown) => {
        if (error instanceof TestFailure) return undefined;
        throw error;
      });
    if (next === undefined) return { attempts: attempts() };
    if (next.type !== 'retrying') return { final: next, attempts: attempts() };
  }
}

/** The HTTP error statuses the agent answered `file` with (each attempt, the final one included). */
export function errorStatuses(delivery: { final?: TransportEvent; attempts: TransportEvent[] }): number[] {
  return [...delivery.attempts, ...(delivery.final ? [delivery.final] : [])].flatMap((e) => ((e.type === 'retrying' || e.type === 'undeliverable') && e.status !== undefined ? [e.status] : []));
}

export function either(a: MessageMatcher, b: MessageMatcher): MessageMatcher {
  return (received) => a(received) || b(received);
}

/**
 * Like TestContext.receive, but a message that does not come is a value (undefined), so that the
 * test judges its absence by a rule (verify) instead of stopping.
 */
export async function receiveOrNothing(t: TestContext, match: MessageMatcher, description: string, timeoutMs?: number): Promise<ReceivedMessage | undefined> {
  return t.receive(match, { description, ...(timeoutMs === undefined ? {} : { timeoutMs }) }).catch((error: unknown) => {
    if (error instanceof TestFailure) return undefined;
    throw error;
  });
}

/** Waits `ms` (default: agtest's silence window, `timeouts.silenceMs`) inside the test. */
export async function pause(t: TestContext, ms?: number): Promise<void> {
  await t.expectSilence(() => false, { description: 'nothing (a pause)', ...(ms === undefined ? {} : { windowMs: ms }) });
}

/**
 * A promise that settles when agtest's message wait (`timeouts.messageMs`) has passed, counted
 * from now: read-back polls until then, so a slow store is the agent's time, not a fixed budget.
 */
export function messageDeadline(t: TestContext): { passed(): boolean; wait: Promise<void> } {
  let passed = false;
  const wait = t.receive(() => false, { description: 'the end of the message wait' }).then(
    () => undefined,
    () => {
      passed = true;
    },
  );
  return { passed: () => passed, wait };
}

/** Polls agact `received` until a message of `type` matching `match` shows, for at most the message wait. */
export async function readBack(t: TestContext, type: string, match: (message: Record<string, unknown>) => boolean): Promise<boolean> {
  const deadline = messageDeadline(t);
  // Short pauses first: a store that is a few milliseconds behind should not cost a whole interval.
  for (let pauseMs = 20; ; pauseMs = Math.min(pauseMs * 2, 150)) {
    const passed = deadline.passed();
    const answer = (await t.act('received', { type })) as { messages?: unknown } | undefined;
    t.check(answer !== undefined && Array.isArray(answer.messages), `agact received must print {"messages":[...]}, got ${JSON.stringify(answer)}`);
    if (answer.messages.some((message) => typeof message === 'object' && message !== null && match(message as Record<string, unknown>))) return true;
    if (passed) return false;
    await Promise.race([deadline.wait, new Promise((resolve) => setTimeout(resolve, pauseMs))]);
  }
}
