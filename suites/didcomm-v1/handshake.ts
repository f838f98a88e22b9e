import type { Identity, JsonMessage, MessageMatcher, ReceivedMessage, TestContext } from '../define.js';
import { DIDCOMM_PREFIX, parseMessageType } from './message-type.js';

/**
 * The connection handshakes agtest speaks, as an out-of-band invitation offers them in
 * `handshake_protocols` (Aries RFC 0434): DID exchange 1.1 and 1.0 (RFC 0023) and connections 1.0
 * (RFC 0160, which RFC 0023 supersedes but 2023-era agents still offer).
 */
export interface Handshake {
  family: 'didexchange' | 'connections';
  /** The minor version agtest speaks it in (DID exchange 1.1 or 1.0; connections 1.0). */
  minor: number;
  /** `https://didcomm.org/didexchange/1.1` and so on: the prefix of its message types. */
  protocol: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const PROTOCOL_URI = /^(?:https:\/\/didcomm\.org\/|did:sov:BzCbsNYhMrjHiqZDTUASHg;spec\/)([a-z0-9_-]+)\/(\d+)\.(\d+)$/;
/** The highest minor version agtest speaks of each family. */
const SPOKEN: Record<Handshake['family'], number> = { didexchange: 1, connections: 0 };

export const RFC_DX = 'Aries RFC 0023 (DID Exchange 1.x)';
export const RFC_CONNECTIONS = 'Aries RFC 0160 (Connection Protocol 1.0)';

export function handshakeOf(family: Handshake['family'], minor: number): Handshake {
  return { family, minor, protocol: `${DIDCOMM_PREFIX}${family}/1.${minor}` };
}

/** `handshake_protocols` of an invitation, as strings. */
export function offeredHandshakes(invitation: JsonMessage): string[] {
  const offered = invitation['handshake_protocols'];
  return Array.isArray(offered) ? offered.map(String) : [];
}

/**
 * The handshake agtest uses for an invitation: DID exchange when offered (the highest 1.x minor
 * agtest speaks, at most the one offered: Aries RFC 0003, "Initiator" uses the highest version it
 * supports), else connections 1.0. `families` limits the choice (the didexchange tests).
 */
export function chooseHandshake(invitation: JsonMessage, families: readonly Handshake['family'][] = ['didexchange', 'connections']): Handshake | { error: string } {
  const offered = offeredHandshakes(invitation).flatMap((uri) => {
    const match = PROTOCOL_URI.exec(uri);
    if (!match || match[2] !== '1') return [];
    const family = match[1] === 'didexchange' || match[1] === 'connections' ? match[1] : undefined;
    return family ? [{ family, minor: Math.min(Number(match[3]), SPOKEN[family]) }] : [];
  });
  for (const family of families) {
    const minors = offered.filter((o) => o.family === family).map((o) => o.minor);
    if (minors.length > 0) return handshakeOf(family, Math.max(...minors));
  }
  return { error: `the invitation offers no handshake agtest speaks (${families.map((f) => `${f}/1.x`).join(', ')}); handshake_protocols: ${JSON.stringify(invitation['handshake_protocols'] ?? null)}` };
}

/** A message of the family (any 1.x minor, either prefix) with this name. */
export function isHandshakeMessage(family: Handshake['family'], name: string): MessageMatcher {
  return (m: ReceivedMessage) => {
    const type = parseMessageType(m.message['@type']);
    return type?.family === family && type.major === 1 && type.name === name;
  };
}

/** The answer to a request: a response or a problem report (problem_report; RFC 0160 spells it problem_report too). */
export function isHandshakeAnswer(handshake: Handshake): MessageMatcher {
  return (m) => isHandshakeMessage(handshake.family, 'response')(m) || isHandshakeMessage(handshake.family, 'problem_report')(m);
}

/**
 * agtest's request, as the handshake wants it: DID exchange 1.1 with its did:peer:2; 1.0 with a
 * did:peer:1 and its document in a signed did_doc~attach (what 1.0 agents read); connections 1.0
 * with an unqualified DID and its DID document in `connection` (RFC 0160). `typeMinor` sends it
 * under another minor version of the type (the RFC 0003 test).
 */
export function handshakeRequest(t: TestContext, handshake: Handshake, me: Identity, pthid: string, typeMinor = handshake.minor): JsonMessage {
  const id = t.newId();
  const type = `${DIDCOMM_PREFIX}${handshake.family}/1.${typeMinor}/request`;
  const thread = { thid: id, pthid };
  if (handshake.family === 'connections') return { '@type': type, '@id': id, '~thread': thread, label: 'agtest', connection: { DID: me.unqualified.did, DIDDoc: me.unqualified.doc } };
  if (handshake.minor >= 1) return { '@type': type, '@id': id, '~thread': thread, label: 'agtest', did: me.did };
  return { '@type': type, '@id': id, '~thread': thread, label: 'agtest', did: me.peer1.did, 'did_doc~attach': { '@id': t.newId(), 'mime-type': 'application/json', ...t.dids.sign(me.peer1.doc) } };
}

/**
 * agtest's response to the agent's request (agtest as responder, `me` the identity whose key the
 * invitation named): DID exchange 1.1 proves its did:peer:2 by did_rotate~attach, 1.0 sends a
 * did:peer:1 and its document in did_doc~attach, both signed by the invitation key; connections
 * 1.0 signs `connection` (DID + DIDDoc) with it in connection~sig (RFC 0234).
 */
export function handshakeResponse(t: TestContext, handshake: Handshake, request: JsonMessage, me: Identity, pthid: unknown): JsonMessage {
  const thread = { thid: request['@id'], ...(typeof pthid === 'string' ? { pthid } : {}) };
  const base = { '@type': `${handshake.protocol}/response`, '@id': t.newId(), '~thread': thread };
  if (handshake.family === 'connections') return { ...base, 'connection~sig': t.dids.signField({ DID: me.unqualified.did, DIDDoc: me.unqualified.doc }) };
  if (handshake.minor >= 1) return { ...base, did: me.did, 'did_rotate~attach': { '@id': t.newId(), 'mime-type': 'text/string', ...t.dids.sign(me.did) } };
  return { ...base, did: me.peer1.did, 'did_doc~attach': { '@id': t.newId(), 'mime-type': 'application/json', ...t.dids.sign(me.peer1.doc) } };
}

/**
 * What the requester sends once the response is in: DID exchange `complete` (thid + pthid); for
 * connections 1.0 an ack (RFC 0160: "an ack or any other message that confirms the response").
 */
export function handshakeComplete(t: TestContext, handshake: Handshake, requestId: unknown, pthid: unknown): JsonMessage {
  const thread = { thid: requestId, ...(typeof pthid === 'string' ? { pthid } : {}) };
  if (handshake.family === 'connections') return { '@type': `${DIDCOMM_PREFIX}notification/1.0/ack`, '@id': t.newId(), '~thread': thread, status: 'OK' };
  return { '@type': `${handshake.protocol}/complete`, '@id': t.newId(), '~thread': thread };
}

/** The agent's side of a connection as a handshake message gives it, and what is wrong with it. */
export interface PeerReading {
  did?: string;
  /** The key to pack to (its DID's first DIDComm service's first recipient key). */
  key?: string;
  /** Every MUST the message breaks, in words (empty: the DID and keys are proven). */
  problems: string[];
  /** Reasons agtest could not check the DID's keys (a DID it cannot resolve without a document). */
  unchecked: string[];
  /**
   * Set when a DID exchange response carries neither did_rotate~attach nor did_doc~attach: RFC 0023
   * makes both optional, so nothing ties the new DID to the invitation's key, but no MUST is broken.
   */
  unproven?: string;
}

function attachmentPayload(t: TestContext, attachment: unknown, which: string, problems: string[]): { payload?: string; signers: string[] } {
  const verified = t.dids.verifyAttachment(attachment);
  if (!('error' in verified)) return verified;
  problems.push(`${which}: ${verified.error}`);
  // Still readable (so that a bad signature does not hide what the document says).
  const data = isObject(attachment) && isObject(attachment['data']) ? attachment['data']['base64'] : undefined;
  if (typeof data !== 'string') return { signers: [] };
  return { payload: Buffer.from(data.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8'), signers: [] };
}

/**
 * Reads the agent's DID and key from its response: DID exchange (did + did_rotate~attach or
 * did_doc~attach, signed by the invitation key; a did:peer:1 or unqualified DID read from the
 * verified did_doc~attach) or connections 1.0 (connection~sig signed by the invitation key, over
 * DID + DIDDoc). Keys are read even when a signature fails (`problems` says so), for the lenient
 * connection step.
 */
export function readResponse(t: TestContext, handshake: Handshake, message: JsonMessage, invitationKey: string): PeerReading {
  const problems: string[] = [];
  const unchecked: string[] = [];
  if (handshake.family === 'connections') {
    const field = message['connection~sig'];
    if (field === undefined) return { problems: [`the response has no connection~sig (${RFC_CONNECTIONS}: the connection attribute is signed by the invitation key)`], unchecked };
    const verified = t.dids.verifySignedField(field);
    if ('error' in verified) return { problems: [`connection~sig: ${verified.error}`], unchecked };
    if (!verified.valid) problems.push('connection~sig: the signature does not verify');
    else if (verified.signer !== invitationKey) problems.push(`connection~sig is signed by ${verified.signer}, not by the invitation key ${invitationKey}: continuity with the invitation is not proven (${RFC_CONNECTIONS})`);
    const connection = isObject(verified.value) ? verified.value : {};
    const did = connection['DID'] ?? connection['did'];
    const doc = connection['DIDDoc'] ?? connection['did_doc'];
    if (typeof did !== 'string') return { problems: [...problems, 'connection~sig signs no connection DID'], unchecked };
    if (!isObject(doc)) return { did, problems: [...problems, 'connection~sig signs no DIDDoc'], unchecked };
    const resolved = t.dids.resolve(did, doc);
    if ('error' in resolved) return { did, problems: [...problems, `the connection's DIDDoc: ${resolved.error}`], unchecked };
    return resolved.key ? { did, key: resolved.key, problems, unchecked } : { did, problems: [...problems, "the connection's DIDDoc has no Ed25519 key"], unchecked };
  }
  const did = message['did'];
  if (typeof did !== 'string' || !did.startsWith('did:') && !/^[1-9A-HJ-NP-Za-km-z]{21,22}$/.test(did)) return { problems: [`the response's did is ${JSON.stringify(did ?? null)}, not a DID`], unchecked };
  const rotate = message['did_rotate~attach'];
  const docAttachment = message['did_doc~attach'];
  const unproven = rotate === undefined && docAttachment === undefined ? `the response has neither did_rotate~attach nor did_doc~attach: nothing proves the new DID comes from the invitation's key (${RFC_DX})` : undefined;
  const proof = rotate ?? docAttachment;
  const which = rotate !== undefined ? 'did_rotate~attach' : 'did_doc~attach';
  let document: string | undefined;
  if (proof !== undefined) {
    const { payload, signers } = attachmentPayload(t, proof, which, problems);
    if (problems.length === 0) {
      if (signers.length === 0) problems.push(`${which}: the signature does not verify`);
      else if (!signers.includes(invitationKey)) problems.push(`${which} is signed by ${signers.join(', ')}, not by the invitation key ${invitationKey}: continuity with the invitation is not proven (${RFC_DX})`);
    }
    if (rotate !== undefined && payload !== undefined && payload !== did) problems.push(`did_rotate~attach signs ${JSON.stringify(payload.slice(0, 60))}, not the response's did`);
    if (rotate === undefined) document = payload;
  }
  if (rotate !== undefined && docAttachment !== undefined) document = attachmentPayload(t, docAttachment, 'did_doc~attach', []).payload;
  const inline = /^did:peer:[24]/.test(did);
  if (!inline && document === undefined) {
    unchecked.push(`${did.slice(0, 40)} cannot be resolved from the DID alone and the response attaches no did_doc~attach`);
    return { did, problems, unchecked, ...(unproven ? { unproven } : {}) };
  }
  const resolved = t.dids.resolve(did, inline ? undefined : document);
  if ('error' in resolved) {
    if (inline) unchecked.push(resolved.error);
    else problems.push(`the response's DID and its did_doc~attach: ${resolved.error}`);
    return { did, problems, unchecked, ...(unproven ? { unproven } : {}) };
  }
  return resolved.key ? { did, key: resolved.key, problems, unchecked, ...(unproven ? { unproven } : {}) } : { did, problems: [...problems, `${did.slice(0, 40)} has no Ed25519 key`], unchecked, ...(unproven ? { unproven } : {}) };
}

/**
 * Reads the agent's DID and key from its request: DID exchange (did, resolved from the DID or its
 * did_doc~attach) or connections 1.0 (connection.DID + connection.DIDDoc).
 */
export function readRequest(t: TestContext, message: JsonMessage): PeerReading {
  const type = parseMessageType(message['@type']);
  if (type?.family === 'connections') {
    const connection = isObject(message['connection']) ? message['connection'] : {};
    const did = connection['DID'] ?? connection['did'];
    const doc = connection['DIDDoc'] ?? connection['did_doc'];
    if (typeof did !== 'string' || !isObject(doc)) return { problems: [`the request's connection has no DID and DIDDoc (${RFC_CONNECTIONS})`], unchecked: [] };
    const resolved = t.dids.resolve(did, doc);
    if ('error' in resolved) return { did, problems: [`the request's DIDDoc: ${resolved.error}`], unchecked: [] };
    return { did, key: resolved.key, problems: resolved.key ? [] : ["the request's DIDDoc has no Ed25519 key"], unchecked: [] };
  }
  const did = message['did'];
  if (typeof did !== 'string') return { problems: ['the request has no did'], unchecked: [] };
  const attachment = message['did_doc~attach'];
  const inline = /^did:peer:[24]/.test(did);
  if (!inline && attachment === undefined) return { did, problems: [], unchecked: [`the request's DID does not resolve from the DID alone and it attaches no did_doc~attach`] };
  const problems: string[] = [];
  const document = inline ? undefined : attachmentPayload(t, attachment, 'did_doc~attach', problems).payload;
  const resolved = t.dids.resolve(did, document);
  if ('error' in resolved) return inline ? { did, problems, unchecked: [resolved.error] } : { did, problems: [...problems, `the request's DID and its did_doc~attach: ${resolved.error}`], unchecked: [] };
  return { did, key: resolved.key, problems: resolved.key ? problems : [...problems, `${did.slice(0, 40)} has no Ed25519 key`], unchecked: [] };
}

/** The handshake of a request the agent sent (its family and minor, capped at what agtest speaks). */
export function handshakeOfRequest(message: JsonMessage): Handshake | undefined {
  const type = parseMessageType(message['@type']);
  if (!type || type.major !== 1 || (type.family !== 'didexchange' && type.family !== 'connections')) return undefined;
  return handshakeOf(type.family, Math.min(type.minor, SPOKEN[type.family]));
}

/** For reasons: "didexchange/1.0". */
export const handshakeName = (handshake: Handshake): string => `${handshake.family}/1.${handshake.minor}`;
