import { defineSuite, defineTest, type Rule, type TestContext } from '../define.js';
import { chooseHandshake, handshakeComplete, handshakeRequest, isHandshakeAnswer, isHandshakeMessage, offeredHandshakes, readResponse, RFC_CONNECTIONS } from './handshake.js';
import { receiveOrNothing, threadId } from './message-type.js';
import { createInvitationLeniently, invitationKey } from './out-of-band.js';

const RFC = RFC_CONNECTIONS;
const TRANSMISSION = `${RFC}, Response Transmission ("The message should be packaged in the wire level format, using the keys from the request, and the new keys presented in the internal did doc")`;

const RESPONDS: Rule = { id: 'responds', level: 'MUST', cite: `${RFC}, 2. Connection Response ("This message is required in the flow")`, text: "agtest's connection request to the agent's invitation is answered with a response, not a problem_report" };
const SIGNED: Rule = {
  id: 'signed',
  level: 'MUST',
  cite: `${RFC}, 2. Connection Response ("The above message is required to be signed"; "The signature data must be used to verify against the invitation's recipientKeys for continuity"; "The did attribute is a required string value"); Aries RFC 0234 (ed25519Sha512_single)`,
  text: "the response's connection~sig verifies, is signed by the invitation key and signs the connection's DID and a DIDDoc with an Ed25519 key",
};

const cited = (rule: Rule, reason: string) => `${reason} [${rule.level}, ${rule.cite}]`;

/**
 * Aries RFC 0160 connections 1.0 with the agent as responder, for agents whose out-of-band
 * invitations offer it (2023-era frameworks; RFC 0023 supersedes it). One test judges the whole
 * handshake, so that the connection step built on it has its failure reported once.
 */
export const connectionsPassive = defineSuite({
  cluster: 'connections.1_0',
  mode: 'passive',
  description: "RFC 0160 connections with the agent as responder: agtest accepts the agent's out-of-band invitation offering connections/1.0 and requests.",
  tests: [
    defineTest({
      name: 'response-signed',
      description: "A connection request (agtest's DID and DID document in `connection`) to the agent's invitation gets a response encrypted to agtest's key, threaded to the request, whose connection~sig verifies, is signed by the invitation key and gives the agent's DID and keys; after an ack a trust ping on the connection is answered",
      spec: `${RFC}: the response is packed to the requester's keys, ~thread.thid = the request @id, and its connection attribute (DID + DIDDoc) is signed (RFC 0234 ed25519Sha512_single) by the invitation key for continuity`,
      rules: [
        RESPONDS,
        { id: 'encrypted', level: 'SHOULD', cite: TRANSMISSION, text: 'the response comes in an envelope' },
        { id: 'to-request-key', level: 'SHOULD', cite: TRANSMISSION, text: "the response is encrypted to the key of agtest's DID (the request's keys)" },
        { id: 'thread', level: 'MUST', cite: `${RFC}, 2. Connection Response, Attributes ("The ~thread block contains a thid reference to the @id of the request message"); Aries RFC 0008, Threaded Messages ("The ~thread decorator is generally required on any type of response")`, text: "the response's ~thread.thid is the request @id" },
        SIGNED,
        { id: 'connection-works', level: 'MUST', cite: `${RFC}, 3. Connection Acknowledgement ("a trust ping can be used to allow both parties confirm the connection"); Aries RFC 0048, Roles ("The receiver responds")`, text: 'after an ack, a trust ping packed to the connection key is answered' },
        { id: 'reply-encrypted', level: 'policy', cite: `agtest policy: ${RFC} ("This new DID and endpoint are to be used going forward in the connection"; no keyword)`, text: 'the ping_response on the new connection comes in an envelope' },
      ],
      async run(t: TestContext) {
        const invitation = await createInvitationLeniently(t);
        const chosen = chooseHandshake(invitation, ['connections']);
        if ('error' in chosen) t.skip(`the agent's invitation does not offer connections/1.0 (handshake_protocols: ${JSON.stringify(offeredHandshakes(invitation))})`);
        const found = invitationKey(t, invitation);
        if ('error' in found) return found.unresolvable ? t.skip(found.error) : t.fail(cited(RESPONDS, `agtest cannot send its request: ${found.error}`));
        const me = t.dids.newIdentity();
        const request = handshakeRequest(t, chosen, me, String(invitation['@id']));
        await t.sendEnvelope(request, { mode: 'authcrypt', to: found.key, expectRefusal: false });
        const response = await receiveOrNothing(t, isHandshakeAnswer(chosen), 'connections/1.0 response (or problem_report) to agtest request');
        if (!response) t.fail(cited(RESPONDS, 'no connections/1.0 response (or problem_report) to agtest request arrived'));
        if (isHandshakeMessage('connections', 'problem_report')(response)) t.fail(cited(RESPONDS, `the agent refused agtest's connection request: ${JSON.stringify(response.message).slice(0, 200)}`));
        if (t.verify('encrypted', response.envelope, "the response came in plaintext, not packed to the requester's keys") && response.envelope) {
          t.verify('to-request-key', response.envelope.recipient === me.verkey, `the response is encrypted to ${response.envelope.recipient}, not to the key of agtest's DID`);
        }
        t.verify('thread', threadId(response.message) === request['@id'], `response ~thread.thid is ${JSON.stringify(threadId(response.message) ?? null)}, not the request @id ${String(request['@id'])}`);
        const reading = readResponse(t, chosen, response.message, found.key);
        t.verify('signed', reading.problems.length === 0, reading.problems.join('; '));
        // Without the agent's key agtest cannot go on to use the connection.
        t.check(reading.key, cited(SIGNED, `agtest cannot read the agent's key: ${[...reading.problems, ...reading.unchecked].join('; ')}`));
        await t.sendEnvelope(handshakeComplete(t, chosen, request['@id'], invitation['@id']), { mode: 'authcrypt', to: reading.key, expectRefusal: false });
        await t.sendEnvelope({ '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': t.newId(), response_requested: true }, { mode: 'authcrypt', to: reading.key, expectRefusal: false });
        const pong = await receiveOrNothing(t, (m) => /\/trust_ping\/1\.\d+\/ping_response$/.test(String(m.message['@type'])), 'ping_response over the new connection');
        if (!t.verify('connection-works', pong, 'no ping_response came over the new connection') || !pong) return;
        t.verify('reply-encrypted', pong.envelope, 'the ping_response on the new connection came in plaintext');
      },
    }),
  ],
});
