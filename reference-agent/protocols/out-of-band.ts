import { randomUUID } from 'node:crypto';
import { verkeyToDidKey } from '../../envelopes/index.js';
import type { AgentApi, Message, Protocol } from '../agent-api.js';
import { DID_EXCHANGE } from './did-exchange.js';

/**
 * An out-of-band 1.1 invitation (Aries RFC 0434) and its URL: DID exchange 1.1 as the handshake,
 * through the inline service (its did:key and endpoint). The agent remembers the invitation's
 * @id: a DID exchange request must name it as its pthid.
 */
export function createInvitation(agent: AgentApi): { invitation: Message; url: string } {
  const didKey = verkeyToDidKey(agent.keys.verkey);
  const invitation: Message = {
    '@type': 'https://didcomm.org/out-of-band/1.1/invitation',
    '@id': randomUUID(),
    // Nine tildes hold two whole 0x7e7e7e groups whatever the alignment: Base64 writes them "fn5+".
    label: agent.has('oob-standard-base64') ? 'agtest reference agent ~~~~~~~~~' : 'agtest reference agent',
    accept: ['didcomm/aip1', 'didcomm/aip2;env=rfc19'],
    ...(agent.has('oob-no-handshake-or-request') ? {} : { handshake_protocols: [DID_EXCHANGE] }),
    services: agent.has('oob-no-services')
      ? []
      : [{ id: '#inline', type: 'did-communication', recipientKeys: [agent.has('oob-raw-recipient-keys') ? agent.keys.verkey : didKey], routingKeys: [], serviceEndpoint: agent.endpoint }],
  };
  agent.invitations.add(invitation['@id'] as string);
  const json = agent.has('oob-whitespace') ? JSON.stringify(invitation, null, 2) : JSON.stringify(invitation);
  const encoded = Buffer.from(json).toString(agent.has('oob-standard-base64') ? 'base64' : 'base64url');
  const base = agent.endpoint.startsWith('http') ? agent.endpoint : 'https://agtest.invalid/ssi';
  const url = new URL(base);
  url.searchParams.set(agent.has('oob-c_i-param') ? 'c_i' : 'oob', encoded);
  // URLSearchParams would percent-encode a standard-Base64 "+" and "/": put the value in as is.
  return { invitation, url: `${url.origin}${url.pathname}?${agent.has('oob-c_i-param') ? 'c_i' : 'oob'}=${encoded}` };
}

/** Out-of-band 1.1 messages on a connection: the agent records handshake-reuse-accepted. */
export const outOfBand: Protocol = {
  family: 'out-of-band',
  minor: 1,
  messages: { 'handshake-reuse': [], 'handshake-reuse-accepted': [] },
  handle(agent, message) {
    agent.record(message);
    return [];
  },
};
