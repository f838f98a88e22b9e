import type { AgentApi, Protocol } from '../agent-api.js';
import { toVerkey } from './keys.js';
import type { Client, MediatorState } from './state.js';

/** Hands a forwarded envelope (its bytes, unchanged) to the client that registered its recipient key. */
export type Deliver = (agent: AgentApi, owner: [string, Client], recipientKey: string, body: string) => void;

/**
 * Aries RFC 0094 `forward` (routing/1.0), mediator side: the outer envelope was for the routing
 * key; `msg` goes, as it is, to the client whose keylist holds `to`. Anything else is not delivered.
 */
export function routing(state: MediatorState, deliver: Deliver): Protocol {
  return {
    family: 'routing',
    messages: { forward: ['to', 'msg'] },
    handle(agent, message) {
      const to = toVerkey(message['to']);
      const msg = message['msg'];
      if (!to || (typeof msg !== 'string' && (typeof msg !== 'object' || msg === null))) {
        agent.log(`forward refused: to ${JSON.stringify(message['to'] ?? null)} is no key, or msg is no envelope`);
        return [];
      }
      state.stats.forwards++;
      const misdelivered = agent.has('forward-unknown-key') && state.lastGranted ? state.clients.get(state.lastGranted) : undefined;
      const owner = state.ownerOf(to) ?? (misdelivered && state.lastGranted ? ([state.lastGranted, misdelivered] as [string, Client]) : undefined);
      if (!owner) {
        agent.log(`forward to ${to}, which no client registered: not delivered`);
        state.stats.undeliverable++;
        return [];
      }
      if (agent.has('forward-drop')) {
        agent.log(`fault forward-drop: dropped a forward to ${to}`);
        return [];
      }
      deliver(agent, owner, to, typeof msg === 'string' ? msg : JSON.stringify(msg));
      return [];
    },
  };
}
