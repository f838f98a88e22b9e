import { randomUUID } from 'node:crypto';
import { verkeyToDidKey } from '../../envelopes/index.js';
import type { Agent, Message } from '../agent.js';

/**
 * An out-of-band 1.1 invitation (Aries RFC 0434) and its URL. The agent offers no handshake
 * protocol (it does not do DID exchange), so the invitation carries a request instead: a trust ping
 * to answer, through the inline service (its did:key and endpoint).
 */
export function createInvitation(agent: Agent): { invitation: Message; url: string } {
  const didKey = verkeyToDidKey(agent.keys.verkey);
  const ping = { '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': randomUUID(), response_requested: true };
  const invitation: Message = {
    '@type': 'https://didcomm.org/out-of-band/1.1/invitation',
    '@id': randomUUID(),
    // Nine tildes hold two whole 0x7e7e7e groups whatever the alignment: Base64 writes them "fn5+".
    label: agent.has('oob-standard-base64') ? 'agtest reference agent ~~~~~~~~~' : 'agtest reference agent',
    accept: ['didcomm/aip1', 'didcomm/aip2;env=rfc19'],
    ...(agent.has('oob-no-handshake-or-request') ? {} : { 'requests~attach': [{ '@id': 'request-0', 'mime-type': 'application/json', data: { json: ping } }] }),
    services: agent.has('oob-no-services')
      ? []
      : [{ id: '#inline', type: 'did-communication', recipientKeys: [agent.has('oob-raw-recipient-keys') ? agent.keys.verkey : didKey], routingKeys: [], serviceEndpoint: agent.endpoint }],
  };
  const json = agent.has('oob-whitespace') ? JSON.stringify(invitation, null, 2) : JSON.stringify(invitation);
  const encoded = Buffer.from(json).toString(agent.has('oob-standard-base64') ? 'base64' : 'base64url');
  const base = agent.endpoint.startsWith('http') ? agent.endpoint : 'https://agtest.invalid/ssi';
  const url = new URL(base);
  url.searchParams.set(agent.has('oob-c_i-param') ? 'c_i' : 'oob', encoded);
  // URLSearchParams would percent-encode a standard-Base64 "+" and "/": put the value in as is.
  return { invitation, url: `${url.origin}${url.pathname}?${agent.has('oob-c_i-param') ? 'c_i' : 'oob'}=${encoded}` };
}
