import { randomUUID } from 'node:crypto';
import { emptyStats, type MediatorStats } from './stats.js';

/** One message held for a mediation client (RFC 0685): the envelope exactly as it came in `forward.msg`. */
export interface QueuedMessage {
  id: string;
  recipientKey: string;
  body: string;
  receivedAt: Date;
}

/** A live connection to a client (a WebSocket it opened with return route "all", RFC 0092). */
export interface Session {
  send(body: string): boolean;
}

/** A mediation client, known by the verkey it sends from on its connection (Authcrypt sender). */
export interface Client {
  granted: boolean;
  keys: Set<string>;
  queue: QueuedMessage[];
  live: boolean;
  session?: Session;
}

/**
 * The mediator's memory: who it mediates for, which recipient keys route to whom (RFC 0211
 * keylists) and what waits for pickup (RFC 0685). Lives as long as the agent; setup does not clear it.
 */
export class MediatorState {
  readonly clients = new Map<string, Client>();
  /** The client that asked for mediation last (what the forward-unknown-key fault misdelivers to). */
  lastGranted: string | undefined;
  /** What it did with the forwards it got (`waiting` is computed when read). */
  readonly stats: MediatorStats = emptyStats();

  client(sender: string): Client {
    let client = this.clients.get(sender);
    if (!client) this.clients.set(sender, (client = { granted: false, keys: new Set(), queue: [], live: false }));
    return client;
  }

  /** The client a recipient key is registered to, if any. */
  ownerOf(recipientKey: string): [string, Client] | undefined {
    for (const entry of this.clients) if (entry[1].granted && entry[1].keys.has(recipientKey)) return entry;
    return undefined;
  }

  /** The counters, with what waits for pickup now. */
  snapshot(): MediatorStats {
    let waiting = 0;
    for (const client of this.clients.values()) waiting += client.queue.length;
    return { ...this.stats, waiting };
  }

  enqueue(client: Client, recipientKey: string, body: string): QueuedMessage {
    const queued = { id: randomUUID(), recipientKey, body, receivedAt: new Date() };
    client.queue.push(queued);
    this.stats.queued++;
    return queued;
  }
}
