import { defineSuite, defineTest, type TestContext } from '../define.js';
import { both, checkWellFormed, inThread, messageType, ofType, threadId } from './message-type.js';

const RFC = 'Aries RFC 0048 (Trust Ping 1.0)';
const isPingResponse = ofType('trust_ping', 1, 'ping_response');
const isPing = ofType('trust_ping', 1, 'ping');

async function pingAndAwait(t: TestContext, fields: Record<string, unknown>) {
  const id = t.newId();
  await t.send({ '@type': messageType('trust_ping', '1.0', 'ping'), '@id': id, ...fields });
  return { id };
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
      async run(t: TestContext) {
        const { id } = await pingAndAwait(t, { response_requested: true });
        const response = await t.receive(isPingResponse, { description: `a ping_response to ping ${id}` });
        checkWellFormed(t, response, 'trust_ping', 1, 'ping_response');
        t.check(threadId(response.message) === id, `ping_response ~thread.thid is ${JSON.stringify(threadId(response.message))}, expected the ping @id ${id}`);
      },
    }),
    defineTest({
      name: 'silent-when-not-requested',
      description: 'A ping with response_requested: false gets no ping_response.',
      spec: `${RFC}, "ping": response_requested false means the sender does not want a response`,
      async run(t: TestContext) {
        const { id } = await pingAndAwait(t, { response_requested: false });
        await t.expectSilence(both(isPingResponse, inThread(id)), { description: `a ping_response to ping ${id}, which had response_requested: false` });
        // A response that is not threaded is still a response the sender asked not to get.
        const stray = t.received(isPingResponse);
        t.check(stray.length === 0, `a ping_response arrived (${stray[0]?.file}) although the ping had response_requested: false`);
      },
    }),
    defineTest({
      name: 'responds-when-absent',
      description: 'A ping without response_requested gets a ping_response (the default is true).',
      spec: `${RFC}, "ping": response_requested defaults to true`,
      async run(t: TestContext) {
        const { id } = await pingAndAwait(t, {});
        const response = await t.receive(isPingResponse, { description: `a ping_response to ping ${id}, which had no response_requested field (default true)` });
        checkWellFormed(t, response, 'trust_ping', 1, 'ping_response');
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
      async run(t: TestContext) {
        await t.act('send-ping', { response_requested: true });
        const ping = await t.receive(isPing, { description: 'a trust_ping ping after agact send-ping' });
        checkWellFormed(t, ping, 'trust_ping', 1, 'ping');
        const requested = ping.message['response_requested'];
        t.check(requested === undefined || typeof requested === 'boolean', `response_requested is ${JSON.stringify(requested)}, must be a boolean when present`);
      },
    }),
    defineTest({
      name: 'accepts-response',
      description: "agtest answers the agent's ping; agact read-back shows the agent received the ping_response.",
      spec: `${RFC}, "ping_response"; read-back through agact received`,
      async run(t: TestContext) {
        await t.act('send-ping', { response_requested: true });
        const ping = await t.receive(isPing, { description: 'a trust_ping ping after agact send-ping' });
        const pingId = ping.message['@id'];
        t.check(typeof pingId === 'string' && pingId.length > 0, `the ping has no @id to answer (in ${ping.file})`);
        const responseId = t.newId();
        await t.send({ '@type': messageType('trust_ping', '1.0', 'ping_response'), '@id': responseId, '~thread': { thid: pingId } });
        const seen = await readBack(t, messageType('trust_ping', '1.0', 'ping_response'), (m) => m['@id'] === responseId);
        t.check(seen, `agact received does not show agtest's ping_response ${responseId} (thid ${pingId})`);
      },
    }),
  ],
});

/** Polls the agent's read-back until the message shows up; delivery is asynchronous. */
export async function readBack(
  t: TestContext,
  type: string,
  match: (message: Record<string, unknown>) => boolean,
  attempts = 10,
): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const answer = (await t.act('received', { type })) as { messages?: unknown } | undefined;
    t.check(answer !== undefined && Array.isArray(answer.messages), `agact received must print {"messages":[...]}, got ${JSON.stringify(answer)}`);
    if (answer.messages.some((message) => typeof message === 'object' && message !== null && match(message as Record<string, unknown>))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
