import { defineSuite, defineTest, type Identity, type JsonMessage, type ReceivedMessage, type TestContext } from '../define.js';
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
import { parseMessageType, threadId } from './message-type.js';
import { createInvitationLeniently, invitationKey, offerInvitation } from './out-of-band.js';

const RFC = 'Aries RFC 0023 (DID Exchange 1.x)';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isDidExchange = (name: string) => isHandshakeMessage('didexchange', name);

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
    t.fail(`the invitation does not offer DID exchange 1.x (handshake_protocols: ${JSON.stringify(invitation['handshake_protocols'] ?? null)}); an agent that claims the cluster must`);
  }
  const found = invitationKey(t, invitation);
  if ('error' in found) return found.unresolvable ? t.skip(found.error) : t.fail(found.error);
  return { invitation, invitationKey: found.key, handshake: chosen, me: t.dids.newIdentity() };
}

function request(t: TestContext, started: Started, pthid: string, typeMinor?: number): JsonMessage {
  return handshakeRequest(t, started.handshake, started.me, pthid, typeMinor);
}

/** Sends the request to the invitation key and returns the agent's response (a problem report fails, with its reason). */
async function exchange(t: TestContext, started: Started, typeMinor?: number): Promise<{ request: JsonMessage; response: ReceivedMessage }> {
  const message = request(t, started, String(started.invitation['@id']), typeMinor);
  await t.sendEnvelope(message, { mode: 'authcrypt', to: started.invitationKey, expectRefusal: false });
  const response = await t.receive(isHandshakeAnswer(started.handshake), { description: `DID exchange response (or problem_report) to agtest's ${String(message['@type']).replace(/^.*\/(didexchange\/)/, '$1')}` });
  if (isDidExchange('problem_report')(response)) {
    t.fail(`the agent refused agtest's ${String(message['@type']).replace(/^.*\/(didexchange\/)/, '$1')}: ${String(response.message['problem-code'])} ${JSON.stringify(response.message['explain'] ?? '')}`);
  }
  return { request: message, response };
}

/** How the response travels: in an envelope, to the key of agtest's DID (RFC 0023). */
function checkEncrypted(t: TestContext, started: Started, response: ReceivedMessage): void {
  t.check(response.envelope, `the response came in plaintext; ${RFC}: it is packed in an encryption envelope to the requester's keys`);
  t.check(response.envelope.recipient === started.me.verkey, `the response is encrypted to ${response.envelope.recipient}, not to the key of agtest's DID`);
}

/**
 * The response's DID, proven by a signature of the invitation key (did_rotate~attach, or the
 * did_doc~attach of 1.0), and its keys: a did:peer:1 must be the hash of its attached document.
 * Warns when agtest cannot check the keys at all.
 */
function checkSigned(t: TestContext, started: Started, response: ReceivedMessage): void {
  const reading = readResponse(t, started.handshake, response.message, started.invitationKey);
  if (reading.problems.length > 0) t.fail(reading.problems.join('; '));
  for (const reason of reading.unchecked) t.warn(`agtest cannot check the new DID's keys: ${reason}`);
  const docAttachment = response.message['did_doc~attach'];
  if (response.message['did_rotate~attach'] === undefined && docAttachment !== undefined) {
    const verified = t.dids.verifyAttachment(docAttachment);
    if (!('error' in verified)) {
      let id: unknown;
      try {
        id = (JSON.parse(verified.payload) as Record<string, unknown>)['id'];
      } catch {
        t.fail('did_doc~attach does not hold a JSON DID document');
      }
      if (id !== undefined && id !== reading.did) t.warn(`did_doc~attach holds a document whose id ${JSON.stringify(id)} is not the response's did`);
    }
  }
  const sender = response.envelope?.sender;
  if (sender && reading.key && sender !== reading.key) t.warn(`the response is packed from ${sender}, which is not a key of its new DID (${RFC}: the new keys)`);
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
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        const { request, response } = await exchange(t, started);
        t.check(threadId(response.message) === request['@id'], `response ~thread.thid is ${JSON.stringify(threadId(response.message) ?? null)}, not the request @id ${String(request['@id'])} (${RFC}, RFC 0008)`);
      },
    }),
    defineTest({
      name: 'response-signed',
      description: "The response's new DID is signed by the invitation key (did_rotate~attach, or a signed did_doc~attach), and agtest can read its keys (a did:peer:1 or unqualified DID from its verified did_doc~attach; a did:peer:1 must be the hash of that document)",
      spec: `${RFC}: did_rotate~attach (1.1) or did_doc~attach is signed by the key used in the invitation; did:peer spec, Method 1: a did:peer:1 is the SHA-256 of its genesis document`,
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
        const pong = await t.receive((m) => parseMessageType(m.message['@type'])?.name === 'ping_response', {
          description: 'ping_response over the new connection (a trust ping packed to the key of its new DID)',
        });
        const envelope = pong.envelope;
        t.check(envelope, 'the ping_response on the new connection came in plaintext');
        // Anoncrypt (no sender) is the envelope cluster's finding; a wrong sender is this one's.
        if (envelope.sender !== undefined) t.check(envelope.sender === key, `the ping_response is packed from ${envelope.sender}, not from the connection's key ${key}`);
      },
    }),
    defineTest({
      name: 'newer-minor-request',
      description: 'A request whose @type has a newer minor version than the invitation offers (didexchange/1.1 to an agent offering 1.0; 1.2 to one offering 1.1) is answered with a response, not refused',
      spec: 'Aries RFC 0003 semver.md, Recipient Rules: "If a recipient supports protocol X version 1.0, it should tentatively accept messages with later minor versions (e.g., 1.2)"; Aries RFC 0023',
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        // The content of the version the agent offered, under the next minor version's type.
        const offered = Math.max(...offeredHandshakes(started.invitation).flatMap((uri) => /\/didexchange\/1\.(\d+)$/.exec(uri)?.[1] ?? []).map(Number));
        const minor = (Number.isFinite(offered) ? offered : started.handshake.minor) + 1;
        const { response } = await exchange(t, started, minor);
        t.check(isDidExchange('response')(response), `no DID exchange response to a didexchange/1.${minor}/request`);
      },
    }),
    defineTest({
      name: 'rejects-plaintext-request',
      description: 'A DID exchange request sent in plaintext gets no response',
      spec: `${RFC}: the request is packed to the invitation keys; a plaintext one must not make a connection`,
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        await t.sendPlaintext(request(t, started, String(started.invitation['@id'])), { expectRefusal: true });
        await t.expectSilence(isDidExchange('response'), { description: 'a DID exchange response to a request that came in plaintext' });
      },
    }),
    defineTest({
      name: 'rejects-unknown-invitation',
      description: "A request whose pthid is not one of the agent's invitations gets no response",
      spec: `${RFC}, RFC 0434: a request whose ~thread.pthid names no invitation of the agent is not accepted`,
      async run(t: TestContext) {
        const started = await invitationForDidExchange(t);
        await t.sendEnvelope(request(t, started, t.newId()), { mode: 'authcrypt', to: started.invitationKey, expectRefusal: true });
        await t.expectSilence(isDidExchange('response'), { description: "a DID exchange response to a request whose pthid is no invitation's @id" });
      },
    }),
  ],
});

/** The agent's request answering agtest's invitation (which offers DID exchange 1.1 and 1.0), and the key it can be answered at. */
async function requestFromAgent(t: TestContext): Promise<{ invitation: JsonMessage; me: Identity; key: string; request: ReceivedMessage; handshake: Handshake; theirKey: string | undefined; problems: string[]; unchecked: string[] }> {
  const { invitation, key, identity } = await offerInvitation(t);
  const request = await t.receive(isDidExchange('request'), { description: "a DID exchange request answering agtest's invitation (agact receive-invitation)" });
  const reading = readRequest(t, request.message);
  const handshake = handshakeOfRequest(request.message)!;
  return { invitation, me: identity!, key, request, handshake, theirKey: reading.key, problems: reading.problems, unchecked: reading.unchecked };
}

export const didExchangeActive = defineSuite({
  cluster: 'didexchange.1_1',
  mode: 'active',
  description: "DID exchange with the agent as requester: it answers agtest's out-of-band invitation (which offers DID exchange 1.1 and 1.0).",
  tests: [
    defineTest({
      name: 'request',
      description: "The agent's request is encrypted to the invitation key, from a key of the DID it presents, which resolves (did:peer:2/4) or comes with its did_doc~attach",
      spec: `${RFC}: the request is packed to the invitation's recipientKeys; did is the requester's DID (did_doc~attach when it cannot be resolved)`,
      async run(t: TestContext) {
        const { key, request, theirKey, problems, unchecked } = await requestFromAgent(t);
        t.check(request.envelope, `the request came in plaintext; ${RFC}: it is packed to the invitation's recipient keys`);
        t.check(request.envelope.recipient === key, `the request is encrypted to ${request.envelope.recipient}, not to the invitation key ${key}`);
        t.check(typeof request.message['did'] === 'string', 'the request has no did');
        if (problems.length > 0) t.fail(problems.join('; '));
        if (unchecked.length > 0) {
          if (request.message['did_doc~attach'] === undefined && !/^did:peer:[24]/.test(String(request.message['did']))) t.fail(`the request's DID does not resolve (${unchecked.join('; ')}) and it attaches no did_doc~attach`);
          t.warn(`agtest cannot check the request's DID: ${unchecked.join('; ')}`);
          return;
        }
        if (request.envelope.sender && theirKey && request.envelope.sender !== theirKey) t.warn(`the request is packed from ${request.envelope.sender}, not from the key of its DID`);
      },
    }),
    defineTest({
      name: 'complete',
      description: "After agtest's response (1.1: did_rotate~attach; 1.0: a did:peer:1 in did_doc~attach; both signed by the invitation key), the agent sends complete with thid = request @id and pthid = invitation @id",
      spec: `${RFC}, "Complete": ~thread.thid is the request's thread and pthid MUST be the invitation @id, as in the request`,
      async run(t: TestContext) {
        const { invitation, me, request, handshake, theirKey } = await requestFromAgent(t);
        const key = theirKey ?? request.envelope?.sender;
        if (!key) t.skip("agtest cannot find the agent's key to answer its request");
        await t.sendEnvelope(handshakeResponse(t, handshake, request.message, me, invitation['@id']), { mode: 'authcrypt', to: key, expectRefusal: false });
        const complete = await t.receive(isDidExchange('complete'), { description: `the agent's DID exchange complete after agtest's ${handshakeName(handshake)} response` });
        const thread = isObject(complete.message['~thread']) ? complete.message['~thread'] : {};
        t.check(thread['thid'] === request.message['@id'], `complete ~thread.thid is ${JSON.stringify(thread['thid'] ?? null)}, not the request @id`);
        t.check(thread['pthid'] === invitation['@id'], `complete ~thread.pthid is ${JSON.stringify(thread['pthid'] ?? null)}, not the invitation @id ${String(invitation['@id'])}`);
        t.check(complete.envelope, 'complete came in plaintext');
      },
    }),
  ],
});
