import { defineSuite, defineTest, type JsonMessage, type ReceivedMessage, type TestContext } from '../define.js';
import { pause, receiveOrNothing } from '../didcomm-v1/message-type.js';
import { answerOf, attachmentHolds, clientLink, forwardTo, innerMessage, isPickup, mediate, pickupType, protectedOf, register, RETURN_ROUTE, RFC_0094, RFC_0211, type ClientLink } from './client.js';

const REQUIRES = ['didexchange.1_1.passive', 'coordinate_mediation.1_0.passive'];
const PICKUP = 'pickup.2_0.passive';

/** A message that arrived in an envelope for `recipient` (agtest opened it with that key). */
const deliveredTo = (recipient: string) => (m: ReceivedMessage) => m.envelope?.recipient === recipient;

/**
 * The forwarded envelope as the client got it: pushed to agtest's endpoint (or on its socket), or —
 * for a mediator that holds messages instead, when the agent claims pickup 2.0 — picked up.
 */
async function delivery(t: TestContext, link: ClientLink, recipient: string, envelope: JsonMessage): Promise<{ pushed?: ReceivedMessage; pickedUp?: boolean } | undefined> {
  const pushed = await receiveOrNothing(t, deliveredTo(recipient), 'the forwarded message, delivered to its recipient key');
  if (pushed) return { pushed };
  if (!t.claims.has(PICKUP)) return undefined;
  const id = t.newId();
  await link.send({ '@type': pickupType('delivery-request'), '@id': id, limit: 10, recipient_key: t.dids.verkeyToDidKey(recipient), ...RETURN_ROUTE });
  const answer = await answerOf(t, (m) => isPickup('delivery')(m) || isPickup('status')(m), id, new Set(), 'a pickup delivery (or status)');
  const attachments = answer && Array.isArray(answer.message['~attach']) ? (answer.message['~attach'] as Record<string, unknown>[]) : [];
  return attachments.some((a) => attachmentHolds(a['data'], envelope)) ? { pickedUp: true } : undefined;
}

export const routingPassive = defineSuite({
  cluster: 'routing.1_0',
  mode: 'passive',
  description: 'The agent as mediator routes forward messages (Aries RFC 0094): to a registered key, delivered unchanged to its owner; to any other key, to nobody.',
  tests: [
    defineTest({
      name: 'delivers',
      description: 'A forward (Anoncrypt to the routing key) to a key the client registered reaches the client with the envelope unchanged.',
      spec: `${RFC_0094}, Required: Mediators Process Forward Messages; ${RFC_0211}, Flow`,
      requires: REQUIRES,
      rules: [
        { id: 'delivered', level: 'MUST', cite: `${RFC_0094}, "Required: Mediators Process Forward Messages": mediators "map from the to field to deliver the message to the physical endpoint of the next agent"; ${RFC_0211}, Flow (keys are registered "to enable route identification")`, text: 'a forward to a registered key reaches the client that registered it (pushed to its endpoint, or picked up when the agent claims pickup 2.0)' },
        { id: 'unchanged', level: 'MUST', cite: `${RFC_0094}, Cross Domain Interoperability ("The Agent Message above is passed unchanged"); Aries RFC 0019 (the envelope opens only if unaltered)`, text: 'the delivered envelope is the forward\'s msg: same protected header, opens with the recipient key, same message inside' },
      ],
      async run(t) {
        const link = await clientLink(t, { queued: false });
        const used = new Set<string>();
        const grant = await mediate(t, link, used);
        const recipient = t.dids.newRecipientKey();
        await register(t, link, recipient, used);
        const inner = innerMessage(t);
        const envelope = await forwardTo(t, grant, recipient, inner);
        const got = await delivery(t, link, recipient, envelope);
        if (!t.verify('delivered', got, `the forward to registered key ${t.dids.verkeyToDidKey(recipient)} never reached agtest${t.claims.has(PICKUP) ? ' (not pushed, nor in a pickup delivery)' : ''}`) || !got) return;
        if (got.pushed) {
          const same = JSON.stringify(got.pushed.envelope?.protected) === JSON.stringify(protectedOf(envelope)) && got.pushed.message['@id'] === inner['@id'];
          t.verify('unchanged', same, `what arrived for the recipient key (${got.pushed.file}) is not the envelope agtest forwarded: another protected header or another message inside`);
        }
      },
    }),
    defineTest({
      name: 'unknown-key',
      description: 'A forward to a key nobody registered is delivered to nobody (here: not to agtest, the mediated client).',
      spec: `${RFC_0211}, Flow; ${RFC_0094}, Messages are Private`,
      requires: REQUIRES,
      rules: [
        {
          id: 'not-delivered',
          level: 'MUST NOT',
          cite: `${RFC_0211}, Flow: a key "must be registered with the mediator to enable route identification"; ${RFC_0094}, Messages are Private ("Any agent in between ... will know only to whom the message is intended")`,
          text: 'a forward to an unregistered key does not reach a client that did not register it',
        },
      ],
      async run(t) {
        const link = await clientLink(t, { queued: false });
        const used = new Set<string>();
        const grant = await mediate(t, link, used);
        const stranger = t.dids.newRecipientKey();
        await forwardTo(t, grant, stranger, innerMessage(t));
        // Judged over the silence window, as other "nothing comes" checks are.
        await pause(t);
        const got = t.received(deliveredTo(stranger))[0];
        t.verify('not-delivered', !got, `a forward to ${t.dids.verkeyToDidKey(stranger)}, which agtest never registered, was delivered to agtest (${got?.file ?? ''})`);
      },
    }),
  ],
});
