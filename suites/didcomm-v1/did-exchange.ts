import { defineSuite, defineTest, type JsonMessage, type ReceivedMessage, type TestContext } from '../define.js';
import { parseMessageType, threadId } from './message-type.js';
import { createInvitationLeniently, invitationKey, offerInvitation } from './out-of-band.js';

const RFC = 'Aries RFC 0023 (DID Exchange 1.1)';
const TYPE = 'https://didcomm.org/didexchange/1.1';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isDidExchange = (name: string) => (m: ReceivedMessage) => {
  const type = parseMessageType(m.message['@type']);
  return type?.family === 'didexchange' && type.major === 1 && type.name === name;
};
const answer = (m: ReceivedMessage) => isDidExchange('response')(m) || isDidExchange('problem_report')(m);

interface Started {
  invitation: JsonMessage;
  invitationKey: string;
  me: { did: string; verkey: string };
}

/** Gets an invitation that offers DID exchange, and the key its (first) service names. */
async function invitationForDidExchange(t: TestContext): Promise<Started> {
  const invitation = await createInvitationLeniently(t);
  const handshakes = Array.isArray(invitation['handshake_protocols']) ? invitation['handshake_protocols'].map(String) : [];
  t.check(
    handshakes.some((p) => /\/didexchange\/1\.\d+$/.test(p)),
    `the invitation does not offer DID exchange 1.x (handshake_protocols: ${JSON.stringify(invitation['handshake_protocols'] ?? null)}); an agent that claims the cluster must`,
  );
  const found = invitationKey(t, invitation);
  if ('error' in found) return found.unresolvable ? t.skip(found.error) : t.fail(found.error);
  return { invitation, invitationKey: found.key, me: t.dids.newIdentity() };
}

function request(t: TestContext, started: Started, pthid: string): JsonMessage {
  const id = t.newId();
  return { '@type': `${TYPE}/request`, '@id': id, '~thread': { thid: id, pthid }, label: 'agtest', did: started.me.did };
}

/** Sends the request to the invitation key and returns the agent's response (a problem report fails, with its reason). */
async function exchange(t: TestContext, started: Started): Promise<{ request: JsonMessage; response: ReceivedMessage }> {
  const message = request(t, started, String(started.invitation['@id']));
  await t.sendEnvelope(message, { mode: 'authcrypt', to: started.invitationKey, expectRefusal: false });
  const response = await t.receive(answer, { description: 'DID exchange response (or problem_report) to agtest request' });
  if (isDidExchange('problem_report')(response)) {
    t.fail(`the agent refused agtest's request: ${String(response.message['problem-code'])} ${JSON.stringify(response.message['explain'] ?? '')}`);
  }
  return { request: message, response };
}

/** How the response travels: in an envelope, to the key of agtest's DID (RFC 0023 1.1). */
function checkEncrypted(t: TestContext, started: Started, response: ReceivedMessage): void {
  t.check(response.envelope, `the response came in plaintext; ${RFC}: it is packed in an encryption envelope to the requester's keys`);
  t.check(response.envelope.recipient === started.me.verkey, `the response is encrypted to ${response.envelope.recipient}, not to the key of agtest's DID`);
}

/** The response's DID, proven by a signature of the invitation key; warns when its keys cannot be checked. */
function checkSigned(t: TestContext, started: Started, response: ReceivedMessage): void {
  const message = response.message;
  const did = message['did'];
  t.check(typeof did === 'string' && did.startsWith('did:'), `the response's did is ${JSON.stringify(did ?? null)}, not a DID`);
  const rotate = message['did_rotate~attach'];
  const doc = message['did_doc~attach'];
  const attachment = rotate ?? doc;
  t.check(attachment !== undefined, `the response has neither did_rotate~attach nor did_doc~attach: nothing proves the new DID comes from the invitation's key (${RFC})`);
  const which = rotate !== undefined ? 'did_rotate~attach' : 'did_doc~attach';
  const verified = t.dids.verifyAttachment(attachment);
  if ('error' in verified) t.fail(`${which}: ${verified.error}`);
  t.check(verified.signers.length > 0, `${which}: the signature does not verify`);
  t.check(
    verified.signers.includes(started.invitationKey),
    `${which} is signed by ${verified.signers.join(', ')}, not by the invitation key ${started.invitationKey}: continuity with the invitation is not proven (${RFC})`,
  );
  if (rotate !== undefined) {
    t.check(verified.payload === did, `did_rotate~attach signs ${JSON.stringify(verified.payload.slice(0, 60))}, not the response's did`);
  } else {
    let id: unknown;
    try {
      id = (JSON.parse(verified.payload) as Record<string, unknown>)['id'];
    } catch {
      t.fail('did_doc~attach does not hold a JSON DID document');
    }
    if (id !== did) t.warn(`did_doc~attach holds a document whose id ${JSON.stringify(id)} is not the response's did`);
  }
  const resolved = t.dids.resolve(did);
  if ('error' in resolved) {
    t.warn(`agtest cannot check the new DID's keys: ${resolved.error}`);
    return;
  }
  const key = resolved.key;
  const sender = response.envelope?.sender;
  if (sender && key && sender !== key && !resolved.verkeys.includes(sender)) {
    t.warn(`the response is packed from ${sender}, which is not a key of its new DID (${RFC}: the new keys)`);
  }
}

export const didExchangePassive = defineSuite({
  cluster: 'didexchange.1_1',
  mode: 'passive',
  description: "DID exchange with the agent as responder: agtest accepts the agent's out-of-band invitation and requests.",
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
      description: "The response's new DID is signed by the invitation key (did_rotate~attach, or a signed did_doc~attach), and agtest can read its keys",
      spec: `${RFC} 1.1: did_rotate~attach (or did_doc~attach) is signed by the key used in the invitation`,
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
        const did = response.message['did'];
        const resolved = typeof did === 'string' ? t.dids.resolve(did) : { error: 'no did' };
        const key = ('error' in resolved ? undefined : resolved.key) ?? response.envelope?.sender;
        if (!key) t.skip(`agtest cannot find the agent's new key (${'error' in resolved ? resolved.error : 'no keys'})`);
        await t.sendEnvelope({ '@type': `${TYPE}/complete`, '@id': t.newId(), '~thread': { thid: request['@id'], pthid: started.invitation['@id'] } }, { mode: 'authcrypt', to: key, expectRefusal: false });
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

/** The agent's request answering agtest's invitation, and the key it can be answered at. */
async function requestFromAgent(t: TestContext): Promise<{ invitation: JsonMessage; me: { key: string; did: string }; request: ReceivedMessage; theirKey: string | undefined; resolveError?: string }> {
  const { invitation, key, did } = await offerInvitation(t);
  const request = await t.receive(isDidExchange('request'), { description: "a DID exchange request answering agtest's invitation (agact receive-invitation)" });
  const theirDid = request.message['did'];
  const resolved = typeof theirDid === 'string' ? t.dids.resolve(theirDid) : { error: `the request's did is ${JSON.stringify(theirDid ?? null)}` };
  const theirKey = 'error' in resolved ? undefined : resolved.key;
  return { invitation, me: { key, did }, request, theirKey, ...('error' in resolved ? { resolveError: resolved.error } : {}) };
}

export const didExchangeActive = defineSuite({
  cluster: 'didexchange.1_1',
  mode: 'active',
  description: "DID exchange with the agent as requester: it answers agtest's out-of-band invitation.",
  tests: [
    defineTest({
      name: 'request',
      description: "The agent's request is encrypted to the invitation key, from a key of the DID it presents, which resolves",
      spec: `${RFC}: the request is packed to the invitation's recipientKeys; did is the requester's DID (did_doc~attach when it cannot be resolved)`,
      async run(t: TestContext) {
        const { me, request, theirKey, resolveError } = await requestFromAgent(t);
        t.check(request.envelope, `the request came in plaintext; ${RFC}: it is packed to the invitation's recipient keys`);
        t.check(request.envelope.recipient === me.key, `the request is encrypted to ${request.envelope.recipient}, not to the invitation key ${me.key}`);
        t.check(typeof request.message['did'] === 'string', 'the request has no did');
        if (resolveError !== undefined) {
          if (request.message['did_doc~attach'] === undefined) t.fail(`the request's DID does not resolve (${resolveError}) and it attaches no did_doc~attach`);
          t.warn(`agtest cannot check the request's DID: ${resolveError}`);
          return;
        }
        if (request.envelope.sender && theirKey && request.envelope.sender !== theirKey) t.warn(`the request is packed from ${request.envelope.sender}, not from the key of its DID`);
      },
    }),
    defineTest({
      name: 'complete',
      description: "After agtest's response (did_rotate~attach signed by the invitation key), the agent sends complete with thid = request @id and pthid = invitation @id",
      spec: `${RFC}, "Complete": ~thread.thid is the request's thread and pthid MUST be the invitation @id, as in the request`,
      async run(t: TestContext) {
        const { invitation, me, request, theirKey } = await requestFromAgent(t);
        const key = theirKey ?? request.envelope?.sender;
        if (!key) t.skip("agtest cannot find the agent's key to answer its request");
        await t.sendEnvelope(
          { '@type': `${TYPE}/response`, '@id': t.newId(), '~thread': { thid: request.message['@id'], pthid: invitation['@id'] }, did: me.did, 'did_rotate~attach': t.dids.sign(me.did) },
          { mode: 'authcrypt', to: key, expectRefusal: false },
        );
        const complete = await t.receive(isDidExchange('complete'), { description: "the agent's DID exchange complete after agtest's response" });
        const thread = isObject(complete.message['~thread']) ? complete.message['~thread'] : {};
        t.check(thread['thid'] === request.message['@id'], `complete ~thread.thid is ${JSON.stringify(thread['thid'] ?? null)}, not the request @id`);
        t.check(thread['pthid'] === invitation['@id'], `complete ~thread.pthid is ${JSON.stringify(thread['pthid'] ?? null)}, not the invitation @id ${String(invitation['@id'])}`);
        t.check(complete.envelope, 'complete came in plaintext');
      },
    }),
  ],
});
