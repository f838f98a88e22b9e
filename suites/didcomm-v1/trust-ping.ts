import { defineSuite, defineTest, type Rule, type TestContext } from '../define.js';
import { describeMessage, describeProblem, either, isProblemReport, messageType, ofType, pause, readBack, receiveOrNothing, repliesTo, threadId, checkWellFormed, wellFormedRules } from './message-type.js';

const RFC = 'Aries RFC 0048 (Trust Ping 1.0)';
const isPingResponse = ofType('trust_ping', 1, 'ping_response');
const isPing = ofType('trust_ping', 1, 'ping');

/** RFC 0048 requires `@type` and `~thread` on a ping_response, not `@id`. */
const PING_RESPONSE_FORM = wellFormedRules('ping_response', 'policy');
const PING_ID_REQUIRED = { required: `${RFC}, Messages: "Only @type and @id are required" (on a ping)` };

/**
 * RFC 0048 says "the receiver should reply as quickly as possible": the *should* is about speed;
 * its Roles section defines the receiver as the party that responds, and agtest's junction is
 * that role. A ping whose answer never comes breaks the protocol, so the answer is a MUST here.
 */
const RESPONDS: Rule = {
  id: 'responds',
  level: 'MUST',
  cite: `${RFC}, Roles ("The receiver responds") and Messages (response_requested not false: reply with a ping_response)`,
  text: 'a ping whose response_requested is not false gets a ping_response',
};

async function sendPing(t: TestContext, fields: Record<string, unknown>): Promise<string> {
  const id = t.newId();
  await t.send({ '@type': messageType('trust_ping', '1.0', 'ping'), '@id': id, ...fields });
  return id;
}

/** The answer to ping `id`: a ping_response (threaded or not: threading is its own rule) or any reply in its thread. */
async function answerTo(t: TestContext, id: string, what: string) {
  const reply = await receiveOrNothing(t, either(isPingResponse, repliesTo(id)), `a ping_response to ${what}`);
  if (!reply) {
    t.verify('responds', false, `no ping_response to ${what} arrived`);
    return undefined;
  }
  if (isProblemReport(reply)) {
    t.verify('responds', false, `${what} was answered with ${describeProblem(reply)}, not a ping_response`);
    return undefined;
  }
  return reply;
}

export const trustPingPassive = defineSuite({
  cluster: 'trust_ping.1_0',
  mode: 'passive',
  description: 'The agent answers trust pings.',
  tests: [
    defineTest({
      name: 'responds',
      description: 'A ping with response_requested: true gets a ping_response whose ~thread.thid is the ping @id.',
      spec: `${RFC}, "ping_response": the response is threaded to the ping (Aries RFC 0008 ~thread.thid)`,
      rules: [
        RESPONDS,
        { id: 'thread', level: 'MUST', cite: `${RFC}, Messages ("@type and ~thread are required" on a ping_response); Aries RFC 0008, Thread ID`, text: "the ping_response's ~thread.thid is the ping's @id" },
        ...PING_RESPONSE_FORM,
      ],
      async run(t: TestContext) {
        const id = await sendPing(t, { response_requested: true });
        const response = await answerTo(t, id, `ping ${id}`);
        if (!response) return;
        checkWellFormed(t, response, 'trust_ping', 1, 'ping_response');
        t.verify('thread', threadId(response.message) === id, `ping_response ~thread.thid is ${JSON.stringify(threadId(response.message))}, expected the ping @id ${id}`);
      },
    }),
    defineTest({
      name: 'silent-when-not-requested',
      description: 'A ping with response_requested: false gets no ping_response.',
      spec: `${RFC}, "ping": response_requested false means the sender does not want a response`,
      rules: [{ id: 'no-response', level: 'MUST NOT', cite: `${RFC}, Messages: "If response_requested is false, then the receiver MUST NOT respond."`, text: 'a ping with response_requested: false gets no ping_response' }],
      async run(t: TestContext) {
        const id = await sendPing(t, { response_requested: false });
        await pause(t);
        // A response that is not threaded is still a response the sender asked not to get.
        const answered = t.received(either(isPingResponse, (m) => repliesTo(id)(m) && !isProblemReport(m)));
        t.verify('no-response', answered.length === 0, `a ping_response arrived (${answered[0] ? describeMessage(answered[0]) : ''}) although the ping had response_requested: false`);
      },
    }),
    defineTest({
      name: 'responds-when-absent',
      description: 'A ping without response_requested gets a ping_response (the default is true).',
      spec: `${RFC}, "ping": response_requested defaults to true`,
      rules: [{ ...RESPONDS, cite: `${RESPONDS.cite}; the field is optional ("Only @type and @id are required") and a response is "the normal expectation"`, text: 'a ping without response_requested gets a ping_response' }, ...PING_RESPONSE_FORM],
      async run(t: TestContext) {
        const id = await sendPing(t, {});
        const response = await answerTo(t, id, `ping ${id}, which had no response_requested field (default true)`);
        if (response) checkWellFormed(t, response, 'trust_ping', 1, 'ping_response');
      },
    }),
  ],
});

export const trustPingActive = defineSuite({
  cluster: 'trust_ping.1_0',
  mode: 'active',
  description: 'The agent sends trust pings when asked and accepts the answer.',
  tests: [
    defineTest({
      name: 'sends-ping',
      description: 'agact send-ping makes a well-formed ping arrive.',
      spec: `${RFC}, "ping"; Aries RFC 0020 (@type) and 0008 (@id)`,
      rules: [
        ...wellFormedRules('ping', PING_ID_REQUIRED),
        { id: 'response-requested', level: 'MUST', cite: `${RFC}, Messages (response_requested is true or false)`, text: 'response_requested, when present, is a boolean' },
      ],
      async run(t: TestContext) {
        await t.act('send-ping', { response_requested: true });
        const ping = await t.receive(isPing, { description: 'a trust_ping ping after agact send-ping' });
        checkWellFormed(t, ping, 'trust_ping', 1, 'ping');
        const requested = ping.message['response_requested'];
        t.verify('response-requested', requested === undefined || typeof requested === 'boolean', `response_requested is ${JSON.stringify(requested)}, must be a boolean when present`);
      },
    }),
    defineTest({
      name: 'accepts-response',
      description: "agtest answers the agent's ping; agact read-back shows the agent received the ping_response.",
      spec: `${RFC}, "ping_response"; read-back through agact received`,
      rules: [
        { id: 'received', level: 'MUST', cite: `${RFC}, Roles (the sender gets the receiver's ping_response); observed through agact received, polled for the message wait`, text: "agtest's ping_response to the agent's ping shows in the agent's read-back" },
      ],
      async run(t: TestContext) {
        await t.act('send-ping', { response_requested: true });
        const ping = await t.receive(isPing, { description: 'a trust_ping ping after agact send-ping' });
        const pingId = ping.message['@id'];
        // A ping without @id is sends-ping's failure (the same ping, from the same agact call): with nothing to thread a
        // ping_response to, this test cannot be judged, and waits for it (one fault, one failure).
        if (typeof pingId !== 'string' || pingId.length === 0) t.block(`the ping has no @id to answer (in ${ping.file}): trust_ping.1_0.active.sends-ping judges that`, 'trust_ping.1_0.active.sends-ping');
        const responseId = t.newId();
        await t.send({ '@type': messageType('trust_ping', '1.0', 'ping_response'), '@id': responseId, '~thread': { thid: pingId } });
        const seen = await readBack(t, messageType('trust_ping', '1.0', 'ping_response'), (m) => m['@id'] === responseId);
        t.verify('received', seen, `agact received does not show agtest's ping_response ${responseId} (thid ${String(pingId)})`);
      },
    }),
  ],
});
