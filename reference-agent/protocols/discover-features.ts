import type { AgentApi, Message, Protocol } from '../agent-api.js';
import { PREFIX, stripPrefix } from '../message-type.js';
import { problemReport } from './problem-report.js';

/** What the agent discloses, without prefix (pids always use https://didcomm.org/). */
export const SUPPORTED_PROTOCOLS = ['trust_ping/1.0', 'basicmessage/1.0', 'discover-features/1.0'] as const;

/** Aries RFC 0031 Discover Features 1.0. */
export const discoverFeatures: Protocol = {
  family: 'discover-features',
  messages: { query: ['query', 'comment'], disclose: ['protocols'] },
  handle(agent, message, name) {
    if (name === 'disclose') {
      agent.record(message);
      return [];
    }
    const id = message['@id'] as string;
    const query = message['query'];
    if (typeof query !== 'string') return [problemReport(agent, id, 'invalid-message', 'a discover-features query needs a string query field')];
    agent.record(message);
    return [disclose(agent, id, query)];
  },
};

function disclose(agent: AgentApi, thid: string, query: string): Message {
  let protocols: readonly string[] = agent.has('disclose-unknown-nonempty') ? SUPPORTED_PROTOCOLS : SUPPORTED_PROTOCOLS.filter((p) => matches(query, p));
  if (agent.has('no-disclose')) protocols = protocols.filter((p) => !p.startsWith('basicmessage/'));
  return {
    '@type': agent.type('discover-features', 'disclose'),
    '@id': agent.newId(),
    '~thread': { thid: agent.has('disclose-wrong-thid') ? agent.newId() : thid },
    protocols: protocols.map((p) => (agent.has('disclose-bare-pids') ? `${PREFIX}${p}` : { pid: `${PREFIX}${p}` })),
  };
}

/** `*` matches all; a trailing `*` matches by prefix; otherwise exact. Either type prefix works. */
function matches(query: string, protocol: string): boolean {
  if (query === '*') return true;
  const body = stripPrefix(query);
  if (body === undefined) return false;
  return body.endsWith('*') ? protocol.startsWith(body.slice(0, -1)) : protocol === body;
}

export function createQuery(agent: AgentApi, query: string): Message {
  return {
    '@type': agent.type('discover-features', 'query'),
    '@id': agent.newId(),
    ...(agent.has('malformed-query') ? {} : { query }),
  };
}
