import { randomUUID } from 'node:crypto';
import { AGENT_METADATA_PREFIX, AGENT_METADATA_TYPES, answerMetadataRequest, type InteropProfile } from '../profiles/index.js';
import type { Fault } from './faults.js';
import { LEGACY_PREFIX, parseType, PREFIX } from './message-type.js';
import { basicMessage } from './protocols/basicmessage.js';
import { discoverFeatures } from './protocols/discover-features.js';
import { problemReport, reportProblem } from './protocols/problem-report.js';
import { trustPing } from './protocols/trust-ping.js';

export type Message = Record<string, unknown>;

/** One protocol family at major version 1, as a plain object. */
export interface Protocol {
  family: string;
  /** Message names → the top-level fields each defines besides `@type`/`@id` (decorators aside). */
  messages: Readonly<Record<string, readonly string[]>>;
  /** Takes an accepted message, returns the replies. */
  handle(agent: Agent, message: Message, name: string): Message[];
}

const PROTOCOLS = new Map<string, Protocol>([trustPing, basicMessage, discoverFeatures, reportProblem].map((p) => [p.family, p]));

/** The major version of every family the agent implements (RFC 0003: the major must match). */
export const SUPPORTED_MAJOR = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The agent's brain, transport-free: takes a message, returns the messages it answers with.
 * Session state (peer, received log, fault-induced state) lives between backchannel setups.
 */
export class Agent {
  peer: string | undefined;
  received: Message[] = [];
  /** What the agent self-reports when asked for its interop profile (agent-metadata 1.0). */
  profiles: InteropProfile[] = [];
  /** Set by crash-on-unknown-major: the agent ignores everything until the next setup. */
  private wedged = false;

  constructor(
    readonly faults: ReadonlySet<Fault>,
    readonly log: (line: string) => void,
  ) {}

  has(fault: Fault): boolean {
    return this.faults.has(fault);
  }

  reset(peer?: string): void {
    this.peer = peer;
    this.received = [];
    this.wedged = false;
  }

  record(message: Message): void {
    this.received.push(message);
  }

  /** The `@type` of a message the agent sends. */
  type(family: string, name: string): string {
    return `${this.has('legacy-prefix') ? LEGACY_PREFIX : PREFIX}${family}/1.0/${name}`;
  }

  newId(): string {
    return randomUUID();
  }

  /** `message` has string `@type` and `@id` (the transport checked). */
  handle(message: Message): Message[] {
    const id = message['@id'] as string;
    const rawType = message['@type'] as string;
    if (this.wedged) return this.drop(rawType, 'crash-on-unknown-major');
    // agtest's own family lives outside didcomm.org; the responder is the library any agent can embed.
    if (rawType.startsWith(AGENT_METADATA_PREFIX)) {
      if (rawType === AGENT_METADATA_TYPES.request) return [answerMetadataRequest(message, this.profiles, () => this.newId())];
      this.record(message);
      return [];
    }
    if (this.has('uuid-only-ids') && !UUID.test(id)) return this.drop(rawType, 'uuid-only-ids');
    const type = parseType(rawType);
    const protocol = type && PROTOCOLS.get(type.family);
    if (!type || !protocol) return this.refuse(message, 'unsupported-message-type', `unknown message type ${rawType}`);
    if (type.major !== SUPPORTED_MAJOR && !this.has('wrong-major-handling')) {
      if (this.has('crash-on-unknown-major')) this.wedged = true;
      return this.refuse(message, 'version-not-supported', `${type.family} ${type.major}.${type.minor} is not supported; this agent speaks ${SUPPORTED_MAJOR}.0`);
    }
    const fields = Object.hasOwn(protocol.messages, type.name) ? protocol.messages[type.name] : undefined;
    if (!fields) return this.refuse(message, 'unsupported-message-type', `unknown message type ${rawType}`);
    if (this.has('reject-newer-minor') && type.minor !== 0) return this.drop(rawType, 'reject-newer-minor');
    if (this.has('reject-unknown-fields')) {
      const known = new Set(['@type', '@id', ...fields]);
      if (Object.keys(message).some((key) => !key.startsWith('~') && !known.has(key))) return this.drop(rawType, 'reject-unknown-fields');
    }
    return protocol.handle(this, message, type.name);
  }

  private drop(type: string, fault: Fault): Message[] {
    this.log(`fault ${fault}: dropped ${type}`);
    return [];
  }

  /** Answers with a problem-report, except to a problem-report: two agents must not ping-pong them. */
  private refuse(message: Message, code: string, en: string): Message[] {
    if (String(message['@type']).endsWith('/problem-report')) {
      this.log(`ignored a problem-report it cannot read (${code}): ${String(message['@type'])}`);
      return [];
    }
    this.log(`refused ${String(message['@type'])}: ${code}`);
    return [problemReport(this, message['@id'] as string, code, en)];
  }
}
