import { randomUUID } from 'node:crypto';
import { packRfc0019, type KeyPair } from '../envelopes/index.js';
import { AGENT_METADATA_PREFIX, AGENT_METADATA_TYPES, answerMetadataRequest, type InteropProfile } from '../profiles/index.js';
import type { AgentApi, AgentPlugin, Connection, Message, PendingRequest, Protocol, Sealed, Session, Via } from './agent-api.js';
import type { Fault } from './faults.js';
import { LEGACY_PREFIX, parseType, PREFIX } from './message-type.js';
import { basicMessage } from './protocols/basicmessage.js';
import { didExchange } from './protocols/did-exchange.js';
import { outOfBand } from './protocols/out-of-band.js';
import { discoverFeatures } from './protocols/discover-features.js';
import { problemReport, reportProblem } from './protocols/problem-report.js';
import { trustPing } from './protocols/trust-ping.js';

export type { Message, Via, ReplyOverride, Connection, Sealed, Protocol, PendingRequest, AgentPlugin, Session } from './agent-api.js';

const PROTOCOLS: readonly Protocol[] = [trustPing, basicMessage, discoverFeatures, reportProblem, didExchange, outOfBand];

/** The major version of every family the agent implements (RFC 0003: the major must match). */
export const SUPPORTED_MAJOR = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The agent's brain, transport-free: takes a message, returns the messages it answers with.
 * Session state (peer, received log, fault-induced state) lives between backchannel setups.
 */
export class Agent implements AgentApi {
  peer: string | undefined;
  /** agtest's verkey from setup: the agent packs what it sends on its own to it (envelope tests). */
  peerVerkey: string | undefined;
  received: Message[] = [];
  /** Where peers reach it (its inbound endpoint), for the services of its invitations. */
  endpoint = '';
  /** What the agent self-reports when asked for its interop profile (agent-metadata 1.0). */
  profiles: InteropProfile[] = [];
  /** Ids of the out-of-band invitations it made: a DID exchange request must name one (pthid). */
  readonly invitations = new Set<string>();
  /** DID exchange connections by thread; their keys open envelopes as well as the agent's own. */
  readonly connections = new Map<string, Connection>();
  /** Requests it sent answering invitations, by request @id (DID exchange requester). */
  readonly pending = new Map<string, PendingRequest>();
  /** The key of the connection the current session runs on: what it initiates comes from it. */
  private connectionKeys: KeyPair | undefined;
  /** Set by crash-on-unknown-major: the agent ignores everything until the next setup. */
  private wedged = false;
  /**
   * The keys of its connections and pending requests, by verkey. Looked up, not scanned: under load
   * an agent holds thousands, and a scan per message made each one slower than the last.
   */
  private readonly heldKeys = new Map<string, KeyPair>();
  /** Its own protocols and those of the roles plugged in, by family. */
  private readonly protocols: ReadonlyMap<string, Protocol>;

  constructor(
    readonly faults: ReadonlySet<Fault>,
    readonly log: (line: string) => void,
    /** The agent's own Ed25519 key: its RFC 0019 envelopes come from it and are addressed to it. */
    readonly keys: KeyPair,
    /** Roles plugged in (the mediator): their protocols and keys join the agent's. */
    private readonly plugins: readonly AgentPlugin[] = [],
  ) {
    this.protocols = new Map([...PROTOCOLS, ...plugins.flatMap((p) => p.protocols)].map((p) => [p.family, p]));
  }

  has(fault: Fault): boolean {
    return this.faults.has(fault);
  }

  reset(peer?: string, peerVerkey?: string): void {
    this.peer = peer;
    this.peerVerkey = peerVerkey;
    this.connectionKeys = undefined;
    this.received = [];
    this.wedged = false;
  }

  /** crash-on-bad-envelope: like an agent whose handler died, it ignores everything until setup. */
  wedge(): void {
    this.wedged = true;
  }

  /** A DID exchange made a connection: the session's peer is now its key (and its endpoint). */
  startConnection(keys: KeyPair, theirKey: string, theirEndpoint: string | undefined): void {
    this.connectionKeys = keys;
    this.peerVerkey = theirKey;
    if (theirEndpoint) this.peer = theirEndpoint;
  }

  /** Every key an envelope to the agent may be for: its own, its connections' and its pending requests'. */
  allKeys(): KeyPair[] {
    return [this.keys, ...this.heldKeys.values(), ...this.plugins.flatMap((p) => p.keys())];
  }

  /** A connection's or pending request's key joins those envelopes may be for. */
  holdKeys(keys: KeyPair): void {
    this.heldKeys.set(keys.verkey, keys);
  }

  keyFor(verkey: string | undefined): KeyPair | undefined {
    if (verkey === undefined) return undefined;
    if (verkey === this.keys.verkey) return this.keys;
    return this.heldKeys.get(verkey) ?? this.plugins.flatMap((p) => p.keys()).find((key) => key.verkey === verkey);
  }

  /** Which of `kids` (an envelope's recipients) are its keys: its own first, then in their order. */
  keysFor(kids: readonly string[]): KeyPair[] {
    const found = kids.map((kid) => this.keyFor(kid)).filter((key): key is KeyPair => key !== undefined);
    return found.sort((a, b) => Number(b === this.keys) - Number(a === this.keys));
  }

  /** A peer (by its sender key) opened a connection that can carry messages back: the plug-ins may use it. */
  attachSession(sender: string, session: Session): void {
    for (const plugin of this.plugins) plugin.attachSession?.(sender, session);
  }

  /** How the agent sends what it initiates: packed to the peer's key when setup gave one. */
  initiatedVia(): Via {
    return this.peerVerkey && !this.has('plaintext-outbound') ? { enveloped: true, sender: this.peerVerkey, initiated: true } : { enveloped: false };
  }

  /**
   * Puts a message on the wire the way `via` says: plaintext JSON, or an Authcrypt envelope from
   * the agent's key to the sender (or, for an Anoncrypt message, to the peer from setup).
   * Undefined when an enveloped reply has nobody to be encrypted to.
   */
  seal(message: Message, via: Via): Sealed | undefined {
    const json = JSON.stringify(message);
    if (!via.enveloped || via.replyPlain) return { body: json, contentType: this.has('wrong-content-type') ? 'application/didcomm-envelope-enc' : 'application/json', enveloped: false };
    const to = via.replyTo ?? via.sender ?? this.peerVerkey;
    if (!to) {
      this.log(`cannot answer ${String(message['@type'])} in an envelope: an Anoncrypt message names no sender and setup gave no key`);
      return undefined;
    }
    // Replies come from the key the message was for; what it initiates, from the connection's key.
    const from = via.replyFrom ?? (via.initiated ? this.connectionKeys : this.keyFor(via.recipient)) ?? this.keys;
    const envelope = packRfc0019(json, [to], this.has('anoncrypt-replies') && !via.initiated ? undefined : from);
    if (via.initiated && this.has('corrupt-outbound-envelope')) {
      const bytes = Buffer.from(envelope.ciphertext, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      envelope.ciphertext = bytes.toString('base64url');
    }
    return { body: JSON.stringify(envelope), contentType: this.has('wrong-content-type') ? 'application/json' : 'application/didcomm-envelope-enc', enveloped: true };
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
  handle(message: Message, via: Via = { enveloped: false }): Message[] {
    const id = message['@id'] as string;
    const rawType = message['@type'] as string;
    if (this.wedged) return this.drop(rawType, this.has('crash-on-bad-envelope') ? 'crash-on-bad-envelope' : 'crash-on-unknown-major');
    // agtest's own family lives outside didcomm.org; the responder is the library any agent can embed.
    if (rawType.startsWith(AGENT_METADATA_PREFIX)) {
      if (rawType === AGENT_METADATA_TYPES.request) return [answerMetadataRequest(message, this.profiles, () => this.newId())];
      this.record(message);
      return [];
    }
    if (this.has('uuid-only-ids') && !UUID.test(id)) return this.drop(rawType, 'uuid-only-ids');
    const type = parseType(rawType);
    const protocol = type && this.protocols.get(type.family);
    if (!type || !protocol) return this.refuse(message, 'unsupported-message-type', `unknown message type ${rawType}`);
    const major = protocol.major ?? SUPPORTED_MAJOR;
    if (type.major !== major && !this.has('wrong-major-handling')) {
      if (this.has('crash-on-unknown-major')) this.wedged = true;
      return this.refuse(message, 'version-not-supported', `${type.family} ${type.major}.${type.minor} is not supported; this agent speaks ${major}.0`);
    }
    const fields = Object.hasOwn(protocol.messages, type.name) ? protocol.messages[type.name] : undefined;
    if (!fields) return this.refuse(message, 'unsupported-message-type', `unknown message type ${rawType}`);
    if (this.has('reject-newer-minor') && type.minor > (protocol.minor ?? 0)) return this.drop(rawType, 'reject-newer-minor');
    if (this.has('reject-unknown-fields')) {
      const known = new Set(['@type', '@id', ...fields]);
      if (Object.keys(message).some((key) => !key.startsWith('~') && !known.has(key))) return this.drop(rawType, 'reject-unknown-fields');
    }
    return protocol.handle(this, message, type.name, via);
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
