/**
 * The mediator role (Aries RFC 0211 coordinate-mediation 1.0, RFC 0094 forward, RFC 0685 pickup
 * 2.0) as a plug-in: the agent sees it only as an AgentPlugin (its protocols, its routing key,
 * what it does with a client's open WebSocket). Forwarded envelopes go to their owner unchanged:
 * live over its WebSocket session, else pushed to its connection's endpoint, else queued for pickup.
 */
import type { KeyPair } from '../../envelopes/index.js';
import type { AgentApi, AgentPlugin } from '../agent-api.js';
import { coordinateMediation } from './coordinate-mediation.js';
import { pickup } from './pickup.js';
import { routing, type Deliver } from './routing.js';
import { MediatorState } from './state.js';

export interface MediatorHost {
  /** Puts an envelope on the wire to an http(s), ws(s) or smtp endpoint; false when that failed. */
  send(endpoint: string, body: string): Promise<boolean>;
}

export interface Mediator extends AgentPlugin {
  readonly routingKey: KeyPair;
}

/** Where a client's connection says to send to (the endpoint of the DID it connected with), if anywhere. */
function endpointOf(agent: AgentApi, sender: string): string | undefined {
  for (const connection of agent.connections.values()) if (connection.theirKey === sender) return connection.theirEndpoint;
  return undefined;
}

/** `routingKey`: the key senders wrap forwards to (the mediate-grant's routing_keys). */
export function createMediator(host: MediatorHost, routingKey: KeyPair): Mediator {
  const state = new MediatorState();

  const deliver: Deliver = (agent, [sender, client], recipientKey, body) => {
    // RFC 0685, Live Mode: only a client that turned it on gets messages on its session as they come.
    if (client.live && client.session?.send(body)) return;
    const endpoint = endpointOf(agent, sender);
    if (endpoint && /^(https?|wss?|smtp):/.test(endpoint) && !agent.has('mediator-queue-only')) {
      void host.send(endpoint, body).then((sent) => {
        if (sent) return;
        agent.log(`could not push a forwarded message to ${endpoint}: queued for pickup`);
        state.enqueue(client, recipientKey, body);
      });
      return;
    }
    state.enqueue(client, recipientKey, body);
  };

  return {
    routingKey,
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
