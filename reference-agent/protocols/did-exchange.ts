import { createKeyPairSync, createPeerDid2, didKeyToVerkey, EnvelopeError, resolvePeerDid, signAttachment, verifyAttachment } from '../../envelopes/index.js';
import type { AgentApi, Message, Protocol, Via } from '../agent-api.js';
import { PREFIX } from '../message-type.js';

export const DID_EXCHANGE = `${PREFIX}didexchange/1.1`;

/**
 * Aries RFC 0023 DID Exchange 1.1, responder side. A request must come encrypted to the key of
 * one of the agent's invitations and name that invitation in `~thread.pthid`; the agent answers
 * with a new did:peer:2 (a fresh key and its endpoint), proven by `did_rotate~attach` signed
 * with the invitation key, packed from the new key. From then on that key is the connection's.
 */
export const didExchange: Protocol = {
  family: 'didexchange',
  minor: 1,
  messages: {
    request: ['label', 'goal_code', 'goal', 'did', 'did_doc~attach'],
    response: ['did', 'did_doc~attach', 'did_rotate~attach'],
    complete: [],
    problem_report: ['problem-code', 'explain'],
  },
  handle(agent, message, name, via) {
    agent.record(message);
    if (name === 'request') return request(agent, message, via);
    if (name === 'response') return response(agent, message, via);
    if (name === 'complete') {
      const thid = thread(message)['thid'];
      const connection = typeof thid === 'string' ? agent.connections.get(thid) : undefined;
      if (connection) connection.state = 'completed';
      else agent.log(`didexchange complete for an unknown thread ${String(thid)}`);
    }
    return [];
  },
};

function thread(message: Message): Record<string, unknown> {
  const value = message['~thread'];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function request(agent: AgentApi, message: Message, via: Via): Message[] {
  const id = message['@id'] as string;
  // RFC 0023: the request is packed to the invitation's recipient keys, never sent in plaintext.
  if (!via.enveloped && !agent.has('dx-accept-plaintext-request')) {
    agent.log('dropped a didexchange request that came in plaintext');
    return [];
  }
  const pthid = thread(message)['pthid'];
  if (agent.has('dx-exact-version') && message['@type'] !== `${DID_EXCHANGE}/request`) return [problem(agent, id, pthid, 'request_not_accepted', `unsupported version: ${String(message['@type'])}`)];
  const invitation = typeof pthid === 'string' && agent.invitations.has(pthid);
  if (!invitation && !agent.has('dx-ignore-pthid')) return [problem(agent, id, pthid, 'request_not_accepted', `~thread.pthid ${JSON.stringify(pthid ?? null)} names no invitation of this agent`)];
  let theirKey: string;
  let theirEndpoint: string | undefined;
  try {
    const did = message['did'];
    if (typeof did !== 'string') throw new EnvelopeError('ENVELOPE_BAD_KEY', 'the request has no did');
    const resolved = resolvePeerDid(did);
    const service = resolved.services[0];
    const key = service?.recipientKeys[0] ?? resolved.verkeys[0];
    if (!key) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}… has no Ed25519 key`);
    theirKey = key;
    theirEndpoint = service?.serviceEndpoint || undefined;
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return [problem(agent, id, pthid, 'request_not_accepted', `cannot use the requester's DID (this agent resolves did:peer:2 and did:peer:4): ${error.message}`)];
  }
  const keys = createKeyPairSync();
  const did = createPeerDid2(keys.verkey, agent.endpoint);
  agent.holdKeys(keys);
  agent.connections.set(id, { keys, did, theirDid: message['did'] as string, theirKey, ...(theirEndpoint ? { theirEndpoint } : {}), state: 'responded' });
  agent.startConnection(keys, theirKey, theirEndpoint);
  const rotate = signAttachment(did, agent.has('dx-rotate-wrong-key') ? keys : agent.keys);
  if (agent.has('dx-unsigned-rotate')) delete rotate.data.jws;
  // The response comes from the new key, to the requester's key (RFC 0023 1.1).
  via.replyFrom = keys;
  via.replyTo = theirKey;
  if (agent.has('dx-plaintext-response')) via.replyPlain = true;
  return [
    {
      '@type': `${DID_EXCHANGE}/response`,
      '@id': agent.newId(),
      '~thread': { thid: agent.has('dx-response-wrong-thid') ? agent.newId() : id, ...(typeof pthid === 'string' ? { pthid } : {}) },
      did,
      'did_rotate~attach': { '@id': agent.newId(), 'mime-type': 'text/string', ...rotate },
    },
  ];
}

function problem(agent: AgentApi, thid: string, pthid: unknown, code: string, explain: string): Message {
  agent.log(`didexchange request refused: ${explain}`);
  return {
    '@type': `${DID_EXCHANGE}/problem_report`,
    '@id': agent.newId(),
    '~thread': { thid, ...(typeof pthid === 'string' ? { pthid } : {}) },
    'problem-code': code,
    explain,
  };
}


/**
 * Accepts an out-of-band invitation (RFC 0434) as DID exchange requester: a fresh key and
 * did:peer:2, a request packed from it to the invitation key with ~thread.pthid = the invitation
 * @id. An invitation whose service is the DID of a connection it has gets handshake-reuse on that
 * connection instead. Returns what to send and how.
 */
export function receiveInvitation(agent: AgentApi, invitation: Message): { message: Message; via: Via } | { error: string } {
  const invitationId = invitation['@id'];
  if (typeof invitationId !== 'string') return { error: 'the invitation has no @id' };
  const service: unknown = Array.isArray(invitation['services']) ? invitation['services'][0] : undefined;
  if (typeof service === 'string') {
    const existing = [...agent.connections.values()].find((c) => c.theirDid === service);
    if (existing) {
      const id = agent.newId();
      const message: Message = {
        '@type': `${PREFIX}out-of-band/1.1/handshake-reuse`,
        '@id': id,
        '~thread': { thid: id, ...(agent.has('oob-reuse-no-pthid') ? {} : { pthid: invitationId }) },
      };
      agent.startConnection(existing.keys, existing.theirKey, existing.theirEndpoint);
      return { message, via: { enveloped: true, sender: existing.theirKey, initiated: true, replyFrom: existing.keys } };
    }
  }
  let invitationKey: string;
  try {
    if (typeof service === 'string') {
      const resolved = resolvePeerDid(service);
      invitationKey = resolved.services[0]?.recipientKeys[0] ?? resolved.verkeys[0] ?? '';
    } else {
      const keys = typeof service === 'object' && service !== null ? (service as Record<string, unknown>)['recipientKeys'] : undefined;
      invitationKey = Array.isArray(keys) && typeof keys[0] === 'string' ? didKeyToVerkey(keys[0]) : '';
    }
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return { error: `cannot use the invitation's service: ${error.message}` };
  }
  if (!invitationKey) return { error: 'the invitation has no service with a recipient key' };
  const keys = createKeyPairSync();
  const did = createPeerDid2(keys.verkey, agent.endpoint);
  const id = agent.newId();
  agent.holdKeys(keys);
  agent.pending.set(id, { keys, did, invitationId, invitationKey });
  const message: Message = {
    '@type': `${DID_EXCHANGE}/request`,
    '@id': id,
    '~thread': { thid: id, ...(agent.has('oob-request-no-pthid') ? {} : { pthid: invitationId }) },
    label: 'agtest reference agent',
    ...(agent.has('dx-request-no-did') ? {} : { did }),
  };
  if (agent.has('dx-request-plaintext')) return { message, via: { enveloped: false } };
  return { message, via: { enveloped: true, sender: invitationKey, initiated: true, replyFrom: keys } };
}

/** The responder's answer to the agent's request: checked, then complete, and the connection is used. */
function response(agent: AgentApi, message: Message, via: Via): Message[] {
  const thid = thread(message)['thid'];
  const pending = typeof thid === 'string' ? agent.pending.get(thid) : undefined;
  if (!pending || typeof thid !== 'string') {
    agent.log(`didexchange response for no request of this agent (thid ${String(thid)})`);
    return [];
  }
  const did = message['did'];
  const rotate = message['did_rotate~attach'] ?? message['did_doc~attach'];
  let theirKey: string;
  let theirEndpoint: string | undefined;
  try {
    if (typeof did !== 'string') throw new EnvelopeError('ENVELOPE_BAD_KEY', 'the response has no did');
    const verified = verifyAttachment(rotate);
    if (!verified.signers.includes(pending.invitationKey) && !agent.has('dx-accept-bad-signature')) throw new EnvelopeError('ENVELOPE_BAD_KEY', 'did_rotate~attach is not signed by the invitation key');
    const resolved = resolvePeerDid(did);
    theirKey = resolved.services[0]?.recipientKeys[0] ?? resolved.verkeys[0] ?? '';
    theirEndpoint = resolved.services[0]?.serviceEndpoint || undefined;
    if (!theirKey) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}… has no Ed25519 key`);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return [problem(agent, thid, pending.invitationId, 'response_not_accepted', error.message)];
  }
  agent.pending.delete(thid);
  agent.connections.set(thid, { keys: pending.keys, did: pending.did, theirDid: did, theirKey, ...(theirEndpoint ? { theirEndpoint } : {}), state: 'completed' });
  agent.startConnection(pending.keys, theirKey, theirEndpoint);
  via.replyFrom = pending.keys;
  via.replyTo = theirKey;
  return [{ '@type': `${DID_EXCHANGE}/complete`, '@id': agent.newId(), '~thread': { thid, ...(agent.has('dx-complete-no-pthid') ? {} : { pthid: pending.invitationId }) } }];
}
