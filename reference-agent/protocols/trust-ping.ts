import type { AgentApi, Message, Protocol } from '../agent-api.js';

/** Aries RFC 0048 Trust Ping 1.0. */
export const trustPing: Protocol = {
  family: 'trust_ping',
  messages: { ping: ['comment', 'response_requested'], ping_response: ['comment'] },
  handle(agent, message, name) {
    if (name === 'ping_response') {
      if (agent.has('ignore-ping-response')) agent.log('fault ignore-ping-response: did not record a ping_response');
      else agent.record(message);
      return [];
    }
    agent.record(message);
    const requested = message['response_requested'];
    // RFC 0048: response_requested defaults to true.
    const wanted = agent.has('silent-when-absent') ? requested === true : requested !== false;
    if (!wanted && !agent.has('pong-when-not-requested')) return [];
    return [pingResponse(agent, message['@id'] as string)];
  },
};

function pingResponse(agent: AgentApi, pingId: string): Message {
  return {
    '@type': agent.type('trust_ping', 'ping_response'),
    '@id': agent.newId(),
    '~thread': { thid: agent.has('wrong-thid') ? agent.newId() : pingId },
  };
}

export function createPing(agent: AgentApi, responseRequested: boolean, comment?: string): Message {
  return {
    '@type': agent.type('trust_ping', 'ping'),
    ...(agent.has('malformed-ping') ? {} : { '@id': agent.newId() }),
    response_requested: responseRequested,
    ...(comment === undefined ? {} : { comment }),
  };
}
