/**
 * The mediator role (Aries RFC 0211 coordinate-mediation 1.0, RFC 0094 forward, RFC 0685 pickup
 * 2.0) as a plug-in: the agent sees it only as an AgentPlugin (its protocols, its routing key,
 * what it does with a client's open WebSocket). Forwarded envelopes go to their owner unchanged:
 * live over its WebSocket session, else pushed to its connection's endpoint, else queued for pickup.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyPair } from '../../envelopes/index.js';
import type { AgentApi, AgentPlugin } from '../agent-api.js';
import { coordinateMediation } from './coordinate-mediation.js';
import { validateMediatorLoadFaults, type MediatorLoadFaults } from './load-faults.js';
import { pickup } from './pickup.js';
import { routing, type Deliver } from './routing.js';
import { MediatorState } from './state.js';
import type { MediatorStats } from './stats.js';

export { MEDIATOR_LOAD_FAULTS, validateMediatorLoadFaults, parseLoadFaultEntry, loadFaultFlag, type MediatorLoadFaults } from './load-faults.js';
export type { MediatorStats } from './stats.js';

export interface MediatorHost {
  /** Puts an envelope on the wire to an http(s), ws(s) or smtp endpoint; false when that failed. */
  send(endpoint: string, body: string): Promise<boolean>;
  /** Terminates every open connection to the agent (the dropConnectionsEvery load fault). */
  dropConnections(): void;
}

export interface Mediator extends AgentPlugin {
  readonly routingKey: KeyPair;
  /** What it did with the forwards it got so far. */
  stats(): MediatorStats;
}

/** Where a client's connection says to send to (the endpoint of the DID it connected with), if anywhere. */
function endpointOf(agent: AgentApi, sender: string): string | undefined {
  for (const connection of agent.connections.values()) if (connection.theirKey === sender) return connection.theirEndpoint;
  return undefined;
}

/**
 * `routingKey`: the key senders wrap forwards to (the mediate-grant's routing_keys). `loadFaults`:
 * what it does wrong under load (MEDIATOR_LOAD_FAULTS); none by default.
 */
export function createMediator(host: MediatorHost, routingKey: KeyPair, loadFaults: MediatorLoadFaults = {}): Mediator {
  const state = new MediatorState();
  const { dropConnectionsEvery, forwardDelayMs } = validateMediatorLoadFaults(loadFaults);
  let sinceDrop = 0;

  /** Every client loses its connection at once; its session (and Live Mode with it, RFC 0685) is gone before the sockets close. */
  const dropAll = (agent: AgentApi): void => {
    state.stats.connectionDrops++;
    agent.log(`load fault dropConnectionsEvery ${String(dropConnectionsEvery)}: terminated every connection (drop ${state.stats.connectionDrops})`);
    for (const client of state.clients.values()) {
      client.session = undefined;
      client.live = false;
    }
    host.dropConnections();
  };

  const deliverNow: Deliver = (agent, [sender, client], recipientKey, body) => {
    // The Nth forward comes after the drop, so it is one a reconnected client must pick up.
    if (dropConnectionsEvery !== undefined && ++sinceDrop >= dropConnectionsEvery) {
      sinceDrop = 0;
      dropAll(agent);
    }
    // RFC 0685, Live Mode: only a client that turned it on gets messages on its session as they come.
    if (client.live && client.session?.send(body)) {
      state.stats.deliveredLive++;
      return;
    }
    const endpoint = endpointOf(agent, sender);
    if (endpoint && /^(https?|wss?|smtp):/.test(endpoint) && !agent.has('mediator-queue-only')) {
      void host.send(endpoint, body).then((sent) => {
        if (sent) {
          state.stats.pushed++;
          return;
        }
        agent.log(`could not push a forwarded message to ${endpoint}: queued for pickup`);
        state.enqueue(client, recipientKey, body);
      });
      return;
    }
    state.enqueue(client, recipientKey, body);
  };

  // A slow mediator works one forward at a time: each waits its delay behind those before it.
  let tail: Promise<void> = Promise.resolve();
  const deliver: Deliver = !forwardDelayMs
    ? deliverNow
    : (agent, owner, recipientKey, body) => {
        tail = tail.then(async () => {
          // Not ref'd: a closed agent does not stay up for forwards it was still holding.
          await sleep(forwardDelayMs, undefined, { ref: false });
          deliverNow(agent, owner, recipientKey, body);
        });
      };

  return {
    routingKey,
    stats: () => state.snapshot(),
    protocols: [coordinateMediation(state, () => routingKey.verkey), routing(state, deliver), pickup(state)],
    keys: () => [routingKey],
    attachSession(sender, session) {
      const client = state.clients.get(sender);
      if (!client || client.session === session) return;
      client.session = session;
      client.live = false;
      // RFC 0685: a new inbound connection starts with Live Mode disabled.
      session.onClose(() => {
        if (client.session !== session) return;
        client.session = undefined;
        client.live = false;
      });
    },
  };
}
