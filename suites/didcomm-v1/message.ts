import { defineSuite, defineTest, type JsonMessage, type TestContext } from '../define.js';
import { both, deliveryOf, describeMessage, describeProblem, either, errorStatuses, isProblemReport, messageType, ofType, parseMessageType, pause, problemCode, receiveOrNothing, repliesTo } from './message-type.js';

/** Trust ping is the probe: the smallest request that must get an answer. */
const PROBE = ['trust_ping.1_0.passive'] as const;
const isPingResponse = ofType('trust_ping', 1, 'ping_response');
const SEMVER = 'Aries RFC 0003 semver.md, Recipient Rules';
const RESPONDER = 'Aries RFC 0048 (Trust Ping 1.0), Roles ("The receiver responds")';

/**
 * Sends a probe ping and judges rule `ruleId`: any reply threaded to the probe (or any
 * ping_response: threading is trust_ping's own check) proves it was processed; a problem-report
 * in its thread is a refusal. The transport's error answers are quoted as evidence.
 */
async function probe(t: TestContext, ruleId: string, message: JsonMessage, what: string): Promise<void> {
  const id = message['@id'] as string;
  const { file } = await t.send(message);
  const reply = await receiveOrNothing(t, either(isPingResponse, repliesTo(id)), `a reply to ${what}`);
  if (reply && !isProblemReport(reply)) return;
  if (reply) {
    t.verify(ruleId, false, `${what} (${id}) was refused with ${describeProblem(reply)}`);
    return;
  }
  const statuses = errorStatuses({ attempts: t.transportEvents((e) => (e.type === 'retrying' || e.type === 'undeliverable') && e.file === file) });
  t.verify(ruleId, false, `no reply to ${what} (${id}) arrived${statuses.length > 0 ? `; the agent answered its delivery with HTTP ${statuses.join(', ')}` : ''}`);
}

export const messagePassive = defineSuite({
  cluster: 'message.v1',
  mode: 'passive',
  description: 'DIDComm v1 message handling: ids, unknown fields, versions (probed with trust ping: any reply in the ping\'s thread counts).',
  tests: [
    defineTest({
      name: 'accepts-well-formed',
      description: 'A well-formed message whose @id is not a UUID (but valid per RFC 0008) is processed.',
      spec: 'Aries RFC 0008 (@id: [-_./a-zA-Z0-9]{8,64}, opaque to recipients; UUID only recommended); Aries RFC 0020 (@type)',
      requires: PROBE,
      rules: [
        {
          id: 'processed',
          level: 'MUST',
          cite: `Aries RFC 0008, Message IDs ("opaque identifiers", [-_./a-zA-Z0-9]{8,64}, "UUID recommended"); ${RESPONDER}`,
          text: 'a ping whose @id is valid but not a UUID is processed (a reply in its thread arrives)',
        },
      ],
      async run(t: TestContext) {
        const id = `agtest.${t.newId().slice(0, 8)}_msg-1`;
        await probe(t, 'processed', { '@type': messageType('trust_ping', '1.0', 'ping'), '@id': id, response_requested: true }, 'a ping with a non-UUID @id');
      },
    }),
    defineTest({
      name: 'tolerates-unknown-fields',
      description: 'A message with fields the agent does not know is processed; the fields are ignored.',
      spec: 'Aries RFC 0003 semver.md, Recipient Rules: unrecognized fields are ignored',
      requires: PROBE,
      rules: [
        {
          id: 'processed',
          level: 'MUST',
          cite: `${SEMVER} (unrecognized fields "need to be ignored"); Aries RFC 0048, Messages ("Only @type and @id are required"); ${RESPONDER}`,
          text: 'a ping carrying fields the agent does not know is processed (a reply in its thread arrives)',
        },
      ],
      async run(t: TestContext) {
        const id = t.newId();
        await probe(
          t,
          'processed',
          { '@type': messageType('trust_ping', '1.0', 'ping'), '@id': id, response_requested: true, agtest_extension: { nested: [1, 2, 3] }, comment: 'unknown fields ahead' },
          'a ping with unknown fields',
        );
      },
    }),
    defineTest({
      name: 'tolerates-newer-minor',
      description: 'A message of a newer minor version (trust_ping/1.1) is handled as the version the agent supports.',
      spec: 'Aries RFC 0003 semver.md, Recipient Rules: "If a recipient supports protocol X version 1.0, it should tentatively accept messages with later minor versions (e.g., 1.2)"',
      requires: PROBE,
      rules: [
        {
          id: 'processed',
          level: 'SHOULD',
          cite: `${SEMVER}: "If a recipient supports protocol X version 1.0, it should tentatively accept messages with later minor versions (e.g., 1.2)"`,
          text: 'a trust_ping/1.1 ping is processed as 1.0 (a reply in its thread arrives)',
        },
      ],
      async run(t: TestContext) {
        const id = t.newId();
        await probe(t, 'processed', { '@type': messageType('trust_ping', '1.1', 'ping'), '@id': id, response_requested: true }, 'a trust_ping/1.1 ping');
      },
    }),
    defineTest({
      name: 'unknown-major',
      description:
        'A message of an unsupported major version (trust_ping/2.0) is rejected with a problem-report (silence and an HTTP error are warnings), not processed, and the agent keeps answering 1.0 pings.',
      spec: 'Aries RFC 0003 semver.md, Recipient Rules: recipients "should reject messages from protocols with major versions different from those they support ... rejecting a message means sending a problem-report ... code version-not-supported"',
      requires: PROBE,
      rules: [
        { id: 'not-processed', level: 'SHOULD', cite: `${SEMVER}: "Agents for Bob (the recipient) should reject messages from protocols with major versions different from those they support"`, text: 'a trust_ping/2.0 ping gets no ping_response' },
        { id: 'problem-report', level: 'SHOULD', cite: `${SEMVER}: "In most cases, rejecting a message means sending a problem-report"; Aries RFC 0035 (report-problem/1.0 or the notification/1.0 of its sample; thid or pthid = the message)`, text: 'the rejection is a problem-report in the 2.0 ping\'s thread' },
        { id: 'problem-code', level: 'SHOULD', cite: `${SEMVER}: "The code field in such messages should be version-not-supported"`, text: 'the problem-report code is version-not-supported' },
        {
          id: 'accepted-by-transport',
          level: 'SHOULD',
          cite: 'Aries RFC 0025, HTTP(S): "A received message should be responded to with a 202 Accepted status code ... Accepting a 200 OK status code is allowed"',
          text: 'the transport accepts the 2.0 ping (an HTTP error answer is a failed delivery, not a rejection); judged from every attempt, whatever the retry settings',
        },
        { id: 'keeps-working', level: 'MUST', cite: `${RESPONDER}, for a 1.0 ping sent after the 2.0 one`, text: 'a 1.0 ping sent after the 2.0 one gets a reply (a ping_response, or any message in its thread) of major version 1' },
      ],
      async run(t: TestContext) {
        const id = t.newId();
        // Its error answers are judged here, as evidence; they are no separate finding.
        const { file } = await t.send({ '@type': messageType('trust_ping', '2.0', 'ping'), '@id': id, response_requested: true }, { expectRefusal: true });
        // The 1.0 ping must not queue behind a 2.0 ping the adapter is still retrying.
        const delivery = await deliveryOf(t, file);
        await pause(t);
        const processed = t.received(either(isPingResponse, (m) => repliesTo(id)(m) && !isProblemReport(m)));
        t.verify('not-processed', processed.length === 0, `${processed[0] ? describeMessage(processed[0]) : ''} arrived for the trust_ping/2.0 ping ${id}: the agent processed a major version it does not support`);
        const statuses = errorStatuses(delivery);
        t.verify('accepted-by-transport', statuses.length === 0, `the agent answered the delivery of the trust_ping/2.0 ping with HTTP ${statuses.join(', ')}: a failed delivery, not a rejection`);
        const reports = t.received(both(isProblemReport, repliesTo(id)));
        if (t.verify('problem-report', reports.length > 0, 'no problem-report for the unsupported major version')) {
          const code = problemCode(reports[0]!.message);
          t.verify('problem-code', code === 'version-not-supported', `problem-report code is ${JSON.stringify(code)}, not version-not-supported`);
        }
        // Any reply in the 1.0 ping's thread shows the agent still works; its type is trust_ping's check.
        const after = t.newId();
        await t.send({ '@type': messageType('trust_ping', '1.0', 'ping'), '@id': after, response_requested: true });
        const response = await receiveOrNothing(t, either(isPingResponse, repliesTo(after)), `a ping_response to the 1.0 ping ${after}`);
        t.verify('keeps-working', response !== undefined, `no ping_response to a 1.0 ping sent after the 2.0 one (${after}): the agent stopped answering after an unsupported major version`);
        if (response && isProblemReport(response)) t.verify('keeps-working', false, `the 1.0 ping sent after the 2.0 one (${after}) was refused with ${describeProblem(response)}`);
        else if (response) t.verify('keeps-working', parseMessageType(response.message['@type'])?.major === 1, `answer to a 1.0 ping has @type ${String(response.message['@type'])}`);
      },
    }),
  ],
});
