import { defineSuite, defineTest, type TestContext } from '../define.js';
import { chooseHandshake, handshakeComplete, handshakeRequest, isHandshakeAnswer, isHandshakeMessage, offeredHandshakes, readResponse, RFC_CONNECTIONS } from './handshake.js';
import { threadId } from './message-type.js';
import { createInvitationLeniently, invitationKey } from './out-of-band.js';

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
      spec: `${RFC_CONNECTIONS}: the response is packed to the requester's keys, ~thread.thid = the request @id, and its connection attribute (DID + DIDDoc) is signed (RFC 0234 ed25519Sha512_single) by the invitation key for continuity`,
      async run(t: TestContext) {
        const invitation = await createInvitationLeniently(t);
        const chosen = chooseHandshake(invitation, ['connections']);
        if ('error' in chosen) t.skip(`the agent's invitation does not offer connections/1.0 (handshake_protocols: ${JSON.stringify(offeredHandshakes(invitation))})`);
        const found = invitationKey(t, invitation);
        if ('error' in found) return found.unresolvable ? t.skip(found.error) : t.fail(found.error);
        const me = t.dids.newIdentity();
        const request = handshakeRequest(t, chosen, me, String(invitation['@id']));
        await t.sendEnvelope(request, { mode: 'authcrypt', to: found.key, expectRefusal: false });
        const response = await t.receive(isHandshakeAnswer(chosen), { description: 'connections/1.0 response (or problem_report) to agtest request' });
        if (isHandshakeMessage('connections', 'problem_report')(response)) t.fail(`the agent refused agtest's connection request: ${JSON.stringify(response.message).slice(0, 200)}`);
        t.check(response.envelope, `the response came in plaintext; ${RFC_CONNECTIONS}: it is packed to the requester's keys`);
        t.check(response.envelope.recipient === me.verkey, `the response is encrypted to ${response.envelope.recipient}, not to the key of agtest's DID`);
        t.check(threadId(response.message) === request['@id'], `response ~thread.thid is ${JSON.stringify(threadId(response.message) ?? null)}, not the request @id ${String(request['@id'])}`);
        const reading = readResponse(t, chosen, response.message, found.key);
        if (reading.problems.length > 0) t.fail(reading.problems.join('; '));
        t.check(reading.key, `agtest cannot read the agent's key: ${reading.unchecked.join('; ')}`);
        await t.sendEnvelope(handshakeComplete(t, chosen, request['@id'], invitation['@id']), { mode: 'authcrypt', to: reading.key, expectRefusal: false });
        await t.sendEnvelope({ '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': t.newId(), response_requested: true }, { mode: 'authcrypt', to: reading.key, expectRefusal: false });
        const pong = await t.receive((m) => /\/trust_ping\/1\.\d+\/ping_response$/.test(String(m.message['@type'])), { description: 'ping_response over the new connection' });
        t.check(pong.envelope, 'the ping_response on the new connection came in plaintext');
      },
    }),
  ],
});
