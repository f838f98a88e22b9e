import { defineSuite, defineTest, type JsonMessage, type ReceivedMessage, type Rule, type TestContext } from '../define.js';
import { describeMessage, isProblemReport, messageDeadline, threadId } from '../didcomm-v1/message-type.js';
import { answerOf, attachmentHolds, DELIVERY_TEST, forwardTo, innerMessage, isPickup, mediate, pickupType, clientLink, register, RFC_0008_THREAD, RFC_0685, type ClientLink, type Grant } from './client.js';

const REQUIRES = ['didexchange.1_1.passive', 'coordinate_mediation.1_0.passive'];
const THREAD = (what: string): Rule => ({ id: 'thread', level: 'MUST', cite: RFC_0008_THREAD, text: `the ${what}'s ~thread.thid is the request's @id` });
const COUNT: Rule = { id: 'message-count', level: 'MUST', cite: `${RFC_0685}, Status: "message_count is the only REQUIRED attribute"`, text: 'a status has message_count, a non-negative integer' };
const isStatus = isPickup('status');
const isDelivery = isPickup('delivery');

interface Client {
  link: ClientLink;
  grant: Grant;
  recipient: string;
  used: Set<string>;
}

/** A queued client (its DID's endpoint is didcomm:transport/queue), granted, with one recipient key registered. */
async function client(t: TestContext): Promise<Client> {
  const link = await clientLink(t, { queued: true });
  const used = new Set<string>();
  const grant = await mediate(t, link, used);
  const recipient = t.dids.newRecipientKey();
  await register(t, link, recipient, used);
  return { link, grant, recipient, used };
}

async function ask(t: TestContext, c: Client, name: string, fields: JsonMessage, match: (m: ReceivedMessage) => boolean, description: string): Promise<{ id: string; answer: ReceivedMessage | undefined }> {
  const id = t.newId();
  await c.link.send({ '@type': pickupType(name), '@id': id, ...fields });
  return { id, answer: await answerOf(t, match, id, c.used, description) };
}

/**
 * Ends the test as blocked when the forwarded message never showed up and routing.1_0 (which
 * judges forwarding) already failed in this run: nothing reached the queue to pick up.
 */
function blockIfRoutingFailed(t: TestContext, what: string): void {
  const routing = t.measured()['routing.1_0.passive'];
  if (routing !== undefined && routing !== 'interoperable') t.block(`${what}, and routing.1_0.passive measured ${routing}: the forward never reached the queue`, 'routing.1_0.passive.delivers');
}

function countOf(status: ReceivedMessage): number | undefined {
  const count = status.message['message_count'];
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}

const attachmentsOf = (delivery: ReceivedMessage): Record<string, unknown>[] => (Array.isArray(delivery.message['~attach']) ? (delivery.message['~attach'] as Record<string, unknown>[]) : []);

/**
 * Asks for delivery until the forwarded envelope is in one (a mediator may queue it a moment after
 * the forward was accepted), for at most the message wait. The last answer, and the attachment holding it.
 */
async function deliveryOf(t: TestContext, c: Client, envelope: JsonMessage, rule?: string): Promise<{ id: string; answer: ReceivedMessage | undefined; attachment: Record<string, unknown> | undefined }> {
  const deadline = messageDeadline(t);
  for (;;) {
    const passed = deadline.passed();
    const { id, answer } = await ask(t, c, 'delivery-request', { limit: 10 }, (m) => isDelivery(m) || isStatus(m) || isProblemReport(m), 'a delivery (or status) answering delivery-request');
    const attachment = answer && isDelivery(answer) ? attachmentsOf(answer).find((a) => attachmentHolds(a['data'], envelope)) : undefined;
    if (attachment || !answer || passed || (rule === undefined && isDelivery(answer))) return { id, answer, attachment };
    await Promise.race([deadline.wait, new Promise((resolve) => setTimeout(resolve, 150))]);
  }
}

export const pickupPassive = defineSuite({
  cluster: 'pickup.2_0',
  mode: 'passive',
  description: 'The agent as mediator holds messages for a client without an endpoint and hands them over by Aries RFC 0685 pickup 2.0.',
  tests: [
    defineTest({
      name: 'status',
      description: 'With a forwarded message waiting, status-request gets a status with message_count (and the recipient_key asked for).',
      spec: `${RFC_0685}, Status Request, Status; Live Mode ("Messages that arrive when Live Mode is off MUST be stored in the queue")`,
      requires: REQUIRES,
      rules: [
        { id: 'answered', level: 'MUST', cite: `${RFC_0685}, Flow ("The status message is the response to status-request")`, text: 'a status-request gets a status' },
        THREAD('status'),
        COUNT,
        { id: 'queued', level: 'MUST', cite: `${RFC_0685}, Live Mode: "Messages that arrive when Live Mode is off MUST be stored in the queue"`, text: "a message forwarded to a queued client's key counts in message_count" },
        { id: 'recipient-key', level: 'MUST', cite: `${RFC_0685}, Status: "If a recipient_key was specified in the status-request message, the matching value MUST be specified in the recipient_key attribute"`, text: 'a status-request naming a recipient_key gets a status with that recipient_key' },
      ],
      async run(t) {
        const c = await client(t);
        await forwardTo(t, c.grant, c.recipient, innerMessage(t));
        const deadline = messageDeadline(t);
        let status: { id: string; answer: ReceivedMessage | undefined };
        // The forward may be queued a moment after it was accepted: ask until it counts.
        for (;;) {
          const passed = deadline.passed();
          status = await ask(t, c, 'status-request', {}, isStatus, 'a status answering status-request');
          const count = status.answer ? countOf(status.answer) : undefined;
          if (count === undefined || passed || count >= 1) break;
          await Promise.race([deadline.wait, new Promise((resolve) => setTimeout(resolve, 150))]);
        }
        if (!t.verify('answered', status.answer, "no status answered agtest's status-request") || !status.answer) return;
        t.verify('thread', threadId(status.answer.message) === status.id, `the status ~thread.thid is ${JSON.stringify(threadId(status.answer.message) ?? null)}, expected the status-request @id ${status.id}`);
        const count = countOf(status.answer);
        if (!t.verify('message-count', count !== undefined, `the status has message_count ${JSON.stringify(status.answer.message['message_count'] ?? null)}, not a non-negative integer`)) return;
        if ((count ?? 0) < 1) blockIfRoutingFailed(t, 'message_count stayed 0');
        t.verify('queued', (count ?? 0) >= 1, 'message_count is 0 although agtest forwarded a message to its registered key');
        const recipientKey = t.dids.verkeyToDidKey(c.recipient);
        const keyed = await ask(t, c, 'status-request', { recipient_key: recipientKey }, isStatus, 'a status answering a status-request with recipient_key');
        if (!t.verify('answered', keyed.answer, "no status answered agtest's status-request with recipient_key") || !keyed.answer) return;
        t.verify('recipient-key', keyed.answer.message['recipient_key'] === recipientKey, `the status has recipient_key ${JSON.stringify(keyed.answer.message['recipient_key'] ?? null)}, expected ${recipientKey}`);
      },
    }),
    defineTest({
      name: 'delivery',
      description: 'delivery-request gets a delivery whose attachment is the forwarded envelope, unchanged; unacknowledged, it is delivered again.',
      spec: `${RFC_0685}, Delivery Request, Message Delivery`,
      requires: REQUIRES,
      rules: [
        { id: 'delivered', level: 'MUST', cite: `${RFC_0685}, Message Delivery: "Messages delivered from the queue are delivered in a batch delivery message as attachments"; Delivery Request ("the Mediator SHOULD deliver up to the limit")`, text: 'a delivery-request gets a delivery with an attachment (base64 or json, Aries RFC 0017) that is the forwarded envelope, field for field' },
        THREAD('delivery'),
        { id: 'attachment-id', level: 'MUST', cite: `${RFC_0685}, Message Delivery: "The ID of each attachment is used to confirm receipt"`, text: 'each attachment has a string @id' },
        // The MUST NOT is about deleting, which agtest cannot see: a mediator may hold a delivered message aside
        // (Credo marks it "sending") and not offer it again. Offering it again is what shows it kept: policy.
        { id: 'kept', level: 'policy', cite: `agtest policy, from ${RFC_0685}, Delivery Request: "Delivered messages MUST NOT be deleted until delivery is acknowledged by a messages-received message"`, text: 'a delivered, unacknowledged message is delivered again to the next delivery-request' },
      ],
      async run(t) {
        const c = await client(t);
        const envelope = await forwardTo(t, c.grant, c.recipient, innerMessage(t));
        const first = await deliveryOf(t, c, envelope, 'delivered');
        if (!first.attachment) blockIfRoutingFailed(t, 'no delivery held the forwarded message');
        if (!t.verify('delivered', first.attachment, first.answer ? `the answer to delivery-request does not hold the forwarded envelope (${describeMessage(first.answer)})` : 'no delivery answered agtest\'s delivery-request') || !first.answer) return;
        t.verify('thread', threadId(first.answer.message) === first.id, `the delivery ~thread.thid is ${JSON.stringify(threadId(first.answer.message) ?? null)}, expected the delivery-request @id ${first.id}`);
        const ids = attachmentsOf(first.answer).map((a) => a['@id']);
        t.verify('attachment-id', ids.every((id) => typeof id === 'string' && id.length > 0), `delivery attachments have @id ${JSON.stringify(ids)}`);
        const again = await ask(t, c, 'delivery-request', { limit: 10 }, (m) => isDelivery(m) || isStatus(m), 'a delivery answering the second delivery-request');
        const kept = again.answer && isDelivery(again.answer) && attachmentsOf(again.answer).some((a) => attachmentHolds(a['data'], envelope));
        t.verify('kept', kept, `the delivered message was not delivered again before agtest acknowledged it (${again.answer ? describeMessage(again.answer) : 'no answer'})`);
      },
    }),
    defineTest({
      name: 'empty-queue',
      description: 'delivery-request with nothing queued gets a status (message_count 0), not an empty delivery.',
      spec: `${RFC_0685}, Delivery Request`,
      requires: REQUIRES,
      rules: [
        { id: 'status', level: 'MUST', cite: `${RFC_0685}, Delivery Request: "If no messages are available to be sent, a status message MUST be sent immediately"`, text: 'a delivery-request on an empty queue gets a status' },
        { id: 'count-zero', level: 'MUST', cite: `${RFC_0685}, Status ("message_count": the messages waiting; its presence is the status test's rule)`, text: "that status's message_count, when it has one, is 0" },
      ],
      async run(t) {
        const c = await client(t);
        const { answer } = await ask(t, c, 'delivery-request', { limit: 1 }, (m) => isStatus(m) || isDelivery(m), 'a status answering delivery-request on an empty queue');
        if (!t.verify('status', answer && isStatus(answer), `nothing was queued, and delivery-request got ${answer ? describeMessage(answer) : 'no answer'}, not a status`) || !answer) return;
        const count = answer.message['message_count'];
        if (count !== undefined) t.verify('count-zero', count === 0, `the status has message_count ${JSON.stringify(count)}, expected 0`);
      },
    }),
    defineTest({
      name: 'messages-received',
      description: 'messages-received naming the delivered attachments gets an updated status, and they are not delivered again.',
      spec: `${RFC_0685}, Messages Received`,
      requires: [...REQUIRES],
      rules: [
        { id: 'status', level: 'SHOULD', cite: `${RFC_0685}, Messages Received: "The mediator SHOULD send an updated status message reflecting the changes to the queue"`, text: 'messages-received gets a status whose message_count no longer counts the acknowledged messages' },
        { id: 'cleared', level: 'policy', cite: `agtest policy: ${RFC_0685}, Messages Received ("the Mediator knows which messages have been received, and can remove them from the collection of queued messages with confidence")`, text: 'an acknowledged message is not delivered again' },
      ],
      async run(t) {
        const c = await client(t);
        const envelope = await forwardTo(t, c.grant, c.recipient, innerMessage(t));
        const first = await deliveryOf(t, c, envelope);
        if (!first.attachment) blockIfRoutingFailed(t, 'no delivery held the forwarded message');
        if (!first.attachment || !first.answer) return t.block(`no delivery held the forwarded message, so there is nothing to acknowledge (${first.answer ? describeMessage(first.answer) : 'no answer'})`, DELIVERY_TEST);
        const ids = attachmentsOf(first.answer).map((a) => a['@id']);
        // Attachments without an @id cannot be acknowledged: the delivery test judges that.
        if (!ids.every((id) => typeof id === 'string' && id.length > 0)) return t.block(`the delivery's attachments have @id ${JSON.stringify(ids)}, so messages-received cannot name them`, DELIVERY_TEST);
        const { answer } = await ask(t, c, 'messages-received', { message_id_list: ids }, isStatus, 'a status answering messages-received');
        // A status without message_count is the status test's finding; here only what it says counts.
        const count = answer?.message['message_count'];
        t.verify('status', answer && (count === undefined || count === 0), answer ? `after messages-received the status says message_count ${JSON.stringify(count)}, expected 0` : 'no status answered messages-received');
        const again = await ask(t, c, 'delivery-request', { limit: 10 }, (m) => isDelivery(m) || isStatus(m), 'an answer to delivery-request after messages-received');
        const redelivered = again.answer && isDelivery(again.answer) && attachmentsOf(again.answer).some((a) => attachmentHolds(a['data'], envelope));
        t.verify('cleared', !redelivered, 'the acknowledged message was delivered again after messages-received');
      },
    }),
    defineTest({
      name: 'live-mode',
      description: 'live-delivery-change is answered: a status, or (where the connection cannot carry live delivery, as over HTTP) a problem-report; live over WebSocket, a new forward arrives on the socket.',
      spec: `${RFC_0685}, Live Mode, Live Mode Change`,
      requires: REQUIRES,
      rules: [
        { id: 'answered', level: 'MUST', cite: `${RFC_0685}, Live Mode Change: "Upon receiving the live_delivery_change message, the Mediator MUST respond with a status message"; "on a connection incapable of live delivery, a problem_report SHOULD be sent"`, text: 'a live-delivery-change gets a status, or a problem-report when the connection cannot carry live delivery' },
        { id: 'live-over-ws', level: 'SHOULD', cite: `${RFC_0685}, Live Mode ("delivering newly arriving messages directly to a connected Recipient"; "Live mode MUST only be enabled when a persistent transport is used, such as WebSockets")`, text: 'over WebSocket, live mode turns on and a message forwarded then arrives on the socket' },
      ],
      async run(t) {
        const c = await client(t);
        const { id, answer } = await ask(t, c, 'live-delivery-change', { live_delivery: true }, (m) => isStatus(m) || isProblemReport(m), 'a status or problem-report answering live-delivery-change');
        const refused = answer && isProblemReport(answer);
        if (!t.verify('answered', answer, `no status or problem-report answered agtest's live-delivery-change (${id})`) || !answer) return;
        if (t.transport !== 'ws') return;
        if (refused || answer.message['live_delivery'] === false) {
          t.verify('live-over-ws', false, `over WebSocket the agent did not turn live mode on (${describeMessage(answer)})`);
          return;
        }
        const inner = innerMessage(t);
        await forwardTo(t, c.grant, c.recipient, inner);
        const live = await answerOf(t, (m) => m.envelope?.recipient === c.recipient, inner['@id'] as string, c.used, 'the forwarded message, delivered live on the socket');
        t.verify('live-over-ws', live, 'in live mode over WebSocket, a message forwarded to the registered key did not arrive on the socket');
      },
    }),
  ],
});
