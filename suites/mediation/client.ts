/**
 * agtest as a mediation client (the recipient of Aries RFC 0211): the helpers the mediator
 * junctions share. Steps that are another test's subject (asking for mediation, registering a
 * key) are read leniently here: when they cannot be done, the test is blocked and names the
 * test that judges that step, so that one fault is one failure.
 */
import type { JsonMessage, ReceivedMessage, TestContext } from '../define.js';
import { chooseHandshake, handshakeComplete, handshakeOf, handshakeRequest, isHandshakeAnswer, readResponse } from '../didcomm-v1/handshake.js';
import { messageType, ofType, parseMessageType, receiveOrNothing, threadId } from '../didcomm-v1/message-type.js';
import { createInvitationLeniently, invitationKey } from '../didcomm-v1/out-of-band.js';

export const RFC_0211 = 'Aries RFC 0211 (Coordinate Mediation 1.0)';
export const RFC_0094 = 'Aries RFC 0094 (Cross-Domain Messaging: routing/1.0 forward)';
export const RFC_0685 = 'Aries RFC 0685 (Pickup 2.0)';
export const RFC_0008_THREAD = 'Aries RFC 0008, Threaded Messages: "The ~thread decorator is generally required on any type of response"';

export const GRANT_TEST = 'coordinate_mediation.1_0.passive.grant';
export const KEYLIST_UPDATE_TEST = 'coordinate_mediation.1_0.passive.keylist-update';
export const DELIVERY_TEST = 'pickup.2_0.passive.delivery';
/** The test that judges the DID exchange a client connection needs. */
const CONNECTION_TEST = 'didexchange.1_1.passive.response-encrypted';
/** An endpoint that says "I have none: hold my messages for pickup" (how mobile clients of a mediator connect). */
export const QUEUE_ENDPOINT = 'didcomm:transport/queue';
export const RETURN_ROUTE = { '~transport': { return_route: 'all' } } as const;

export const cmType = (name: string): string => messageType('coordinate-mediation', '1.0', name);
export const isCm = (name: string) => ofType('coordinate-mediation', 1, name);
export const pickupType = (name: string): string => messageType('messagepickup', '2.0', name);
export const isPickup = (name: string) => ofType('messagepickup', 2, name);

/** How a test reaches the agent as a mediation client. */
export interface ClientLink {
  /** Sends on the client's connection (queued clients ask for every answer on the return route, RFC 0092). */
  send(message: JsonMessage): Promise<{ file: string }>;
  /** A queued client: its DID's endpoint is didcomm:transport/queue, answers come back on the return route. */
  queued: boolean;
}

/**
 * A connection of agtest's own for one client, made by out-of-band + DID exchange (a mediator
 * keeps one mediation per connection, so each test is a new client). Its DID's endpoint is
 * agtest's, where the agent sends answers and pushes forwarded messages; or, `queued`,
 * didcomm:transport/queue with return route "all" on every message (RFC 0092): the agent answers
 * on the HTTP response or the WebSocket agtest sent on, and holds forwarded messages for pickup.
 * The handshake's rules are its own tests' business: here a failed step blocks the test.
 */
export async function clientLink(t: TestContext, options: { queued: boolean }): Promise<ClientLink> {
  // RFC 0092 return routes exist on HTTP and WebSocket; a mail has no answer channel.
  if (options.queued && t.transport !== 'http' && t.transport !== 'ws') t.skip(`a client without an endpoint picks up on a return route (Aries RFC 0092), which ${t.transport} does not have: run with --transport http or ws`);
  const route = options.queued ? RETURN_ROUTE : {};
  const invitation = await createInvitationLeniently(t);
  const chosen = chooseHandshake(invitation, ['didexchange']);
  const handshake = 'error' in chosen ? handshakeOf('didexchange', 1) : chosen;
  const found = invitationKey(t, invitation);
  if ('error' in found) t.block(`no connection for the mediation client: ${found.error}`, CONNECTION_TEST);
  const me = t.dids.newIdentity(options.queued ? { endpoint: QUEUE_ENDPOINT } : {});
  const pthid = String(invitation['@id']);
  const request: JsonMessage = { ...handshakeRequest(t, handshake, me, pthid), ...route };
  await t.sendEnvelope(request, { mode: 'authcrypt', to: found.key, expectRefusal: false });
  const response = await receiveOrNothing(t, isHandshakeAnswer(handshake), options.queued ? 'a DID exchange response on the return route' : 'a DID exchange response');
  if (!response || /problem_report$/.test(String(response.message['@type']))) {
    const what = options.queued ? `from a DID whose endpoint is ${QUEUE_ENDPOINT}, with return route "all",` : '';
    t.block(`no connection for the mediation client: a DID exchange request ${what} got ${response ? 'a problem report' : 'no response'}`, CONNECTION_TEST);
  }
  const reading = readResponse(t, handshake, response.message, found.key);
  const agentKey = reading.key ?? response.envelope?.sender;
  if (!agentKey) t.block('no connection for the mediation client: the DID exchange response gives no key to pack to', CONNECTION_TEST);
  await t.sendEnvelope({ ...handshakeComplete(t, handshake, request['@id'], pthid), ...route }, { mode: 'authcrypt', to: agentKey, expectRefusal: false });
  return { send: (message) => t.sendEnvelope({ ...message, ...route }, { mode: 'authcrypt', to: agentKey, expectRefusal: false }), queued: options.queued };
}

/**
 * The answer to `id`: the first message of `name`'s type in its thread, or — leniently, threading
 * being its own rule — the first of that type not yet used by this test.
 */
export async function answerOf(t: TestContext, match: (m: ReceivedMessage) => boolean, id: string, used: Set<string>, description: string): Promise<ReceivedMessage | undefined> {
  const fresh = (m: ReceivedMessage) => match(m) && !used.has(m.file);
  const answer = await receiveOrNothing(t, fresh, description);
  if (!answer) return undefined;
  const threaded = t.received(fresh).find((m) => threadId(m.message) === id) ?? answer;
  used.add(threaded.file);
  return threaded;
}

/** The verkey of a did:key, or a raw base58 verkey as is (did:key encoding is a rule of its own). */
export function keyOf(t: TestContext, key: unknown): string | undefined {
  if (typeof key !== 'string') return undefined;
  return t.dids.didKeyToVerkey(key) ?? (/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(key) ? key : undefined);
}

export interface Grant {
  routingKeys: string[];
  endpoint: unknown;
}

/** Asks for mediation; a deny ends the test as not-run (RFC 0211 lets a mediator deny), no answer blocks it. */
export async function mediate(t: TestContext, link: ClientLink, used: Set<string>): Promise<Grant> {
  const id = t.newId();
  await link.send({ '@type': cmType('mediate-request'), '@id': id });
  const answer = await answerOf(t, (m) => isCm('mediate-grant')(m) || isCm('mediate-deny')(m), id, used, 'a mediate-grant or mediate-deny');
  if (!answer) t.block('the agent answered agtest\'s mediate-request with neither mediate-grant nor mediate-deny', GRANT_TEST);
  if (parseMessageType(answer.message['@type'])?.name === 'mediate-deny') t.skip('the agent denied mediation (mediate-deny), which RFC 0211 allows: nothing to route through');
  const keys = answer.message['routing_keys'];
  const routingKeys = (Array.isArray(keys) ? keys : []).map((k) => keyOf(t, k)).filter((k): k is string => k !== undefined);
  if (routingKeys.length === 0) t.block('the mediate-grant gives no routing key agtest can wrap a forward to', GRANT_TEST);
  return { routingKeys, endpoint: answer.message['endpoint'] };
}

/** Registers `verkey` (as did:key) with keylist-update add and waits for the response. */
export async function register(t: TestContext, link: ClientLink, verkey: string, used: Set<string>): Promise<void> {
  const id = t.newId();
  await link.send({ '@type': cmType('keylist-update'), '@id': id, updates: [{ recipient_key: t.dids.verkeyToDidKey(verkey), action: 'add' }] });
  const answer = await answerOf(t, isCm('keylist-update-response'), id, used, 'a keylist-update-response');
  if (!answer) t.block('the agent did not answer agtest\'s keylist-update (add)', KEYLIST_UPDATE_TEST);
}

/**
 * Sends `inner` to the holder of `recipient` the way a sender reaches a mediated agent (RFC 0094):
 * packed (Anoncrypt) to the recipient key, wrapped in a forward per routing key, innermost for the
 * last, the outer envelope Anoncrypt to the first. Returns the envelope the recipient must get.
 */
export async function forwardTo(t: TestContext, grant: Grant, recipient: string, inner: JsonMessage): Promise<JsonMessage> {
  const envelope = t.dids.pack(inner, recipient);
  // `to` as a base58 verkey: what Aries senders put there (Credo and ACA-Py read it as one). RFC
  // 0094's own forms (a DID, DID#key) name no key a mediator keeps in an RFC 0211 keylist.
  let to = recipient;
  let msg: JsonMessage = envelope;
  for (const key of grant.routingKeys.slice(1).reverse()) {
    msg = t.dids.pack({ '@type': messageType('routing', '1.0', 'forward'), '@id': t.newId(), to, msg }, key);
    to = key;
  }
  await t.sendEnvelope({ '@type': messageType('routing', '1.0', 'forward'), '@id': t.newId(), to, msg }, { mode: 'anoncrypt', to: grant.routingKeys[0]!, expectRefusal: false });
  return envelope;
}

/** A message for a mediated recipient: what it is does not matter to the mediator, only that it arrives. */
export function innerMessage(t: TestContext): JsonMessage {
  return { '@type': messageType('basicmessage', '1.0', 'message'), '@id': t.newId(), sent_time: new Date().toISOString(), content: 'routed by agtest' };
}

/** The protected header of an envelope, decoded (what identifies one packing of a message). */
export function protectedOf(envelope: JsonMessage): unknown {
  try {
    return JSON.parse(Buffer.from(String(envelope['protected']), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether an attachment's `data` (Aries RFC 0017) is exactly `envelope`: as `base64` (RFC 0685's
 * example) or as `json` (an attachment may carry JSON as is; Credo does).
 */
export function attachmentHolds(data: unknown, envelope: JsonMessage): boolean {
  const fields = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  let decoded: unknown = fields['json'];
  try {
    if (typeof fields['base64'] === 'string') decoded = JSON.parse(Buffer.from(fields['base64'], 'base64').toString('utf8'));
    if (typeof decoded === 'string') decoded = JSON.parse(decoded);
  } catch {
    return false;
  }
  if (typeof decoded !== 'object' || decoded === null) return false;
  const got = decoded as Record<string, unknown>;
  return ['protected', 'iv', 'ciphertext', 'tag'].every((field) => got[field] === envelope[field]);
}
