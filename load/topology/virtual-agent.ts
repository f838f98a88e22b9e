/**
 * A virtual agent: its own keys and a did:peer:2 whose service routes through the mediator under
 * test (the grant's routing keys, Aries RFC 0211), mediated over its own WebSocket. Setting it up
 * is DID exchange with the mediator (RFC 0023), mediate-request, keylist-update (its DID key) and
 * pickup 2.0 live mode (RFC 0685) on the socket. A message to another agent is a trust ping
 * (RFC 0048, response_requested) packed for that agent, wrapped in `forward` (RFC 0094) for the
 * mediator's routing key and sent to the mediator (the endpoint of the recipient's DID service) on
 * a sender socket of its own; the ping_response comes back the same way, on the recipient's
 * mediated socket.
 */
import { randomUUID } from 'node:crypto';
import { AgtestError } from '../../common/index.js';
import { createKeyPairSync, createPeerDid2, didKeyToVerkey, EnvelopeError, packRfc0019, resolvePeerDid2, verkeyToDidKey, type KeyPair } from '../../envelopes/index.js';
import { connect, type DidcommConnection } from '../didcomm/peer.js';
import type { Message } from '../didcomm/channel.js';
import type { ReadInvitation } from '../didcomm/invitation.js';
import { LoadStepError } from '../scenario.js';
import { MediatedLink } from './mediated-link.js';
import { ForwardSocket } from './forward-socket.js';

const PREFIX = 'https://didcomm.org/';
const RETURN_ROUTE = { '~transport': { return_route: 'all' } };
/** Most messages one pickup delivery-request asks for, and most rounds after a reconnect (bounded). */
const PICKUP_LIMIT = 100;
const PICKUP_ROUNDS = 50;

/** How others reach an agent: what its did:peer:2 resolves to. */
export interface Route {
  recipientKey: string;
  routingKeys: string[];
  endpoint: string;
}

/** Every agent's route by its DID key: how a virtual agent answers a ping from another (their DIDs were exchanged in-process). */
export type Directory = Map<string, Route>;

/** Whom a ping goes to: an agent of this process, or of another shard (known by its DID). */
export interface Peer {
  readonly index: number;
  readonly route: Route | undefined;
}

/** Another shard's agent, from the DID it published: what its did:peer:2 resolves to is how to reach it. */
export function peerFromDid(index: number, did: string): Peer {
  const service = resolvePeerDid2(did).services[0];
  if (!service) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `another shard's agent ${index}: its DID ${did.slice(0, 40)}… names no service to reach it by`);
  return { index, route: { recipientKey: service.recipientKeys[0]!, routingKeys: service.routingKeys, endpoint: service.serviceEndpoint } };
}

export type SetupStep = 'open WebSocket' | 'DID exchange' | 'mediate-request' | 'keylist-update' | 'live mode (pickup 2.0 live-delivery-change)';

/** A setup step that failed: which agent, which step, why. */
export class SetupError extends Error {
  constructor(
    readonly agent: number,
    readonly step: SetupStep,
    message: string,
    cause?: unknown,
  ) {
    super(`virtual agent ${agent}: ${step} failed: ${message}`, { cause });
    this.name = 'SetupError';
  }
}

/** The type's family, major version and name (either prefix, any minor: Aries RFC 0003). */
const isType = (message: Message | undefined, family: string, major: number, name: string): boolean =>
  message !== undefined && new RegExp(`^(?:https://didcomm\\.org/|did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/)${family}/${major}\\.\\d+/${name}$`).test(String(message['@type']));

/** A key as a mediator gives it: did:key (RFC 0211, Encoding of keys) or a raw base58 verkey. */
function verkeyOf(key: unknown): string | undefined {
  if (typeof key !== 'string') return undefined;
  try {
    return key.startsWith('did:key:') ? didKeyToVerkey(key) : /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(key) ? key : undefined;
  } catch (error) {
    if (error instanceof EnvelopeError) return undefined;
    throw error;
  }
}

/**
 * RFC 0094: packed to the recipient, wrapped in a forward per routing key (innermost for the last),
 * each Anoncrypt to its key. With `from`, the outermost (the one the sender's own mediator opens) is
 * Authcrypt from that key and asks for the return route (RFC 0092): Credo closes a WebSocket on any
 * message that does not, and an Anoncrypt one cannot (it names no sender to route back to). The
 * mediator is that forward's direct recipient; the message it forwards carries no return route
 * (RFC 0092: "Use on messages that will be forwarded is not allowed").
 */
export function wrapForward(envelope: string, route: Route, from?: KeyPair): string {
  let to = route.recipientKey;
  let msg: unknown = JSON.parse(envelope);
  const keys = route.routingKeys;
  if (keys.length === 0) return envelope;
  for (let i = keys.length - 1; i >= 0; i -= 1) {
    const outer = i === 0 && from !== undefined;
    const forward = { '@type': `${PREFIX}routing/1.0/forward`, '@id': randomUUID(), to, msg, ...(outer ? RETURN_ROUTE : {}) };
    msg = packRfc0019(JSON.stringify(forward), [keys[i]!], outer ? from : undefined);
    to = keys[i]!;
  }
  return JSON.stringify(msg);
}

export interface VirtualAgentCounters {
  /** Pings this agent answered. */
  answered: number;
  /** Pings it could not answer (unknown sender, a send that failed). */
  answerFailures: number;
  /** Messages picked up by delivery-request after a reconnect. */
  pickedUp: number;
}

export class VirtualAgent {
  readonly link: MediatedLink;
  /** The key of its public did:peer:2 (what peers pack to and the mediator routes). */
  readonly didKeys: KeyPair = createKeyPairSync();
  connection: DidcommConnection | undefined;
  did = '';
  route: Route | undefined;
  readonly counters: VirtualAgentCounters = { answered: 0, answerFailures: 0, pickedUp: 0 };
  private readonly lifetime = new AbortController();
  /** Where this agent sends forwards, by mediator endpoint (every recipient's route names one). */
  private readonly senders = new Map<string, ForwardSocket>();

  constructor(
    readonly index: number,
    private readonly directory: Directory,
    endpoint: string,
    private readonly stepTimeoutMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.link = new MediatedLink(endpoint, {
      onMessage: (message, sender) => this.onMessage(message, sender),
      onReconnect: () => this.recover(),
      log: (line) => this.log(`virtual agent ${index}: ${line}`),
    });
    this.link.addKey(this.didKeys);
  }

  private async step<T>(step: SetupStep, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.stepTimeoutMs), this.lifetime.signal]);
    try {
      return await fn(signal);
    } catch (error) {
      const reason = signal.aborted && !this.lifetime.signal.aborted ? `no answer within ${this.stepTimeoutMs} ms` : (error as Error).message;
      throw new SetupError(this.index, step, reason, error);
    }
  }

  /**
   * Connects to the mediator and gets mediation; throws SetupError naming the step that failed.
   * `register: false` skips keylist-update (a fault of the agent's own): a correct mediator must
   * then deliver nothing for its DID key (RFC 0094, RFC 0211), so every ping to it is lost.
   */
  async setUp(invitation: ReadInvitation, options: { register?: boolean } = {}): Promise<void> {
    await this.step('open WebSocket', (signal) => this.link.open(signal));
    const connection = await this.step('DID exchange', (signal) => connect(this.link, invitation, signal, `agtest virtual agent ${this.index}`));
    this.connection = connection;
    const grant = await this.step('mediate-request', async (signal) => {
      const answer = await this.toMediator({ '@type': `${PREFIX}coordinate-mediation/1.0/mediate-request` }, signal);
      if (isType(answer, 'coordinate-mediation', 1, 'mediate-deny')) throw new Error('the mediator denied mediation (mediate-deny)');
      if (!isType(answer, 'coordinate-mediation', 1, 'mediate-grant')) throw new Error(`the mediator answered with ${String(answer?.['@type'])}, not a mediate-grant`);
      const keys = (Array.isArray(answer!['routing_keys']) ? (answer!['routing_keys'] as unknown[]) : []).map(verkeyOf);
      if (keys.length === 0 || keys.some((key) => key === undefined)) throw new Error(`the mediate-grant's routing_keys ${JSON.stringify(answer!['routing_keys'])} are not keys to wrap a forward to`);
      const endpoint = typeof answer!['endpoint'] === 'string' && answer!['endpoint'] !== '' ? answer!['endpoint'] : this.link.endpoint;
      return { routingKeys: keys as string[], endpoint };
    });
    if (options.register !== false) await this.step('keylist-update', async (signal) => {
      const recipient = verkeyToDidKey(this.didKeys.verkey);
      const answer = await this.toMediator({ '@type': `${PREFIX}coordinate-mediation/1.0/keylist-update`, updates: [{ recipient_key: recipient, action: 'add' }] }, signal);
      if (!isType(answer, 'coordinate-mediation', 1, 'keylist-update-response')) throw new Error(`the mediator answered with ${String(answer?.['@type'])}, not a keylist-update-response`);
      const updated = Array.isArray(answer!['updated']) ? (answer!['updated'] as Record<string, unknown>[]) : [];
      const result = updated.find((u) => verkeyOf(u?.['recipient_key']) === this.didKeys.verkey)?.['result'];
      if (result !== undefined && result !== 'success' && result !== 'no_change') throw new Error(`the mediator did not register the key: result ${JSON.stringify(result)}`);
    });
    await this.step('live mode (pickup 2.0 live-delivery-change)', (signal) => this.liveMode(signal));
    this.did = createPeerDid2(this.didKeys.verkey, grant.endpoint, grant.routingKeys.map(verkeyToDidKey));
    // The route others use is what the DID resolves to, not what we meant to put in it.
    const service = resolvePeerDid2(this.did).services[0]!;
    this.route = { recipientKey: service.recipientKeys[0]!, routingKeys: service.routingKeys, endpoint: service.serviceEndpoint };
    this.directory.set(this.didKeys.verkey, this.route);
    // The socket its forwards go out on, opened now: a ping's latency is the mediator's routing, not a handshake.
    await this.step('open WebSocket', (signal) => this.sender(this.route!).warm(signal));
  }

  /** A message to the mediator on the connection, Authcrypt, return route all; resolves its answer (same thread). */
  private async toMediator(fields: Message, signal: AbortSignal): Promise<Message | undefined> {
    const connection = this.connection!;
    const id = randomUUID();
    const body = JSON.stringify(packRfc0019(JSON.stringify({ '@id': id, ...fields, ...RETURN_ROUTE }), [connection.theirKey], connection.keys));
    return this.link.exchange(body, id, signal);
  }

  private async liveMode(signal: AbortSignal): Promise<void> {
    const answer = await this.toMediator({ '@type': `${PREFIX}messagepickup/2.0/live-delivery-change`, live_delivery: true }, signal);
    if (!isType(answer, 'messagepickup', 2, 'status')) throw new Error(`the mediator answered with ${String(answer?.['@type'])}, not a pickup status`);
    if (answer!['live_delivery'] === false) throw new Error('the mediator\'s status says live_delivery false: it will not deliver on this socket');
  }

  /**
   * After a lost socket: live mode again on the new one (RFC 0685: a new connection starts with it
   * off), then delivery-request until the queue is empty, each batch acknowledged (messages-received).
   */
  private async recover(): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.stepTimeoutMs * 4), this.lifetime.signal]);
    await this.liveMode(signal);
    for (let round = 0; round < PICKUP_ROUNDS; round += 1) {
      const answer = await this.toMediator({ '@type': `${PREFIX}messagepickup/2.0/delivery-request`, limit: PICKUP_LIMIT }, signal);
      if (!isType(answer, 'messagepickup', 2, 'delivery')) return;
      const attachments = Array.isArray(answer!['~attach']) ? (answer!['~attach'] as Record<string, unknown>[]) : [];
      const ids: string[] = [];
      for (const attachment of attachments) {
        const text = attachmentText(attachment['data']);
        if (typeof attachment['@id'] === 'string') ids.push(attachment['@id']);
        if (text === undefined) continue;
        this.counters.pickedUp += 1;
        this.link.deliverEnvelope(text);
      }
      if (ids.length === 0) return;
      await this.toMediator({ '@type': `${PREFIX}messagepickup/2.0/messages-received`, message_id_list: ids }, signal);
    }
  }

  /** Sends a trust ping to `to` through the mediator; resolves when its ping_response is back. */
  async ping(to: Peer, signal: AbortSignal): Promise<void> {
    const route = to.route;
    if (!route) throw new LoadStepError('other', `virtual agent ${to.index} has no route (not set up)`);
    const id = randomUUID();
    const ping = { '@type': `${PREFIX}trust_ping/1.0/ping`, '@id': id, response_requested: true };
    // The outer forward comes from the DID key, not the mediation connection's: the mediator sees no client in it.
    const body = wrapForward(JSON.stringify(packRfc0019(JSON.stringify(ping), [route.recipientKey], this.didKeys)), route, this.didKeys);
    const answer = await this.link.answerTo(id, () => this.sender(route).send(body, signal), signal);
    if (!isType(answer, 'trust_ping', 1, 'ping_response')) throw new LoadStepError('protocol', `agent ${to.index} answered a trust ping with ${String(answer?.['@type'])}, not a ping_response`);
  }

  /** A peer's message, delivered by the mediator: a ping is answered the same way it came. */
  private onMessage(message: Message, sender: string | undefined): void {
    if (!isType(message, 'trust_ping', 1, 'ping') || message['response_requested'] === false) return;
    const route = sender ? this.directory.get(sender) : undefined;
    if (!route) {
      this.counters.answerFailures += 1;
      this.log(`virtual agent ${this.index}: a ping from ${sender ?? 'an anonymous sender'}, no agent it knows: not answered`);
      return;
    }
    const response = { '@type': `${PREFIX}trust_ping/1.0/ping_response`, '@id': randomUUID(), '~thread': { thid: message['@id'] } };
    const body = wrapForward(JSON.stringify(packRfc0019(JSON.stringify(response), [route.recipientKey], this.didKeys)), route, this.didKeys);
    const signal = AbortSignal.any([AbortSignal.timeout(this.stepTimeoutMs), this.lifetime.signal]);
    this.sender(route).send(body, signal).then(
      () => void (this.counters.answered += 1),
      (error: unknown) => {
        this.counters.answerFailures += 1;
        this.log(`virtual agent ${this.index}: could not answer a ping: ${(error as Error).message}`);
      },
    );
  }

  /** The sender to a route's mediator: forwards go there as from any sender, not on this agent's mediated socket. */
  private sender(route: Route): ForwardSocket {
    let sender = this.senders.get(route.endpoint);
    if (!sender) this.senders.set(route.endpoint, (sender = new ForwardSocket(route.endpoint)));
    return sender;
  }

  close(): void {
    this.lifetime.abort(new LoadStepError('other', 'the virtual agent closed'));
    this.link.close();
    for (const sender of this.senders.values()) sender.close();
  }
}

/** An RFC 0017 attachment's data as the envelope text: base64 (RFC 0685's example) or json. */
function attachmentText(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const fields = data as Record<string, unknown>;
  if (typeof fields['base64'] === 'string') return Buffer.from(fields['base64'], 'base64').toString('utf8');
  if (typeof fields['json'] === 'string') return fields['json'];
  if (typeof fields['json'] === 'object' && fields['json'] !== null) return JSON.stringify(fields['json']);
  return undefined;
}
