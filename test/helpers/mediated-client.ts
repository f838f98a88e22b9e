/**
 * A mediation client over a real WebSocket, for tests of a mediator under load faults: connects by
 * out-of-band + DID exchange (load/didcomm/peer.ts), asks for mediation (RFC 0211), registers an
 * inbox key, turns Live Mode on (RFC 0685) and keeps what arrives for that key. It can reconnect
 * and pick up (delivery-request, messages-received) what waited at the mediator meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { createKeyPairSync, packRfc0019, unpackRfc0019, verkeyToDidKey, didKeyToVerkey, type KeyPair } from '../../envelopes/index.js';
import { WsChannel, type Message } from '../../load/didcomm/channel.js';
import { readInvitationUrl, type ReadInvitation } from '../../load/didcomm/invitation.js';
import { connect, type DidcommConnection } from '../../load/didcomm/peer.js';

const PREFIX = 'https://didcomm.org/';
const RETURN_ROUTE = { '~transport': { return_route: 'all' } };

/** A channel that also keeps what no one waits for: the forwarded messages delivered live. */
class InboxChannel extends WsChannel {
  constructor(
    endpoint: string,
    private readonly inbox: KeyPair,
    private readonly onInbox: (message: Message) => void,
  ) {
    super(endpoint);
  }

  protected override deliver(text: string): void {
    const envelope = JSON.parse(text) as { protected?: string };
    const header = JSON.parse(Buffer.from(String(envelope.protected), 'base64url').toString('utf8')) as { recipients?: { header?: { kid?: string } }[] };
    if (header.recipients?.some((r) => r.header?.kid === this.inbox.verkey)) this.onInbox(JSON.parse(unpackRfc0019(envelope, [this.inbox]).message) as Message);
    else super.deliver(text);
  }
}

export interface MediatedClient {
  /** The recipient key others forward to. */
  inboxKey: string;
  routingKey: string;
  /** Messages that reached the inbox key (live or picked up), in order. */
  received: Message[];
  /** Sends `inner` to `recipient` through the mediator: Anoncrypt to it, wrapped in a forward to the routing key (RFC 0094). */
  sendTo(recipient: string, inner: Message): Promise<void>;
  /** A new WebSocket after the old one was dropped, with Live Mode on again. */
  reconnect(): Promise<void>;
  /** delivery-request until the queue is empty (each batch acknowledged by messages-received); the number picked up. */
  pickUp(limit?: number): Promise<number>;
  close(): void;
}

/** Connects, mediates and registers; `register: false` leaves the inbox key unregistered. */
export async function startMediatedClient(invitationUrl: string, options: { register?: boolean; timeoutMs?: number } = {}): Promise<MediatedClient> {
  // One deadline per step: a signal shared by every exchange would gather a listener per exchange.
  const deadline = () => AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const invitation: ReadInvitation = readInvitationUrl(invitationUrl, 'ws');
  const inbox = createKeyPairSync();
  const received: Message[] = [];
  const open = async (): Promise<InboxChannel> => {
    const channel = new InboxChannel(invitation.endpoint, inbox, (m) => received.push(m));
    await channel.open(deadline());
    return channel;
  };
  let channel = await open();
  const connection: DidcommConnection = await connect(channel, invitation, deadline(), 'agtest mediated client');
  const ask = async (message: Message, answer = true): Promise<Message | undefined> => {
    const id = randomUUID();
    const body = JSON.stringify(packRfc0019(JSON.stringify({ '@id': id, ...message, ...RETURN_ROUTE }), [connection.theirKey], connection.keys));
    return channel.exchange(body, answer ? id : undefined, deadline());
  };
  const grant = await ask({ '@type': `${PREFIX}coordinate-mediation/1.0/mediate-request` });
  const routingKeys = grant?.['routing_keys'];
  if (!Array.isArray(routingKeys) || typeof routingKeys[0] !== 'string') throw new Error(`no mediate-grant with routing_keys: ${JSON.stringify(grant)}`);
  const routingKey = routingKeys[0].startsWith('did:key:') ? didKeyToVerkey(routingKeys[0]) : routingKeys[0];
  if (options.register !== false) await ask({ '@type': `${PREFIX}coordinate-mediation/1.0/keylist-update`, updates: [{ recipient_key: verkeyToDidKey(inbox.verkey), action: 'add' }] });
  const live = () => ask({ '@type': `${PREFIX}messagepickup/2.0/live-delivery-change`, live_delivery: true });
  await live();
  // Forwards leave on a socket of their own: Credo ties a WebSocket to the connection of the last
  // message on it, and a forward (to its routing key, which no connection has) unties it, so
  // messages for this client would be queued instead of delivered live on its inbox socket.
  let outbox: InboxChannel | undefined;

  return {
    inboxKey: inbox.verkey,
    routingKey,
    received,
    async sendTo(recipient, inner) {
      // Authcrypt from the client's connection key, with the return route: Credo closes a WebSocket
      // on any message that does not ask for it, and an Anoncrypt forward cannot (no sender to route to).
      const forward = { '@type': `${PREFIX}routing/1.0/forward`, '@id': randomUUID(), to: recipient, msg: packRfc0019(JSON.stringify(inner), [recipient]), ...RETURN_ROUTE };
      outbox ??= await open();
      await outbox.exchange(JSON.stringify(packRfc0019(JSON.stringify(forward), [routingKey], connection.keys)), undefined, deadline());
    },
    async reconnect() {
      outbox?.close();
      outbox = undefined;
      channel.close();
      channel = await open();
      channel.addKey(connection.keys);
      await live();
    },
    async pickUp(limit = 10) {
      let total = 0;
      // Bounded: a mediator that keeps offering the same messages cannot hold the test.
      for (let round = 0; round < 100; round++) {
        const answer = await ask({ '@type': `${PREFIX}messagepickup/2.0/delivery-request`, limit });
        const attachments = Array.isArray(answer?.['~attach']) ? (answer['~attach'] as { '@id': string; data: { base64?: string; json?: unknown } }[]) : [];
        if (attachments.length === 0) return total;
        for (const attachment of attachments) {
          const data = attachment.data.base64 !== undefined ? JSON.parse(Buffer.from(attachment.data.base64, 'base64').toString('utf8')) : attachment.data.json;
          received.push(JSON.parse(unpackRfc0019(typeof data === 'string' ? JSON.parse(data) : data, [inbox]).message) as Message);
        }
        total += attachments.length;
        await ask({ '@type': `${PREFIX}messagepickup/2.0/messages-received`, message_id_list: attachments.map((a) => a['@id']) });
      }
      throw new Error('the mediator kept offering messages after 100 delivery-requests');
    },
    close() {
      outbox?.close();
      channel.close();
    },
  };
}

/** A message for a mediated recipient, numbered so a test can tell which arrived. */
export function numbered(n: number): Message {
  return { '@type': `${PREFIX}basicmessage/1.0/message`, '@id': randomUUID(), sent_time: new Date().toISOString(), content: `message ${n}` };
}
