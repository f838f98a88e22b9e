/**
 * What a protocol handler may see of the agent: a small interface below both `agent.ts` and
 * `protocols/*`, so that a protocol (or a plug-in such as the mediator) never imports the agent
 * itself and the agent imports its protocols one way only.
 */
import type { KeyPair } from '../envelopes/index.js';
import type { Fault } from './faults.js';

export type Message = Record<string, unknown>;

/**
 * How a message reached the agent: in plaintext, or in an RFC 0019 envelope (with its proven
 * sender for Authcrypt). Replies go back the same way.
 */
export type Via = ({ enveloped: false } | { enveloped: true; sender?: string; initiated?: boolean; recipient?: string }) & ReplyOverride;

/** Set by a handler whose reply must leave differently (a DID exchange response, from the new key). */
export interface ReplyOverride {
  replyFrom?: KeyPair;
  replyTo?: string;
  replyPlain?: boolean;
}

/** A DID exchange connection the agent answered (keyed by the request @id, the thread). */
export interface Connection {
  keys: KeyPair;
  /** The agent's did:peer:2 for it, and the requester's DID. */
  did: string;
  theirDid: string;
  theirKey: string;
  theirEndpoint?: string;
  state: 'responded' | 'completed';
}

/** A request the agent sent answering someone's invitation (requester side), by request @id. */
export interface PendingRequest {
  keys: KeyPair;
  did: string;
  invitationId: string;
  invitationKey: string;
}

/** A message ready for the wire: its bytes and their media type (Aries RFC 0044). */
export interface Sealed {
  body: string;
  contentType: string;
  enveloped: boolean;
}

/** The agent as its protocols see it. */
export interface AgentApi {
  readonly keys: KeyPair;
  /** Where peers reach it (its inbound endpoint), for the services of its invitations and DIDs. */
  readonly endpoint: string;
  readonly invitations: Set<string>;
  readonly connections: Map<string, Connection>;
  readonly pending: Map<string, PendingRequest>;
  has(fault: Fault): boolean;
  log(line: string): void;
  /** Keeps a message for the backchannel's `received` read-back. */
  record(message: Message): void;
  /** The `@type` of a message the agent sends in a 1.0 family. */
  type(family: string, name: string): string;
  newId(): string;
  /** A connection's or pending request's key joins those envelopes may be for (looked up by verkey). */
  holdKeys(keys: KeyPair): void;
  /** A connection is made: the session's peer is now its key (and its endpoint). */
  startConnection(keys: KeyPair, theirKey: string, theirEndpoint: string | undefined): void;
}

/** One protocol family at major version 1, as a plain object. */
export interface Protocol {
  family: string;
  /** The major version it implements (default 1): another major is refused (RFC 0003). */
  major?: number;
  /** The minor version it implements (default 0): a newer one must be handled as this one. */
  minor?: number;
  /** Message names → the top-level fields each defines besides `@type`/`@id` (decorators aside). */
  messages: Readonly<Record<string, readonly string[]>>;
  /** Takes an accepted message, returns the replies. */
  handle(agent: AgentApi, message: Message, name: string, via: Via): Message[];
}

/** A connection that carries messages back to a peer while it stays open (a WebSocket it opened with return route "all", RFC 0092). */
export interface Session {
  /** False when the connection is gone. */
  send(body: string): boolean;
  onClose(listener: () => void): void;
}

/**
 * A role the agent plugs in (the mediator): its protocols, the keys envelopes to it may be for,
 * and what it does with a peer's open connection. The agent knows the role only through this.
 */
export interface AgentPlugin {
  readonly protocols: readonly Protocol[];
  keys(): KeyPair[];
  attachSession?(sender: string, session: Session): void;
}
