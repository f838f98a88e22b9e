import type { AgentApi, Message, Protocol } from '../agent-api.js';
import { PREFIX } from '../message-type.js';
import { toVerkey } from './keys.js';
import type { Client, MediatorState, QueuedMessage } from './state.js';

const TYPE = `${PREFIX}messagepickup/2.0/`;

/**
 * Aries RFC 0685 Pickup 2.0, mediator side, for granted clients: status, delivery of queued
 * envelopes as attachments (kept until messages-received), and live mode on a WebSocket session.
 */
export function pickup(state: MediatorState): Protocol {
  return {
    family: 'messagepickup',
    major: 2,
    messages: {
      'status-request': ['recipient_key'],
      'delivery-request': ['limit', 'recipient_key'],
      'messages-received': ['message_id_list'],
      'live-delivery-change': ['live_delivery'],
      status: ['recipient_key', 'message_count', 'longest_waited_seconds', 'newest_received_time', 'oldest_received_time', 'total_bytes', 'live_delivery'],
      delivery: ['recipient_key'],
    },
    handle(agent, message, name, via) {
      const id = message['@id'] as string;
      const sender = via.enveloped ? via.sender : undefined;
      const client = sender ? state.clients.get(sender) : undefined;
      if (name === 'status' || name === 'delivery') {
        agent.log(`messagepickup: ignored a ${name} (this agent picks up from no mediator)`);
        return [];
      }
      if (!client?.granted) return [problem(agent, id, 'e.p.req.not-mediated', 'no mediation was granted to the sender of this message')];
      const recipientKey = message['recipient_key'];
      const only = typeof recipientKey === 'string' ? toVerkey(recipientKey) : undefined;
      const queued = client.queue.filter((m) => only === undefined || m.recipientKey === only);
      switch (name) {
        case 'status-request':
          return [status(agent, client, id, queued, recipientKey)];
        case 'delivery-request': {
          const limit = message['limit'];
          if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) return [problem(agent, id, 'e.p.msg.bad-limit', 'delivery-request needs limit, an integer of at least 1')];
          const batch = queued.slice(0, limit);
          if (batch.length === 0 && !agent.has('pickup-empty-delivery')) return [status(agent, client, id, queued, recipientKey)];
          // RFC 0685: delivered messages stay queued until messages-received names them.
          if (agent.has('pickup-delete-on-delivery')) client.queue = client.queue.filter((m) => !batch.includes(m));
          return [delivery(agent, agent.has('pickup-delivery-wrong-thid') ? agent.newId() : id, batch, recipientKey)];
        }
        case 'messages-received': {
          const ids = Array.isArray(message['message_id_list']) ? new Set(message['message_id_list'] as unknown[]) : new Set<unknown>();
          if (agent.has('pickup-ignore-received')) agent.log('fault pickup-ignore-received: kept the messages');
          else {
            const before = client.queue.length;
            client.queue = client.queue.filter((m) => !ids.has(m.id));
            state.stats.pickedUp += before - client.queue.length;
          }
          return [status(agent, client, id, client.queue, undefined)];
        }
        case 'live-delivery-change': {
          if (agent.has('pickup-live-ignored')) return [];
          const live = message['live_delivery'] === true;
          if (live && !client.session) {
            if (!agent.has('pickup-live-status-only')) return [problem(agent, id, 'e.m.live-mode-not-supported', 'Connection does not support Live Delivery', true)];
            return [status(agent, client, id, client.queue, undefined)];
          }
          client.live = live;
          return [status(agent, client, id, client.queue, undefined)];
        }
        default:
          return [];
      }
    },
  };
}

function status(agent: AgentApi, client: Client, thid: string, queued: readonly QueuedMessage[], recipientKey: unknown): Message {
  const oldest = queued[0]?.receivedAt;
  return {
    '@type': `${TYPE}status`,
    '@id': agent.newId(),
    '~thread': { thid },
    ...(typeof recipientKey === 'string' ? { recipient_key: recipientKey } : {}),
    ...(agent.has('pickup-status-no-count') ? {} : { message_count: queued.length }),
    ...(oldest ? { longest_waited_seconds: Math.floor((Date.now() - oldest.getTime()) / 1000) } : {}),
    live_delivery: client.live,
  };
}

function delivery(agent: AgentApi, thid: string, batch: readonly QueuedMessage[], recipientKey: unknown): Message {
  return {
    '@type': `${TYPE}delivery`,
    '@id': agent.newId(),
    '~thread': { thid },
    ...(typeof recipientKey === 'string' ? { recipient_key: recipientKey } : {}),
    '~attach': batch.map((m) => ({ '@id': m.id, data: { base64: Buffer.from(m.body, 'utf8').toString('base64') } })),
  };
}

/** RFC 0685 names notification/1.0 problem-reports, threaded by pthid to the offending message. */
function problem(agent: AgentApi, id: string, code: string, en: string, parent = false): Message {
  agent.log(`messagepickup refused: ${en}`);
  return { '@type': `${PREFIX}notification/1.0/problem-report`, '@id': agent.newId(), '~thread': parent ? { pthid: id } : { thid: id }, description: { code, en } };
}

