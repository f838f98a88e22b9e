import { defineSuite, defineTest, type Suite, type TestContext, type TestDefinition } from '../define.js';
import { messageType, ofType } from '../didcomm-v1/message-type.js';

const isPing = ofType('trust_ping', 1, 'ping');
const isPingResponse = ofType('trust_ping', 1, 'ping_response');
/** DIDComm v1 plaintext is `application/json` (Aries RFC 0044); DIDComm v2 plaintext is also accepted. */
const PLAINTEXT_TYPES = /^application\/(json|didcomm-plain\+json)\s*(;|$)/i;

/** The transports agtest has built-in adapters for; each gets a `transport.<name>` cluster. */
export const TRANSPORTS = ['http', 'ws', 'smtp'] as const;

const ping = (t: TestContext, extra: Record<string, unknown> = {}) =>
  t.send({ '@type': messageType('trust_ping', '1.0', 'ping'), '@id': t.newId(), response_requested: true, ...extra });

/** Waits for the adapter's word on `file` and fails the test, with the transport's reason, unless it was accepted. */
async function expectDelivered(t: TestContext, transport: string, file: string) {
  const report = await t.transportEvent((e) => (e.type === 'sent' || e.type === 'undeliverable') && e.file === file, {
    description: `the ${transport} adapter's report on delivering ${file}`,
  });
  if (report.type === 'undeliverable') {
    t.fail(`the agent refused a well-formed message over ${transport}${report.status ? ` (status ${report.status})` : ''}: ${report.reason}`);
  }
  return report;
}

/** A cluster about one transport only means something when the run uses that transport. */
function onTransport(transport: string, test: TestDefinition): TestDefinition {
  return defineTest({
    ...test,
    async run(t: TestContext) {
      if (t.transport !== transport) t.skip(`this run uses the ${t.transport} transport; run with --transport ${transport} (or that adapter) to test ${transport}`);
      await test.run(t);
    },
  });
}

function passiveTests(transport: string): TestDefinition[] {
  const tests = [
    defineTest({
      name: 'accepts',
      description: `A message sent over ${transport} is accepted by the transport and answered over it.`,
      spec: 'Aries RFC 0025 (DIDComm transports): the agent receives messages on the endpoint it advertises',
      requires: ['trust_ping.1_0.passive'],
      async run(t: TestContext) {
        const sent = await ping(t);
        await expectDelivered(t, transport, sent.file);
        await t.receive(isPingResponse, { description: `a ping_response over ${transport}` });
      },
    }),
  ];
  if (transport !== 'http') return tests;
  return [
    ...tests,
    defineTest({
      name: 'status-accepted',
      description: 'An HTTP POST of a message without return route is answered 202 Accepted.',
      spec: 'Aries RFC 0025, HTTP(S): a received message is acknowledged with 202 Accepted; a body only with return route (RFC 0092)',
      requires: ['trust_ping.1_0.passive'],
      async run(t: TestContext) {
        const sent = await ping(t, { response_requested: false });
        const report = await expectDelivered(t, transport, sent.file);
        if (report.type === 'sent' && report.status !== 202) t.warn(`HTTP ${report.status ?? '(no status)'} to a message without return route; RFC 0025 expects 202 Accepted`);
      },
    }),
    defineTest({
      name: 'return-route',
      description: 'With ~transport.return_route "all" the reply comes back in the HTTP response.',
      spec: 'Aries RFC 0092 (Transports Return Route): return_route "all" sends replies on the incoming connection',
      requires: ['trust_ping.1_0.passive'],
      async run(t: TestContext) {
        const sent = await ping(t, { '~transport': { return_route: 'all' } });
        await expectDelivered(t, transport, sent.file);
        const response = await t.receive(isPingResponse, { description: 'a ping_response to a return_route "all" ping' });
        const arrival = await t.transportEvent((e) => e.type === 'received' && e.file === response.file, { description: `the adapter's report on receiving ${response.file}` });
        t.check(
          arrival.type === 'received' && arrival.via === 'return-route',
          `the ping_response came as a separate ${arrival.type === 'received' ? arrival.via : ''} request, not in the HTTP response: return_route "all" was ignored`,
        );
      },
    }),
  ];
}

function activeTests(transport: string): TestDefinition[] {
  return [
    defineTest({
      name: 'initiates',
      description: `agact send-ping makes the agent send a ping to agtest over ${transport}${transport === 'http' ? ', labelled with the media type of what it is' : ''}.`,
      spec: 'Aries RFC 0025 (DIDComm transports); Aries RFC 0044: DIDComm v1 plaintext travels as application/json, an RFC 0019 envelope as application/didcomm-envelope-enc',
      requires: ['trust_ping.1_0.active'],
      async run(t: TestContext) {
        await t.act('send-ping', { response_requested: false });
        const sent = await t.receive(isPing, { description: `a ping sent by the agent over ${transport}` });
        const arrival = await t.transportEvent((e) => e.type === 'received' && e.file === sent.file, { description: `the adapter's report on receiving ${sent.file}` });
        if (arrival.type !== 'received' || transport !== 'http') return;
        t.check(arrival.via === 'inbound', `the ping did not come as a POST of the agent's own (via ${arrival.via})`);
        if (sent.envelope || sent.envelopeError) {
          t.check(/^application\/didcomm-envelope-enc\b/i.test(arrival.contentType), `the agent POSTed an RFC 0019 envelope as Content-Type ${JSON.stringify(arrival.contentType)}; RFC 0044 says application/didcomm-envelope-enc`);
        } else {
          t.check(PLAINTEXT_TYPES.test(arrival.contentType), `the agent POSTed a plaintext message as Content-Type ${JSON.stringify(arrival.contentType)}; RFC 0044 says application/json`);
        }
      },
    }),
  ];
}

/**
 * What one transport must do whatever it is: take agtest's messages and answer, and carry the
 * agent's own messages. Per-transport details (HTTP status codes, return route) are extra tests.
 */
export function transportSuites(transport: string): Suite[] {
  const cluster = `transport.${transport}`;
  return [
    defineSuite({ cluster, mode: 'passive', description: `The agent takes messages over ${transport}.`, tests: passiveTests(transport).map((test) => onTransport(transport, test)) }),
    defineSuite({ cluster, mode: 'active', description: `The agent sends its own messages over ${transport}.`, tests: activeTests(transport).map((test) => onTransport(transport, test)) }),
  ];
}
