import type { AgentApi, Message, Protocol } from '../agent-api.js';
import { PREFIX } from '../message-type.js';
import { toVerkey, verkeyToDidKey } from './keys.js';
import type { MediatorState } from './state.js';

const TYPE = `${PREFIX}coordinate-mediation/1.0/`;
type KeylistResult = 'client_error' | 'server_error' | 'no_change' | 'success';

/**
 * Aries RFC 0211 Coordinate Mediation 1.0, mediator side: grants every request that comes
 * Authcrypt (the client is the sender key), keeps the client's keylist, answers keylist queries.
 */
export function coordinateMediation(state: MediatorState, routingKey: () => string): Protocol {
  return {
    family: 'coordinate-mediation',
    messages: {
      'mediate-request': [],
      'keylist-update': ['updates'],
      'keylist-query': ['paginate'],
      // What a mediator sends; a client of this agent's would receive them (it is none: logged only).
      'mediate-grant': ['endpoint', 'routing_keys'],
      'mediate-deny': [],
      'keylist-update-response': ['updated'],
      keylist: ['keys', 'pagination'],
    },
    handle(agent, message, name, via) {
      const sender = via.enveloped ? via.sender : undefined;
      const id = message['@id'] as string;
      if (name === 'mediate-request') {
        // Mediation is for a known sender: an Anoncrypt or plaintext request names nobody to route to.
        // The mediate-deny fault refuses everyone, as a mediator with a policy of its own may (RFC 0211).
        if (!sender || agent.has('mediate-deny')) return [reply(agent, 'mediate-deny', id)];
        state.client(sender).granted = true;
        state.lastGranted = sender;
        const key = routingKey();
        return [
          reply(agent, 'mediate-grant', agent.has('mediation-grant-wrong-thid') ? agent.newId() : id, {
            ...(agent.has('mediation-grant-no-endpoint') ? {} : { endpoint: agent.endpoint }),
            routing_keys: [agent.has('mediation-grant-raw-keys') ? key : verkeyToDidKey(key)],
          }),
        ];
      }
      if (name === 'keylist-update') return [keylistUpdate(agent, state, message, sender)];
      if (name === 'keylist-query') return [keylist(agent, state, id, sender)];
      agent.log(`coordinate-mediation: ignored a ${name} (this agent is no mediation client)`);
      return [];
    },
  };
}

function reply(agent: AgentApi, name: string, thid: string, fields: Message = {}): Message {
  return { '@type': `${TYPE}${name}`, '@id': agent.newId(), '~thread': { thid }, ...fields };
}

function keylistUpdate(agent: AgentApi, state: MediatorState, message: Message, sender: string | undefined): Message {
  const client = sender ? state.clients.get(sender) : undefined;
  const updates = Array.isArray(message['updates']) ? (message['updates'] as unknown[]) : [];
  const updated = updates.map((update) => {
    const fields = typeof update === 'object' && update !== null ? (update as Record<string, unknown>) : {};
    const action = fields['action'];
    const verkey = toVerkey(fields['recipient_key']);
    let result: KeylistResult;
    if (!client?.granted || !verkey || (action !== 'add' && action !== 'remove')) result = 'client_error';
    else if (action === 'add') result = client.keys.has(verkey) ? 'no_change' : (client.keys.add(verkey), 'success');
    else if (agent.has('keylist-ignore-remove')) result = 'success';
    else result = client.keys.delete(verkey) ? 'success' : 'no_change';
    return { recipient_key: fields['recipient_key'], action, ...(agent.has('keylist-update-no-result') ? {} : { result }) };
  });
  return reply(agent, 'keylist-update-response', message['@id'] as string, { updated });
}

function keylist(agent: AgentApi, state: MediatorState, thid: string, sender: string | undefined): Message {
  const client = sender ? state.clients.get(sender) : undefined;
  const keys = client?.granted && !agent.has('keylist-query-omits') ? [...client.keys] : [];
  return reply(agent, 'keylist', thid, { keys: keys.map((key) => ({ recipient_key: verkeyToDidKey(key) })) });
}

