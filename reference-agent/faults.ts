import { ReferenceAgentError } from './errors.js';

/**
 * Named misbehaviours. Each breaks exactly one rule a suite checks, so a test can prove that the
 * check catches its violation and nothing else moves.
 */
export const FAULTS = {
  'uuid-only-ids': 'drops messages whose @id is not a UUID (RFC 0008 allows any [-_./a-zA-Z0-9]{8,64})',
  'reject-unknown-fields': 'drops messages with fields it does not know instead of ignoring them (RFC 0003)',
  'reject-newer-minor': 'drops messages of a newer minor version (trust_ping/1.1) instead of handling them as 1.0 (a SHOULD in RFC 0003: warning only)',
  'wrong-major-handling': 'handles an unsupported major version (trust_ping/2.0) as if it were 1.0 (RFC 0003 says it should reject it: warning only)',
  'crash-on-unknown-major': 'stops processing anything after a message of an unsupported major version',
  'wrong-thid': 'ping_response ~thread.thid is not the ping @id (RFC 0048, RFC 0008)',
  'pong-when-not-requested': 'answers a ping that has response_requested: false (RFC 0048)',
  'silent-when-absent': 'treats a missing response_requested as false (RFC 0048: default true)',
  'malformed-ping': 'send-ping sends a ping without @id',
  'ignore-ping-response': 'does not take in the ping_response to its own ping',
  'drop-basicmessage': 'does not take in basicmessages',
  'wrong-content': 'send-message sends different content than asked',
  'bad-sent-time': 'basicmessage sent_time is local time without a zone (RFC 0074: ISO 8601 UTC)',
  'no-l10n': 'basicmessage has no ~l10n (a SHOULD in RFC 0095: warning only)',
  'legacy-prefix': 'sends message types with the legacy did:sov:...;spec/ prefix (warning only)',
  'no-disclose': 'disclose leaves out basicmessage, which it supports (RFC 0031 allows withholding: warning only)',
  'disclose-bare-pids': 'disclose lists protocol URIs as bare strings, not descriptor objects with a pid (RFC 0031)',
  'disclose-wrong-thid': 'disclose ~thread.thid is not the query @id (RFC 0031, RFC 0008)',
  'disclose-unknown-nonempty': 'disclose lists every protocol whatever the query (RFC 0031)',
  'malformed-query': 'send-query sends a query without its query field',
  'http-refuse-all': 'answers every inbound HTTP POST 400 and drops it (RFC 0025)',
  'http-status-204': 'answers an inbound POST 204 instead of 202 Accepted (a SHOULD in RFC 0025, which allows only 200 besides: warning only)',
  'ignore-return-route': 'ignores ~transport.return_route "all" and POSTs replies separately (a MAY in RFC 0092: warning only)',
  'reply-in-http-response': 'answers in the HTTP response to a POST without ~transport.return_route (RFC 0025: POST requests are transmit only by default)',
  'ws-reply-on-socket': 'over WebSocket, answers on the socket the peer opened without ~transport.return_route (RFC 0025: transmit only by default)',
  'wrong-content-type': 'labels plaintext messages application/didcomm-envelope-enc and envelopes application/json (RFC 0044: the other way round)',
  'ws-close-on-message': 'over WebSocket, closes the connection on every message instead of handling it',
  'ws-drop-outbound': 'over WebSocket, never sends the messages it initiates',
  'over-claim': 'drops basicmessages, yet self-reports basicmessage.1_0.passive interoperable and discloses basicmessage (false advertising)',
  'smtp-refuse-all': 'over SMTP, refuses every mail with 554',
  'smtp-drop-outbound': 'over SMTP, never sends the messages it initiates',
  'anoncrypt-replies': 'answers an Authcrypt envelope with an Anoncrypt one (the sender is not proven; RFC 0019)',
  'authcrypt-only': 'refuses Anoncrypt envelopes (RFC 0019: both modes)',
  'first-recipient-only': 'opens an envelope only when its own key is the first of protected.recipients (RFC 0019: each recipient kid is looked up)',
  'crash-on-bad-envelope': 'stops processing anything after an envelope it cannot open',
  'corrupt-outbound-envelope': 'flips a ciphertext byte in the envelopes it initiates (they no longer open; RFC 0019)',
  'oob-c_i-param': 'create-invitation puts the invitation in a c_i parameter (Connections 1.0) instead of oob (RFC 0434)',
  'oob-refuse-invitations': 'create-invitation is declined (HTTP 403), as by an agent that stopped making invitations: agact reports a refusal (for agtest load: the refused class)',
  'oob-standard-base64': 'create-invitation encodes the invitation in standard Base64 ("+", "/") instead of Base64Url (RFC 0434)',
  'oob-reject-padding': 'receive-invitation refuses an oob parameter in padded Base64Url (RFC 0434: the decoder MUST take padded and unpadded data)',
  'oob-no-short-url': 'receive-invitation refuses a shortened URL (no oob parameter) instead of fetching it (RFC 0434: the agent MUST perform an HTTP GET)',
  'oob-no-services': 'create-invitation gives an invitation with an empty services array (RFC 0434)',
  'oob-raw-recipient-keys': 'the invitation service lists its raw base58 verkey instead of a did:key (RFC 0434: MUST be did:key)',
  'oob-no-handshake-or-request': 'the invitation has neither handshake_protocols nor requests~attach (RFC 0434: one MUST be there)',
  'oob-whitespace': 'the encoded invitation JSON keeps its whitespace (a SHOULD in RFC 0434: warning only)',
  'dx-response-wrong-thid': 'the DID exchange response ~thread.thid is not the request @id (RFC 0023, RFC 0008)',
  'dx-exact-version': 'refuses a DID exchange request whose @type is not exactly didexchange/1.1 (a newer minor such as 1.2 included), where Aries RFC 0003 says later minor versions are accepted',
  'dx-unsigned-rotate': 'the DID exchange response did_rotate~attach carries no signature (RFC 0023 1.1)',
  'dx-rotate-wrong-key': 'did_rotate~attach is signed with the new key, not the invitation key it must prove continuity with (RFC 0023 1.1)',
  'dx-plaintext-response': 'sends the DID exchange response in plaintext (RFC 0023: packed in an encryption envelope)',
  'dx-accept-plaintext-request': 'answers a DID exchange request that came in plaintext (RFC 0023: the request is packed to the invitation keys)',
  'dx-ignore-pthid': 'answers a DID exchange request whose ~thread.pthid names none of its invitations (RFC 0023, RFC 0434)',
  'oob-request-no-pthid': "receive-invitation: its DID exchange request has no ~thread.pthid naming the invitation (RFC 0434, RFC 0023)",
  'oob-reuse-no-pthid': 'receive-invitation: its handshake-reuse has no ~thread.pthid naming the invitation (RFC 0434)',
  'dx-request-plaintext': 'receive-invitation: sends its DID exchange request in plaintext, not packed to the invitation key (RFC 0023)',
  'dx-request-no-did': 'receive-invitation: its DID exchange request has no did (RFC 0023: "The did attribute MUST be included")',
  'dx-accept-bad-signature': 'as requester, completes on a DID exchange response whose did_rotate~attach signature does not verify (RFC 0023 1.1: MUST be validated)',
  'dx-complete-no-pthid': 'its DID exchange complete has no ~thread.pthid (RFC 0023: MUST be the invitation @id)',
  'plaintext-outbound': 'sends the messages it initiates in plaintext although setup gave it a key to pack them to',
  'mediate-deny': 'mediator: denies every mediate-request with a mediate-deny (legal: RFC 0211 lets a mediator deny; the suite passes the grant check on a threaded deny and leaves what needs mediation not run)',
  'mediation-grant-wrong-thid': 'mediator: the mediate-grant ~thread.thid is not the mediate-request @id (Aries RFC 0008, RFC 0211)',
  'mediation-grant-no-endpoint': 'mediator: the mediate-grant has no endpoint (RFC 0211)',
  'mediation-grant-raw-keys': 'mediator: the mediate-grant routing_keys are raw base58 verkeys, not did:key (RFC 0211, Encoding of keys)',
  'keylist-update-no-result': 'mediator: keylist-update-response entries carry no result (RFC 0211)',
  'keylist-query-omits': 'mediator: keylist leaves out the keys the client registered (RFC 0211)',
  'keylist-ignore-remove': 'mediator: a keylist-update remove answers success but the key stays registered (RFC 0211)',
  'forward-drop': 'mediator: never delivers a forward, even to a registered key (RFC 0094)',
  'forward-unknown-key': 'mediator: delivers a forward to a key nobody registered to its latest client (RFC 0094, RFC 0211)',
  'pickup-status-no-count': 'mediator: the pickup status has no message_count (RFC 0685: the only REQUIRED attribute)',
  'pickup-empty-delivery': 'mediator: answers a delivery-request on an empty queue with an empty delivery, not a status (RFC 0685)',
  'pickup-delete-on-delivery': 'mediator: deletes queued messages once delivered, before messages-received (RFC 0685: MUST NOT delete; agtest sees only that it is not offered again: warning)',
  'pickup-delivery-wrong-thid': 'mediator: the pickup delivery ~thread.thid is not the delivery-request @id (Aries RFC 0008, RFC 0685)',
  'pickup-ignore-received': 'mediator: keeps messages that messages-received acknowledged (RFC 0685 says it can remove them: warning only)',
  'pickup-live-ignored': 'mediator: does not answer a live-delivery-change (RFC 0685: MUST respond with a status)',
  'mediator-queue-only': 'mediator: never pushes forwarded messages, holds them all for pickup (legal: RFC 0094 leaves delivery to the mediator; not a fault, a variation every check must pass)',
  'pickup-live-status-only': 'mediator: answers live_delivery true on a connection that cannot carry it with a status (live_delivery false), not a problem-report (legal: RFC 0685 MUST answer with a status; the problem-report is a SHOULD)',
} as const satisfies Readonly<Record<string, string>>;

export type Fault = keyof typeof FAULTS;

export function isFault(name: string): name is Fault {
  return Object.hasOwn(FAULTS, name);
}

/** Checks fault names; an unknown one is a usage error that lists the known ones. */
export function validateFaults(names: readonly string[]): Fault[] {
  const unknown = names.filter((name) => !isFault(name));
  if (unknown.length > 0) {
    throw new ReferenceAgentError('UNKNOWN_FAULT', `unknown fault(s): ${unknown.join(', ')}; known: ${Object.keys(FAULTS).join(', ')}`);
  }
  return [...new Set(names as Fault[])];
}
