/**
 * A virtual DIDComm v1 receiver: accepts an out-of-band invitation as DID exchange 1.1 requester
 * (Aries RFC 0023: a fresh key and did:peer:2, the request packed to the invitation key with
 * ~thread.pthid = the invitation @id, the response's did_rotate~attach checked against that key,
 * then complete), and runs trust pings (RFC 0048) and basic messages (RFC 0095) on the connection.
 * It has no endpoint of its own: its DID's service is `didcomm:transport/queue` and every message
 * asks for the return route (RFC 0092), so all answers come back on the link it opened.
 */
import { randomUUID } from 'node:crypto';
import { createKeyPairSync, createPeerDid2, EnvelopeError, packRfc0019, resolvePeerDid, verifyAttachment, type KeyPair } from '../../envelopes/index.js';
import { LoadStepError } from '../scenario.js';
import type { Channel, Message } from './channel.js';
import type { ReadInvitation } from './invitation.js';

const PREFIX = 'https://didcomm.org/';
/** What a receiver without an inbound endpoint puts in its DID (Aries agents' convention for return-route-only peers). */
export const QUEUE_ENDPOINT = 'didcomm:transport/queue';
const RETURN_ROUTE = { return_route: 'all' };

const protocolError = (message: string): never => {
  throw new LoadStepError('protocol', message);
};

export interface DidcommConnection {
  channel: Channel;
  keys: KeyPair;
  did: string;
  theirDid: string;
  theirKey: string;
}

function seal(message: Message, to: string, from: KeyPair): string {
  return JSON.stringify(packRfc0019(JSON.stringify(message), [to], from));
}

/** The type's family/version/name must be the one expected (either prefix, any 1.x minor). */
function isType(message: Message, family: string, name: string): boolean {
  return new RegExp(`^(?:https://didcomm\\.org/|did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/)${family}/1\\.\\d+/${name}$`).test(String(message['@type']));
}

/**
 * DID exchange 1.1 as requester over `channel` (already open). Resolves the connection; rejects with
 * a classified LoadStepError (problem-report, protocol, transport, ...).
 */
export async function connect(channel: Channel, invitation: ReadInvitation, signal: AbortSignal, label = 'agtest load receiver'): Promise<DidcommConnection> {
  const keys = createKeyPairSync();
  channel.addKey(keys);
  const did = createPeerDid2(keys.verkey, QUEUE_ENDPOINT);
  const id = randomUUID();
  const request: Message = { '@type': `${PREFIX}didexchange/1.1/request`, '@id': id, '~thread': { thid: id, pthid: invitation.id }, label, did, '~transport': RETURN_ROUTE };
  const response = await channel.exchange(seal(request, invitation.key, keys), id, signal);
  if (!response || !isType(response, 'didexchange', 'response')) return protocolError(`the agent answered the DID exchange request with ${String(response?.['@type'])}, not a didexchange/1.x response`);
  const theirDid = response['did'];
  if (typeof theirDid !== 'string') return protocolError("the DID exchange response has no did (Aries RFC 0023)");
  let theirKey: string | undefined;
  try {
    const proof = response['did_rotate~attach'] ?? response['did_doc~attach'];
    if (proof === undefined) protocolError('the DID exchange response has neither did_rotate~attach nor did_doc~attach: nothing ties its DID to the invitation key');
    const verified = verifyAttachment(proof);
    if (!verified.signers.includes(invitation.key)) protocolError(`the DID exchange response's ${response['did_rotate~attach'] ? 'did_rotate~attach' : 'did_doc~attach'} is not signed by the invitation key (Aries RFC 0023)`);
    const resolved = resolvePeerDid(theirDid);
    theirKey = resolved.services[0]?.recipientKeys[0] ?? resolved.verkeys[0];
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    protocolError(`the DID exchange response cannot be used: ${error.message}`);
  }
  if (!theirKey) return protocolError(`the agent's DID ${theirDid.slice(0, 40)}… has no Ed25519 key`);
  // With the return route too: Credo closes a WebSocket whose last message did not ask for it (DidCommMessageReceiver).
  const complete: Message = { '@type': `${PREFIX}didexchange/1.1/complete`, '@id': randomUUID(), '~thread': { thid: id, pthid: invitation.id }, '~transport': RETURN_ROUTE };
  await channel.exchange(seal(complete, theirKey, keys), undefined, signal);
  return { channel, keys, did, theirDid, theirKey };
}

/** Trust ping 1.0 with response_requested; resolves when its ping_response (same thread) is in. */
export async function trustPing(connection: DidcommConnection, signal: AbortSignal): Promise<void> {
  const id = randomUUID();
  const ping: Message = { '@type': `${PREFIX}trust_ping/1.0/ping`, '@id': id, response_requested: true, '~transport': RETURN_ROUTE };
  const answer = await connection.channel.exchange(seal(ping, connection.theirKey, connection.keys), id, signal);
  if (!answer || !isType(answer, 'trust_ping', 'ping_response')) protocolError(`the agent answered a trust ping with ${String(answer?.['@type'])}, not a ping_response`);
}

/** Basic message 1.0 (RFC 0095): delivered when the transport took it (it has no answer of its own). */
export async function basicMessage(connection: DidcommConnection, content: string, signal: AbortSignal): Promise<void> {
  const message: Message = { '@type': `${PREFIX}basicmessage/1.0/message`, '@id': randomUUID(), '~l10n': { locale: 'en' }, sent_time: new Date().toISOString(), content, '~transport': RETURN_ROUTE };
  await connection.channel.exchange(seal(message, connection.theirKey, connection.keys), undefined, signal);
}

/** One flow step after the connection: `ping` (a round trip) or `message` (a basic message, then a ping that proves the agent read on past it). */
export type FlowStep = 'ping' | 'message';
export const FLOW_STEPS: readonly FlowStep[] = ['ping', 'message'];

export async function runFlow(connection: DidcommConnection, flow: readonly FlowStep[], signal: AbortSignal): Promise<void> {
  for (const step of flow) {
    if (step === 'ping') await trustPing(connection, signal);
    else {
      await basicMessage(connection, 'agtest load', signal);
      await trustPing(connection, signal);
    }
  }
}

