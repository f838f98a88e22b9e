import type { BuiltinTransport } from '../../agtest/index.js';

/**
 * For every reference-agent fault: the tests it must make fail (with a reason that names the
 * violation), or, for SHOULD-level faults, the warning it must raise while everything passes.
 */
export interface FaultExpectation {
  fault: string;
  /** The transport the run uses (default http). */
  transport?: BuiltinTransport;
  /**
   * Restricts the run to these junctions, for a fault that by its nature breaks every junction
   * of a kind (a transport that refuses everything): the check proven is the one named here.
   */
  only?: string[];
  /** Runs on its own (its effects reach further than the junctions it names). */
  alone?: boolean;
  failing?: { tests: string[]; reason: RegExp };
  warning?: { test: string; text: RegExp };
  /** Tests a legal variation leaves not run (the suite's own skip), with the reason they give. */
  notRun?: { tests: string[]; reason: RegExp };
  /** Tests blocked because the fault fails every test of a junction they require, and the junction they name. */
  blocked?: { tests: string[]; by: RegExp };
}

const DX_TESTS = ['response-encrypted', 'response-thread', 'response-signed', 'complete', 'newer-minor-request', 'rejects-plaintext-request', 'rejects-unknown-invitation'].map((name) => `didexchange.1_1.passive.${name}`);

const MEDIATOR = ['coordinate_mediation.1_0.passive', 'routing.1_0.passive', 'pickup.2_0.passive'];
const MEDIATOR_TESTS = [
  ...['grant', 'keylist-update', 'keylist-query', 'keylist-remove'].map((name) => `coordinate_mediation.1_0.passive.${name}`),
  ...['delivers', 'unknown-key'].map((name) => `routing.1_0.passive.${name}`),
  ...['status', 'delivery', 'empty-queue', 'messages-received', 'live-mode'].map((name) => `pickup.2_0.passive.${name}`),
];

export const FAULT_EXPECTATIONS: FaultExpectation[] = [
  { fault: 'uuid-only-ids', failing: { tests: ['message.v1.passive.accepts-well-formed'], reason: /non-UUID @id/ } },
  { fault: 'reject-unknown-fields', failing: { tests: ['message.v1.passive.tolerates-unknown-fields'], reason: /unknown fields/ } },
  // RFC 0003: a recipient "should tentatively accept" a later minor version: a SHOULD, so a warning.
  { fault: 'reject-newer-minor', warning: { test: 'message.v1.passive.tolerates-newer-minor', text: /no reply to a trust_ping\/1\.1 ping .*\[SHOULD, Aries RFC 0003/ } },
  // RFC 0003: recipients "should reject" another major version: processing it is a warning.
  { fault: 'wrong-major-handling', warning: { test: 'message.v1.passive.unknown-major', text: /processed a major version it does not support \[SHOULD/ } },
  { fault: 'crash-on-unknown-major', failing: { tests: ['message.v1.passive.unknown-major'], reason: /stopped answering after an unsupported major version/ } },
  { fault: 'wrong-thid', failing: { tests: ['trust_ping.1_0.passive.responds'], reason: /thid .* expected the ping @id/ } },
  { fault: 'pong-when-not-requested', failing: { tests: ['trust_ping.1_0.passive.silent-when-not-requested'], reason: /response_requested: false/ } },
  { fault: 'silent-when-absent', failing: { tests: ['trust_ping.1_0.passive.responds-when-absent'], reason: /no response_requested field/ } },
  {
    fault: 'malformed-ping',
    // sends-ping carries the missing @id; accepts-response, with nothing to thread its ping_response to, waits for it.
    failing: { tests: ['trust_ping.1_0.active.sends-ping'], reason: /no @id/ },
    // No test of the probe junction passes (it is divergent), so what requires it is blocked, not failed again.
    blocked: { tests: ['trust_ping.1_0.active.accepts-response', 'envelope.rfc0019.active.sends-authcrypt', 'transport.http.active.initiates'], by: /^trust_ping\.1_0\.active(\.sends-ping)?$/ },
  },
  { fault: 'ignore-ping-response', failing: { tests: ['trust_ping.1_0.active.accepts-response'], reason: /does not show agtest's ping_response/ } },
  { fault: 'drop-basicmessage', failing: { tests: ['basicmessage.1_0.passive.receives'], reason: /does not show basicmessage/ } },
  { fault: 'wrong-content', failing: { tests: ['basicmessage.1_0.active.sends-content'], reason: /content is .*asked for/ } },
  { fault: 'bad-sent-time', failing: { tests: ['basicmessage.1_0.active.sent-time'], reason: /not ISO 8601 in UTC/ } },
  // RFC 0031, Sparse Responses: a responder may withhold a protocol; disclosing what it claims is agtest policy.
  { fault: 'no-disclose', warning: { test: 'discover_features.1_0.passive.discloses-claimed', text: /omits claimed protocol\(s\): basicmessage\/1\.x \[policy/ } },
  { fault: 'disclose-bare-pids', failing: { tests: ['discover_features.1_0.passive.discloses-claimed'], reason: /not descriptor objects with a pid/ } },
  { fault: 'disclose-wrong-thid', failing: { tests: ['discover_features.1_0.passive.thread-id'], reason: /thid .* expected the query @id/ } },
  { fault: 'disclose-unknown-nonempty', failing: { tests: ['discover_features.1_0.passive.unknown-protocol-empty'], reason: /unknown protocol .* lists .* which do not match the query/ } },
  { fault: 'malformed-query', failing: { tests: ['discover_features.1_0.active.sends-query'], reason: /query field is undefined/ } },
  { fault: 'no-l10n', warning: { test: 'basicmessage.1_0.active.sends-content', text: /no ~l10n/ } },
  { fault: 'legacy-prefix', warning: { test: 'trust_ping.1_0.passive.responds', text: /legacy prefix/ } },
  {
    // Served with the measured profile, so it claims meta: alone, so no other fault is advertised falsely.
    fault: 'over-claim',
    alone: true,
    failing: {
      tests: ['basicmessage.1_0.passive.receives', 'meta.1_0.passive.disclosures-delivered', 'meta.1_0.passive.profile-matches-measured'],
      reason: /does not show basicmessage|false advertising: (basicmessage\.1_0\.passive self-reports interoperable, measured divergent|discloses basicmessage\/1\.x, but basicmessage\.1_0\.passive measured divergent) \[MUST, agtest agent-metadata 1\.0/,
    },
  },
  {
    fault: 'http-refuse-all',
    only: ['transport.http.passive'],
    failing: { tests: ['transport.http.passive.accepts', 'transport.http.passive.return-route', 'transport.http.passive.status-accepted', 'transport.http.passive.transmit-only'], reason: /refused a well-formed message over http( \(status 400\)|: the DID exchange request was undeliverable \(status 400)/ },
  },
  // RFC 0025 allows 200 besides 202; any other 2xx is a SHOULD deviation.
  { fault: 'http-status-204', warning: { test: 'transport.http.passive.status-accepted', text: /HTTP 204 .* not 202 Accepted/ } },
  // RFC 0092: for HTTP the receiver "MAY hold onto the connection": a warning.
  // Restricted to its junction: a mediator that ignores return routes cannot serve a client without an endpoint, so pickup would fail too.
  { fault: 'ignore-return-route', only: ['transport.http.passive'], warning: { test: 'transport.http.passive.return-route', text: /return_route "all" was ignored \[MAY/ } },
  // RFC 0025: a POST is transmit only unless ~transport.return_route asks otherwise (RFC 0092).
  { fault: 'reply-in-http-response', failing: { tests: ['transport.http.passive.transmit-only'], reason: /came in the HTTP response to agtest's POST: POST requests are transmit only by default/ } },
  { fault: 'ws-reply-on-socket', transport: 'ws', only: ['transport.ws.passive'], failing: { tests: ['transport.ws.passive.transmit-only'], reason: /came on the socket agtest opened: websockets are transmit only by default/ } },
  {
    fault: 'ws-close-on-message',
    transport: 'ws',
    only: ['transport.ws.passive'],
    failing: { tests: ['transport.ws.passive.accepts', 'transport.ws.passive.transmit-only'], reason: /refused a well-formed message over ws: (the agent|the DID exchange request was undeliverable \(the agent) dropped the connection \d+ times/ },
  },
  { fault: 'ws-drop-outbound', transport: 'ws', only: ['transport.ws.active'], failing: { tests: ['transport.ws.active.initiates'], reason: /no ping sent by the agent arrived over ws|no response came back over ws/ } },
  {
    fault: 'smtp-refuse-all',
    transport: 'smtp',
    only: ['transport.smtp.passive'],
    failing: { tests: ['transport.smtp.passive.accepts'], reason: /refused a well-formed message over smtp( \(status 554\)|: the DID exchange request was undeliverable \(status 554)/ },
  },
  { fault: 'smtp-drop-outbound', transport: 'smtp', only: ['transport.smtp.active'], failing: { tests: ['transport.smtp.active.initiates'], reason: /no ping sent by the agent arrived over smtp|no response came back over smtp/ } },
  { fault: 'anoncrypt-replies', failing: { tests: ['envelope.rfc0019.passive.unpacks-authcrypt'], reason: /is Anoncrypt: a reply to an Authcrypt message must be Authcrypt/ } },
  // Restricted to its junction: forwards are Anoncrypt by nature (RFC 0094), so refusing Anoncrypt breaks routing and pickup too.
  { fault: 'authcrypt-only', only: ['envelope.rfc0019.passive'], failing: { tests: ['envelope.rfc0019.passive.unpacks-anoncrypt'], reason: /refused the Anoncrypt ping with HTTP 400/ } },
  { fault: 'oob-reject-padding', failing: { tests: ['out_of_band.1_1.passive.decodes-padded'], reason: /refused agact receive-invitation|no DID exchange request answered the invitation .* padded Base64Url/ } },
  { fault: 'oob-no-short-url', failing: { tests: ['out_of_band.1_1.passive.short-url'], reason: /refused agact receive-invitation.*no shortened URL|never fetched the shortened URL/ } },
  { fault: 'first-recipient-only', failing: { tests: ['envelope.rfc0019.passive.unpacks-multi-recipient'], reason: /no reply to the Authcrypt ping .* whose recipients list .* before the agent's key/ } },
  { fault: 'crash-on-bad-envelope', failing: { tests: ['envelope.rfc0019.passive.survives-bad-envelopes'], reason: /expected a ping_response to the good ping .* sent after three bad envelopes/ } },
  // Every message the agent initiates is an envelope once it claims envelopes, so every active check would fail: proven on its own junction.
  { fault: 'corrupt-outbound-envelope', only: ['envelope.rfc0019.active'], failing: { tests: ['envelope.rfc0019.active.sends-authcrypt'], reason: /the ping arrived as an envelope agtest could not open: ENVELOPE_DECRYPT_FAILED: ciphertext, tag, iv or protected fail authentication/ } },
  { fault: 'plaintext-outbound', failing: { tests: ['envelope.rfc0019.active.sends-authcrypt'], reason: /the ping arrived in plaintext \(application\/[a-z+-]+\), not in an RFC 0019 envelope/ } },
  // The URL form is invitation-url's: well-formed reads the message past it (leniently, as DID exchange does) and passes.
  { fault: 'oob-c_i-param', failing: { tests: ['out_of_band.1_1.active.invitation-url'], reason: /no oob query parameter \(it has: c_i\)/ } },
  // A refused agact call fails the test that asked, with the agent's words (DESIGN.md §6). Both tests ask for an invitation: invitation-url carries the refusal, and well-formed, with no message to read, waits for it.
  {
    fault: 'oob-refuse-invitations',
    only: ['out_of_band.1_1.active'],
    failing: { tests: ['out_of_band.1_1.active.invitation-url'], reason: /refused agact create-invitation: .*makes no invitations/ },
    blocked: { tests: ['out_of_band.1_1.active.well-formed'], by: /^out_of_band\.1_1\.active\.invitation-url$/ },
  },
  { fault: 'oob-standard-base64', failing: { tests: ['out_of_band.1_1.active.invitation-url'], reason: /not Base64Url: it contains "[+/]" \(standard Base64/ } },
  // DID exchange starts from the invitation's service and handshake_protocols: without them the agent cannot be reached that way.
  {
    fault: 'oob-no-services',
    failing: { tests: ['out_of_band.1_1.active.well-formed', ...DX_TESTS], reason: /services must be a non-empty array|has no service with an Ed25519 did:key recipient/ },
    // Each mediator test connects its own client from an invitation: with DID exchange failing entirely, they are blocked by it.
    blocked: { tests: MEDIATOR_TESTS, by: /^didexchange\.1_1\.passive(\.response-encrypted)?$/ },
  },
  { fault: 'oob-raw-recipient-keys', failing: { tests: ['out_of_band.1_1.active.well-formed'], reason: /MUST be did:key references/ } },
  {
    fault: 'oob-no-handshake-or-request',
    failing: { tests: ['out_of_band.1_1.active.well-formed', ...DX_TESTS], reason: /neither handshake_protocols nor requests~attach|does not offer DID exchange 1\.x/ },
    // DID exchange fails entirely, so the mediator tests, which require it, are blocked by it.
    blocked: { tests: MEDIATOR_TESTS, by: /^didexchange\.1_1\.passive(\.response-encrypted)?$/ },
  },
  { fault: 'dx-response-wrong-thid', failing: { tests: ['didexchange.1_1.passive.response-thread'], reason: /response ~thread\.thid is .*not the request @id/ } },
  // RFC 0003: a recipient "should tentatively accept" a later minor version: a SHOULD, so a warning (as message.v1's tolerates-newer-minor).
  { fault: 'dx-exact-version', warning: { test: 'didexchange.1_1.passive.newer-minor-request', text: /refused agtest's didexchange\/1\.2\/request: request_not_accepted.*\[SHOULD, Aries RFC 0003/ } },
  { fault: 'dx-unsigned-rotate', failing: { tests: ['didexchange.1_1.passive.response-signed'], reason: /did_rotate~attach: ENVELOPE_MALFORMED: the attachment is not signed/ } },
  { fault: 'dx-rotate-wrong-key', failing: { tests: ['didexchange.1_1.passive.response-signed'], reason: /did_rotate~attach is signed by .*not by the invitation key/ } },
  // RFC 0023, Response Transmission: the response "should be packaged in the encrypted envelope format": a warning.
  { fault: 'dx-plaintext-response', warning: { test: 'didexchange.1_1.passive.response-encrypted', text: /the response came in plaintext.*\[SHOULD, Aries RFC 0023/ } },
  // RFC 0023, Request processing: the responder "should check" the wire-level keys, which a plaintext request lacks: a warning.
  { fault: 'dx-accept-plaintext-request', warning: { test: 'didexchange.1_1.passive.rejects-plaintext-request', text: /a DID exchange response to a request that came in plaintext arrived.*\[SHOULD, Aries RFC 0023/ } },
  { fault: 'oob-request-no-pthid', failing: { tests: ['out_of_band.1_1.passive.accepts-invitation'], reason: /request's ~thread\.pthid is null, not the invitation @id/ } },
  { fault: 'oob-reuse-no-pthid', failing: { tests: ['out_of_band.1_1.passive.handshake-reuse'], reason: /handshake-reuse ~thread\.pthid is null, not the invitation @id/ } },
  // RFC 0023, Request Transmission describes the envelope with no keyword: agtest policy, a warning.
  { fault: 'dx-request-plaintext', warning: { test: 'didexchange.1_1.active.request', text: /the request came in plaintext.*\[policy, agtest policy: Aries RFC 0023/ } },
  { fault: 'dx-request-no-did', failing: { tests: ['didexchange.1_1.active.request'], reason: /the request has no did \[MUST, Aries RFC 0023 \(DID Exchange 1\.x\), Request Message Attributes/ } },
  { fault: 'dx-accept-bad-signature', failing: { tests: ['didexchange.1_1.active.rejects-bad-signature'], reason: /signed attachment does not verify with complete: it did not validate the signature/ } },
  { fault: 'dx-complete-no-pthid', failing: { tests: ['didexchange.1_1.active.complete'], reason: /complete ~thread\.pthid is null, not the invitation @id/ } },
  // RFC 0023, Request processing: the responder "MAY look up the corresponding invitation": a warning.
  { fault: 'dx-ignore-pthid', warning: { test: 'didexchange.1_1.passive.rejects-unknown-invitation', text: /a DID exchange response to a request whose pthid is no invitation's @id arrived \[MAY, Aries RFC 0023/ } },
  { fault: 'oob-whitespace', warning: { test: 'out_of_band.1_1.active.invitation-url', text: /keeps whitespace/ } },
  { fault: 'wrong-content-type', failing: { tests: ['transport.http.active.initiates'], reason: /Content-Type "application\/(didcomm-envelope-enc|json)"; RFC 0044 says/ } },
  // The mediator role (Aries RFC 0211, 0094, 0685): agtest as the mediated client and a sender. Its faults touch
  // only the mediator junctions, so their runs are of those junctions alone (short), grouped as full runs are.
  { fault: 'mediation-grant-wrong-thid', only: MEDIATOR, failing: { tests: ['coordinate_mediation.1_0.passive.grant'], reason: /mediate-grant ~thread\.thid .* expected the request @id/ } },
  { fault: 'mediation-grant-no-endpoint', only: MEDIATOR, failing: { tests: ['coordinate_mediation.1_0.passive.grant'], reason: /mediate-grant endpoint is null, not a URI/ } },
  { fault: 'mediation-grant-raw-keys', only: MEDIATOR, failing: { tests: ['coordinate_mediation.1_0.passive.grant'], reason: /are not Ed25519 did:key/ } },
  {
    fault: 'keylist-update-no-result', only: MEDIATOR,
    failing: { tests: ['coordinate_mediation.1_0.passive.keylist-update'], reason: /action "add" and result null; expected action "add" and a result of client_error/ },
  },
  { fault: 'keylist-query-omits', only: MEDIATOR, failing: { tests: ['coordinate_mediation.1_0.passive.keylist-query'], reason: /does not list the key agtest registered/ } },
  { fault: 'keylist-ignore-remove', only: MEDIATOR, failing: { tests: ['coordinate_mediation.1_0.passive.keylist-remove'], reason: /still lists .* after its remove/ } },
  {
    fault: 'forward-drop', only: MEDIATOR,
    failing: { tests: ['routing.1_0.passive.delivers'], reason: /forward to registered key .* never reached agtest/ },
    // Nothing reaches the queue, so the pickup tests that need a queued message are blocked by routing's failure.
    blocked: { tests: ['pickup.2_0.passive.status', 'pickup.2_0.passive.delivery', 'pickup.2_0.passive.messages-received'], by: /^routing\.1_0\.passive\.delivers$/ },
  },
  { fault: 'forward-unknown-key', only: MEDIATOR, failing: { tests: ['routing.1_0.passive.unknown-key'], reason: /which agtest never registered, was delivered to agtest/ } },
  { fault: 'pickup-status-no-count', only: MEDIATOR, failing: { tests: ['pickup.2_0.passive.status'], reason: /status has message_count null, not a non-negative integer/ } },
  { fault: 'pickup-empty-delivery', only: MEDIATOR, failing: { tests: ['pickup.2_0.passive.empty-queue'], reason: /nothing was queued, and delivery-request got .*delivery.*, not a status/ } },
  // RFC 0685's MUST NOT is about deleting; not offering a message again is all agtest sees of it: policy, a warning.
  { fault: 'pickup-delete-on-delivery', only: MEDIATOR, warning: { test: 'pickup.2_0.passive.delivery', text: /not delivered again before agtest acknowledged it .*\[policy/ } },
  { fault: 'pickup-delivery-wrong-thid', only: MEDIATOR, failing: { tests: ['pickup.2_0.passive.delivery'], reason: /delivery ~thread\.thid is .* expected the delivery-request @id/ } },
  // RFC 0685: the mediator "can remove them" and SHOULD send an updated status: warnings only.
  { fault: 'pickup-ignore-received', only: MEDIATOR, warning: { test: 'pickup.2_0.passive.messages-received', text: /after messages-received the status says message_count 1, expected 0 \[SHOULD, Aries RFC 0685/ } },
  { fault: 'pickup-live-ignored', only: MEDIATOR, failing: { tests: ['pickup.2_0.passive.live-mode'], reason: /no status or problem-report answered agtest's live-delivery-change/ } },
  // Legal variations: each mediation check must let them pass (restricted to the mediation junctions, so a run is short).
  { fault: 'mediator-queue-only', only: MEDIATOR },
  // RFC 0211 lets a mediator deny ("Mediation Deny"): the grant check passes on a deny threaded to the request (its
  // MUSTs are "a grant or a deny" and the thread); every test that needs mediation is not run, naming the deny, so
  // routing and pickup get no score and coordinate-mediation stays interoperable on what ran. Alone: a deny would hide
  // every other mediator fault.
  {
    fault: 'mediate-deny', only: MEDIATOR, alone: true,
    notRun: { tests: MEDIATOR_TESTS.filter((test) => test !== 'coordinate_mediation.1_0.passive.grant'), reason: /denied mediation \(mediate-deny\), which RFC 0211 allows/ },
  },
  { fault: 'pickup-live-status-only', only: ['pickup.2_0.passive'] },
];
