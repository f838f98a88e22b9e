import { defineSuite, defineTest, type Identity, type JsonMessage, type ReceivedMessage, type Rule, type TestContext } from '../define.js';
import {
  chooseHandshake,
  handshakeComplete,
  handshakeName,
  handshakeOfRequest,
  handshakeRequest,
  handshakeResponse,
  isHandshakeAnswer,
  isHandshakeMessage,
  offeredHandshakes,
  readRequest,
  readResponse,
  type Handshake,
} from './handshake.js';
import { pause, parseMessageType, receiveOrNothing, threadId } from './message-type.js';
import { createInvitationLeniently, invitationKey, offerInvitation } from './out-of-band.js';

const RFC = 'Aries RFC 0023 (DID Exchange 1.x)';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isDidExchange = (name: string) => isHandshakeMessage('didexchange', name);

/** How a precondition's failure reads: the reason, the rule's level and citation (as verify writes it). */
const cited = (rule: Rule, reason: string) => `${reason} [${rule.level}, ${rule.cite}]`;

/**
 * The agent as responder gives its provisional information in an out-of-band invitation that offers
 * DID exchange and names a key: every passive test starts from it.
 */
const INVITATION: Rule = {
  id: 'invitation',
  level: 'MUST',
  cite: `${RFC}, Flow Overview ("The responder gives provisional information to the requester using an explicit invitation message from the out-of-band protocol"); Aries RFC 0434, Invitation (handshake_protocols, services)`,
  text: "agact create-invitation gives an invitation that offers DID exchange 1.x and names a service key",
};
const RESPONDS: Rule = {
  id: 'responds',
  level: 'MUST',
  cite: `${RFC}, 2. Exchange Response ("This message is required in the flow")`,
  text: "agtest's request to the agent's invitation is answered with a response, not a problem_report",
};
const THREAD: Rule = {
  id: 'thread',
  level: 'MUST',
  cite: `${RFC}, Response Message Attributes: "The ~thread decorator MUST be included. It contains a thid reference to the @id of the request message"; Aries RFC 0008`,
  text: "the response's ~thread.thid is the request @id",
};
/** Response Transmission: "The message should be packaged in the encrypted envelope format, using the keys from the request, and the new keys presented in the internal did doc." */
const TRANSMISSION = `${RFC}, Response Transmission ("The message should be packaged in the encrypted envelope format, using the keys from the request, and the new keys presented in the internal did doc")`;
const ENCRYPTED: Rule[] = [
  { id: 'encrypted', level: 'SHOULD', cite: TRANSMISSION, text: 'the response comes in an encryption envelope' },
  { id: 'to-request-key', level: 'SHOULD', cite: TRANSMISSION, text: "the response is encrypted to the key of agtest's DID (the request's keys)" },
];
const SIGNED: Rule[] = [
  {
    id: 'proof',
    level: 'MUST',
    cite: `${RFC}, Response Message Attributes ("The did attribute MUST be included"; did:peer documents "must be as outlined in RFC 0627") and Response Processing (the signature on did_doc~attach or did_rotate~attach "MUST be validated, if present. The key used in the signature MUST match the key used in the invitation"); Aries RFC 0017 signed attachments; did:peer spec, Method 1`,
    text: 'the response has a DID; its did_rotate~attach or did_doc~attach verifies, is signed by the invitation key and signs that DID (a did:peer:1 is the hash of its document)',
  },
  { id: 'proof-present', level: 'policy', cite: `agtest policy: ${RFC} makes did_doc~attach and did_rotate~attach (1.1) optional, yet without one nothing ties the new DID to the invitation's key`, text: 'the response carries did_rotate~attach or did_doc~attach' },
  { id: 'keys-readable', level: 'policy', cite: 'agtest policy: agtest reads did:peer:2/4 from the DID and other DIDs from a verified did_doc~attach', text: "agtest can read the new DID's keys" },
  { id: 'doc-id', level: 'policy', cite: `agtest policy: ${RFC}, Response Message Attributes (did_doc~attach "contains the DID Doc associated with the did"; no keyword fixes its id)`, text: "a did_doc~attach document's id is the response's did" },
  { id: 'sender-key', level: 'SHOULD', cite: TRANSMISSION, text: 'the response is packed from a key of the new DID' },
];
const CONNECTION_WORKS: Rule = {
  id: 'connection-works',
  level: 'MUST',
  cite: `${RFC}, 3. Exchange Complete (the complete message "marks the exchange complete. The responder may then invoke any protocols desired"); Aries RFC 0048, Roles ("The receiver responds")`,
  text: 'after complete, a trust ping packed to the new DID\'s key is answered on the connection',
};

interface Started {
  invitation: JsonMessage;
  invitationKey: string;
  handshake: Handshake;
  me: Identity;
}

/**
 * Gets an invitation that offers DID exchange, the version agtest speaks with it (the highest
 * offered) and the key its (first) service names. An invitation that offers only connections 1.0
 * (RFC 0160) means the agent does not speak DID exchange: not-run.
 */
async function invitationForDidExchange(t: TestContext): Promise<Started> {
  const invitation = await createInvitationLeniently(t);
  const chosen = chooseHandshake(invitation, ['didexchange']);
  if ('error' in chosen) {
    if (!('error' in chooseHandshake(invitation, ['connections']))) t.skip(`the agent's invitation offers only connections/1.0 (Aries RFC 0160), not DID exchange (handshake_protocols: ${JSON.stringify(offeredHandshakes(invitation))}); its connection is tested by the connection step`);
    t.fail(cited(INVITATION, `the invitation does not offer DID exchange 1.x (handshake_protocols: ${JSON.stringify(invitation['handshake_protocols'] ?? null)}); an agent that claims the cluster must`));
  }
  const found = invitationKey(t, invitation);
  if ('error' in found) return found.unresolvable ? t.skip(found.error) : t.fail(cited(INVITATION, found.error));
  return { invitation, invitationKey: found.key, handshake: chosen, me: t.dids.newIdentity() };
}

function request(t: TestContext, started: Started, pthid: string, typeMinor?: number): JsonMessage {
  return handshakeRequest(t, started.handshake, started.me, pthid, typeMinor);
}

const typeName = (message: JsonMessage) => String(message['@type']).replace(/^.*\/(didexchange\/)/, '$1');

/** Sends the request to the invitation key; the agent's answer (a response or a problem_report), if any came. */
async function ask(t: TestContext, started: Started, typeMinor?: number): Promise<{ request: JsonMessage; answer: ReceivedMessage | undefined }> {
  const message = request(t, started, String(started.invitation['@id']), typeMinor);
  await t.sendEnvelope(message, { mode: 'authcrypt', to: started.invitationKey, expectRefusal: false });
  const answer = await receiveOrNothing(t, isHandshakeAnswer(started.handshake), `DID exchange response (or problem_report) to agtest's ${typeName(message)}`);
  return { request: message, answer };
}

const refusal = (message: JsonMessage, answer: ReceivedMessage) => `the agent refused agtest's ${typeName(message)}: ${String(answer.message['problem-code'])} ${JSON.stringify(answer.message['explain'] ?? '')}`;

/** The agent's response to agtest's request: no answer or a problem_report ends the test, failed (RESPONDS). */
async function exchange(t: TestContext, started: Started): Promise<{ request: JsonMessage; response: ReceivedMessage }> {
  const { request: message, answer } = await ask(t, started);
  if (!answer) t.fail(cited(RESPONDS, `no DID exchange response (or problem_report) to agtest's ${typeName(message)} arrived`));
  if (isDidExchange('problem_report')(answer)) t.fail(cited(RESPONDS, refusal(message, answer)));
  return { request: message, response: answer };
}

/** How the response travels: in an envelope, to the key of agtest's DID (RFC 0023: should). */
function checkEncrypted(t: TestContext, started: Started, response: ReceivedMessage): void {
  if (!t.verify('encrypted', response.envelope, 'the response came in plaintext, not in an encryption envelope to the requester\'s keys') || !response.envelope) return;
  t.verify('to-request-key', response.envelope.recipient === started.me.verkey, `the response is encrypted to ${response.envelope.recipient}, not to the key of agtest's DID`);
}

/**
 * The response's DID, proven by a signature of the invitation key (did_rotate~attach, or the
 * did_doc~attach of 1.0), and its keys: a did:peer:1 must be the hash of its attached document.
 */
function checkSigned(t: TestContext, started: Started, response: ReceivedMessage): void {
  const reading = readResponse(t, started.handshake, response.message, started.invitationKey);
  t.verify('proof', reading.problems.length === 0, reading.problems.join('; '));
  if (reading.unproven) t.verify('proof-present', false, reading.unproven);
  for (const reason of reading.unchecked) t.verify('keys-readable', false, `agtest cannot check the new DID's keys: ${reason}`);
  const docAttachment = response.message['did_doc~attach'];
  if (response.message['did_rotate~attach'] === undefined && docAttachment !== undefined) {
    const verified = t.dids.verifyAttachment(docAttachment);
    if (!('error' in verified)) {
      let id: unknown;
      try {
        id = (JSON.parse(verified.payload) as Record<string, unknown>)['id'];
      } catch {
        t.verify('proof', false, 'did_doc~attach does not hold a JSON DID document');
      }
      if (id !== undefined) t.verify('doc-id', id === reading.did, `did_doc~attach holds a document whose id ${JSON.stringify(id)} is not the response's did`);
    }
  }
  const sender = response.envelope?.sender;
  if (sender && reading.key) t.verify('sender-key', sender === reading.key, `the response is packed from ${sender}, which is not a key of its new DID`);
}

export const didExchangePassive = defineSuite({
  cluster: 'didexchange.1_1',
  mode: 'passive',
  description: "DID exchange with the agent as responder: agtest accepts the agent's out-of-band invitation and requests, in the highest DID exchange version the invitation offers (1.1 or 1.0).",
  tests: [
    defineTest({
      name: 'response-encrypted',
      description: "A request to the agent's invitation gets a response in an encryption envelope, to the key of agtest's DID",
      spec: `${RFC}: the response is packed in an encryption envelope with the keys from the request`,
      rules: [INVITATION, RESPONDS, ...ENCRYPTED],
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        const { response } = await exchange(t, started);
        checkEncrypted(t, started, response);
      },
    }),
    defineTest({
      name: 'response-thread',
      description: "The response's ~thread.thid is the request @id",
      spec: `${RFC}, RFC 0008: the response's ~thread.thid is the @id of the request`,
      rules: [INVITATION, RESPONDS, THREAD],
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        const { request, response } = await exchange(t, started);
        t.verify('thread', threadId(response.message) === request['@id'], `response ~thread.thid is ${JSON.stringify(threadId(response.message) ?? null)}, not the request @id ${String(request['@id'])}`);
      },
    }),
    defineTest({
      name: 'response-signed',
      description: "The response's new DID is signed by the invitation key (did_rotate~attach, or a signed did_doc~attach), and agtest can read its keys (a did:peer:1 or unqualified DID from its verified did_doc~attach; a did:peer:1 must be the hash of that document)",
      spec: `${RFC}: did_rotate~attach (1.1) or did_doc~attach is signed by the key used in the invitation; did:peer spec, Method 1: a did:peer:1 is the SHA-256 of its genesis document`,
      rules: [INVITATION, RESPONDS, ...SIGNED],
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        const { response } = await exchange(t, started);
        checkSigned(t, started, response);
      },
    }),
    defineTest({
      name: 'complete',
      description: 'After the complete message, a trust ping over the new connection is answered, packed from the key of the new DID',
      spec: `${RFC}: after complete (thid + pthid) the connection carries messages both ways, from the new key`,
      rules: [
        INVITATION,
        RESPONDS,
        CONNECTION_WORKS,
        { id: 'reply-encrypted', level: 'policy', cite: `agtest policy: ${RFC}, Response Message Attributes ("This new DID and endpoint are to be used going forward in the relationship"; no keyword); Aries RFC 0019 names no mode as required`, text: 'the ping_response on the new connection comes in an envelope' },
        { id: 'reply-from-new-key', level: 'policy', cite: `agtest policy: ${RFC}, Response Message Attributes ("This new DID and endpoint are to be used going forward in the relationship"; no keyword)`, text: "an Authcrypt ping_response on the new connection is packed from the new DID's key" },
      ],
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        const { request, response } = await exchange(t, started);
        const reading = readResponse(t, started.handshake, response.message, started.invitationKey);
        const key = reading.key ?? response.envelope?.sender;
        if (!key) t.skip(`agtest cannot find the agent's new key (${[...reading.problems, ...reading.unchecked].join('; ') || 'no keys'})`);
        await t.sendEnvelope(handshakeComplete(t, started.handshake, request['@id'], started.invitation['@id']), { mode: 'authcrypt', to: key, expectRefusal: false });
        const ping = { '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': t.newId(), response_requested: true };
        await t.sendEnvelope(ping, { mode: 'authcrypt', to: key, expectRefusal: false });
        // Any ping_response: its thid is trust_ping's check, not this one's.
        const pong = await receiveOrNothing(t, (m) => parseMessageType(m.message['@type'])?.name === 'ping_response', 'ping_response over the new connection (a trust ping packed to the key of its new DID)');
        if (!t.verify('connection-works', pong, 'no ping_response came over the new connection (a trust ping packed to the key of its new DID, after complete)') || !pong) return;
        const envelope = pong.envelope;
        if (!t.verify('reply-encrypted', envelope, 'the ping_response on the new connection came in plaintext') || !envelope) return;
        // Anoncrypt (no sender) is the envelope cluster's finding; a wrong sender is this one's.
        if (envelope.sender !== undefined) t.verify('reply-from-new-key', envelope.sender === key, `the ping_response is packed from ${envelope.sender}, not from the connection's key ${key}`);
      },
    }),
    defineTest({
      name: 'newer-minor-request',
      description: 'A request whose @type has a newer minor version than the invitation offers (didexchange/1.1 to an agent offering 1.0; 1.2 to one offering 1.1) is answered with a response, not refused',
      spec: 'Aries RFC 0003 semver.md, Recipient Rules: "If a recipient supports protocol X version 1.0, it should tentatively accept messages with later minor versions (e.g., 1.2)"; Aries RFC 0023',
      rules: [
        INVITATION,
        { id: 'accepts-newer-minor', level: 'SHOULD', cite: 'Aries RFC 0003 semver.md, Recipient Rules: "it should tentatively accept messages with later minor versions (e.g., 1.2)"', text: 'a DID exchange request of a later minor version than offered gets a response' },
      ],
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        // The content of the version the agent offered, under the next minor version's type.
        const offered = Math.max(...offeredHandshakes(started.invitation).flatMap((uri) => /\/didexchange\/1\.(\d+)$/.exec(uri)?.[1] ?? []).map(Number));
        const minor = (Number.isFinite(offered) ? offered : started.handshake.minor) + 1;
        const { request: message, answer } = await ask(t, started, minor);
        if (!answer) t.verify('accepts-newer-minor', false, `no DID exchange response to a didexchange/1.${minor}/request`);
        else if (isDidExchange('problem_report')(answer)) t.verify('accepts-newer-minor', false, refusal(message, answer));
      },
    }),
    defineTest({
      name: 'rejects-plaintext-request',
      description: 'A DID exchange request sent in plaintext gets no response',
      spec: `${RFC}: the request is packed to the invitation keys; a plaintext one must not make a connection`,
      rules: [
        INVITATION,
        { id: 'no-plaintext-connection', level: 'SHOULD', cite: `${RFC}, Request processing: "The responder should check the information presented with the keys used in the wire-level message transmission to ensure they match" (a plaintext request has no such keys); Request Transmission (the request is encoded in an Encryption Envelope to the invitation's recipientKeys)`, text: 'a DID exchange request that came in plaintext gets no response' },
      ],
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        await t.sendPlaintext(request(t, started, String(started.invitation['@id'])), { expectRefusal: true });
        await pause(t);
        const answered = t.received(isDidExchange('response'));
        t.verify('no-plaintext-connection', answered.length === 0, 'a DID exchange response to a request that came in plaintext arrived: the agent connected without checking the wire-level keys');
      },
    }),
    defineTest({
      name: 'rejects-unknown-invitation',
      description: "A request whose pthid is not one of the agent's invitations gets no response",
      spec: `${RFC}, RFC 0434: a request whose ~thread.pthid names no invitation of the agent is not accepted`,
      rules: [
        INVITATION,
        { id: 'unknown-invitation', level: 'MAY', cite: `${RFC}, Request processing: "The responder MAY look up the corresponding invitation identified in the request's ~thread.pthid to determine whether it should accept this exchange request"; Request Rejected ("Missing reference to invitation")`, text: "a request whose ~thread.pthid names no invitation of the agent gets no response" },
      ],
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        await t.sendEnvelope(request(t, started, t.newId()), { mode: 'authcrypt', to: started.invitationKey, expectRefusal: true });
        await pause(t);
        const answered = t.received(isDidExchange('response'));
        t.verify('unknown-invitation', answered.length === 0, "a DID exchange response to a request whose pthid is no invitation's @id arrived");
      },
    }),
  ],
});

/** The agent's request answering agtest's invitation (which offers DID exchange 1.1 and 1.0), and the key it can be answered at. */
async function requestFromAgent(t: TestContext): Promise<{ invitation: JsonMessage; me: Identity; key: string; request: ReceivedMessage; handshake: Handshake; theirKey: string | undefined; problems: string[]; unchecked: string[] }> {
  const { invitation, key, identity } = await offerInvitation(t);
  const request = await t.receive(isDidExchange('request'), { description: "a DID exchange request answering agtest's invitation (agact receive-invitation) [MUST, Aries RFC 0434, Responses: the receiver uses the first supported handshake protocol to make a new connection]" });
  const reading = readRequest(t, request.message);
  const handshake = handshakeOfRequest(request.message)!;
  return { invitation, me: identity!, key, request, handshake, theirKey: reading.key, problems: reading.problems, unchecked: reading.unchecked };
}

const REQUEST_TRANSMISSION = `${RFC}, Request Transmission ("The request message is encoded according to the standards of the Encryption Envelope, using the recipientKeys present in the invitation"; no keyword)`;

export const didExchangeActive = defineSuite({
  cluster: 'didexchange.1_1',
  mode: 'active',
  description: "DID exchange with the agent as requester: it answers agtest's out-of-band invitation (which offers DID exchange 1.1 and 1.0).",
  tests: [
    defineTest({
      name: 'request',
      description: "The agent's request is encrypted to the invitation key, from a key of the DID it presents, which resolves (did:peer:2/4) or comes with its did_doc~attach",
      spec: `${RFC}: the request is packed to the invitation's recipientKeys; did is the requester's DID (did_doc~attach when it cannot be resolved)`,
      rules: [
        { id: 'encrypted', level: 'policy', cite: `agtest policy: ${REQUEST_TRANSMISSION}`, text: 'the request comes in an encryption envelope' },
        { id: 'to-invitation-key', level: 'policy', cite: `agtest policy: ${REQUEST_TRANSMISSION}`, text: 'the request is encrypted to the invitation key' },
        { id: 'did', level: 'MUST', cite: `${RFC}, Request Message Attributes: "The did attribute MUST be included"`, text: 'the request has a did' },
        { id: 'did-doc', level: 'MUST', cite: `${RFC}, Request Message Attributes (did_doc~attach "contains the DIDDoc associated with the did, if required"; did:peer documents "must be as outlined in RFC 0627") and Request processing (the responder "evaluates the provided DID and DID Doc"); Aries RFC 0017 signed attachments`, text: "the request's DID resolves, or its did_doc~attach verifies and gives the DID's keys" },
        { id: 'keys-readable', level: 'policy', cite: 'agtest policy: agtest reads did:peer:2/4 from the DID and other DIDs from a verified did_doc~attach', text: "agtest can read the request's DID's keys" },
        { id: 'sender-key', level: 'SHOULD', cite: `${RFC}, Request processing: "The responder should check the information presented with the keys used in the wire-level message transmission to ensure they match"`, text: 'the request is packed from a key of the DID it presents' },
      ],
      async run(t: TestContext) {
        const { key, request, theirKey, problems, unchecked } = await requestFromAgent(t);
        if (t.verify('encrypted', request.envelope, "the request came in plaintext, not packed to the invitation's recipient keys") && request.envelope) {
          t.verify('to-invitation-key', request.envelope.recipient === key, `the request is encrypted to ${request.envelope.recipient}, not to the invitation key ${key}`);
        }
        if (!t.verify('did', typeof request.message['did'] === 'string', 'the request has no did')) return;
        t.verify('did-doc', problems.length === 0, problems.join('; '));
        if (unchecked.length > 0) {
          if (request.message['did_doc~attach'] === undefined && !/^did:peer:[24]/.test(String(request.message['did']))) t.verify('did-doc', false, `the request's DID does not resolve (${unchecked.join('; ')}) and it attaches no did_doc~attach`);
          else t.verify('keys-readable', false, `agtest cannot check the request's DID: ${unchecked.join('; ')}`);
          return;
        }
        if (request.envelope?.sender && theirKey) t.verify('sender-key', request.envelope.sender === theirKey, `the request is packed from ${request.envelope.sender}, not from the key of its DID`);
      },
    }),
    defineTest({
      name: 'complete',
      description: "After agtest's response (1.1: did_rotate~attach; 1.0: a did:peer:1 in did_doc~attach; both signed by the invitation key), the agent sends complete with thid = request @id and pthid = invitation @id",
      spec: `${RFC}, "Complete": ~thread.thid is the request's thread and pthid MUST be the invitation @id, as in the request`,
      rules: [
        { id: 'complete', level: 'MUST', cite: `${RFC}, 3. Exchange Complete: "This message is required in the flow"`, text: "agtest's response is answered with complete" },
        { id: 'thid', level: 'MUST', cite: `${RFC}, Complete Message Example (thid: "The Thread ID is the Message ID (@id) of the first message in the thread"); Aries RFC 0008, Thread ID`, text: "complete's ~thread.thid is the request @id" },
        { id: 'pthid', level: 'MUST', cite: `${RFC}, 3. Exchange Complete: "The pthid is required in this message, and must be identical to the pthid used in the request message"`, text: "complete's ~thread.pthid is the invitation @id" },
        { id: 'encrypted', level: 'policy', cite: `agtest policy: ${RFC} sends complete on the new connection ("use that information in sending the complete message"; no keyword); Aries RFC 0019`, text: 'complete comes in an envelope' },
      ],
      async run(t: TestContext) {
        const { invitation, me, request, handshake, theirKey } = await requestFromAgent(t);
        const key = theirKey ?? request.envelope?.sender;
        if (!key) t.skip("agtest cannot find the agent's key to answer its request");
        await t.sendEnvelope(handshakeResponse(t, handshake, request.message, me, invitation['@id']), { mode: 'authcrypt', to: key, expectRefusal: false });
        const complete = await receiveOrNothing(t, isDidExchange('complete'), `the agent's DID exchange complete after agtest's ${handshakeName(handshake)} response`);
        if (!t.verify('complete', complete, `no DID exchange complete came after agtest's ${handshakeName(handshake)} response`) || !complete) return;
        const thread = isObject(complete.message['~thread']) ? complete.message['~thread'] : {};
        t.verify('thid', thread['thid'] === request.message['@id'], `complete ~thread.thid is ${JSON.stringify(thread['thid'] ?? null)}, not the request @id`);
        t.verify('pthid', thread['pthid'] === invitation['@id'], `complete ~thread.pthid is ${JSON.stringify(thread['pthid'] ?? null)}, not the invitation @id ${String(invitation['@id'])}`);
        t.verify('encrypted', complete.envelope, 'complete came in plaintext');
      },
    }),
    defineTest({
      name: 'rejects-bad-signature',
      description: "agtest's response whose did_rotate~attach (1.0: did_doc~attach) signature does not verify is not answered with complete",
      spec: `${RFC} 1.1, Response Processing: the signature on did_doc~attach or did_rotate~attach MUST be validated, if present, and be made by the invitation key`,
      rules: [
        {
          id: 'no-complete',
          level: 'MUST NOT',
          cite: `${RFC} 1.1, Response Processing ("The signature on did_doc~attach or did_rotate~attach MUST be validated, if present. The key used in the signature MUST match the key used in the invitation"); Aries RFC 0017 signed attachments`,
          text: 'a response whose signed attachment does not verify is not answered with complete (a problem_report is fine)',
        },
      ],
      async run(t: TestContext) {
        const { invitation, me, request, handshake, theirKey } = await requestFromAgent(t);
        const key = theirKey ?? request.envelope?.sender;
        if (!key) t.skip("agtest cannot find the agent's key to answer its request");
        const response = handshakeResponse(t, handshake, request.message, me, invitation['@id']);
        const attachment = response['did_rotate~attach'] ?? response['did_doc~attach'];
        const jws = isObject(attachment) && isObject(attachment['data']) && isObject(attachment['data']['jws']) ? attachment['data']['jws'] : undefined;
        if (!jws || typeof jws['signature'] !== 'string') t.skip(`agtest's ${handshakeName(handshake)} response carries no signed attachment to spoil`);
        // One bit of the signature flipped: the attachment and its signer are as before, the signature no longer holds.
        const signature = Buffer.from(jws['signature'], 'base64url');
        signature[0] = (signature[0] ?? 0) ^ 0x01;
        jws['signature'] = signature.toString('base64url');
        await t.sendEnvelope(response, { mode: 'authcrypt', to: key, expectRefusal: true });
        await pause(t);
        const completed = t.received(isDidExchange('complete'));
        t.verify('no-complete', completed.length === 0, `the agent answered a ${handshakeName(handshake)} response whose signed attachment does not verify with complete: it did not validate the signature`);
      },
    }),
  ],
});
