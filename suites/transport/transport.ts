import { defineSuite, defineTest, type Rule, type Suite, type TestContext, type TestDefinition } from '../define.js';
import { deliveryOf, either, errorStatuses, messageType, ofType, receiveOrNothing, repliesTo } from '../didcomm-v1/message-type.js';

const isPing = ofType('trust_ping', 1, 'ping');
const isPingResponse = ofType('trust_ping', 1, 'ping_response');
/** DIDComm v1 plaintext is `application/json` (Aries RFC 0044); DIDComm v2 plaintext is also accepted. */
const PLAINTEXT_TYPES = /^application\/(json|didcomm-plain\+json)\s*(;|$)/i;

/** The transports agtest has built-in adapters for; each gets a `transport.<name>` cluster. */
export const TRANSPORTS = ['http', 'ws', 'smtp'] as const;

const ping = (t: TestContext, extra: Record<string, unknown> = {}) => {
  const id = t.newId();
  return t.send({ '@type': messageType('trust_ping', '1.0', 'ping'), '@id': id, response_requested: true, ...extra }).then((sent) => ({ ...sent, id }));
};

const RFC0025 = 'Aries RFC 0025 (DIDComm Transports)';
const DELIVERED = (transport: string): Rule => ({
  id: 'delivered',
  level: 'MUST',
  cite: `${RFC0025}${transport === 'http' ? ', HTTP(S): "Messages are transported via HTTP POST"' : ''}; the agent receives messages on the endpoint it advertises`,
  text: `a well-formed message sent over ${transport} is accepted by the transport (every attempt's error answer is quoted)`,
});
const ANSWERED = (transport: string): Rule => ({
  id: 'answered',
  level: 'MUST',
  cite: `${RFC0025}; Aries RFC 0048 (Trust Ping 1.0), Roles ("The receiver responds")`,
  text: `a reply to the ping (a ping_response, or any message in its thread) comes back over ${transport}`,
});

/** Judges rule `delivered` from the adapter's word on `file`, waiting out its retries. */
async function judgeDelivery(t: TestContext, transport: string, file: string) {
  const delivery = await deliveryOf(t, file);
  const statuses = errorStatuses(delivery);
  const final = delivery.final;
  if (final?.type === 'undeliverable') {
    t.verify('delivered', false, `the agent refused a well-formed message over ${transport}${final.status ? ` (status ${final.status})` : ''}: ${final.reason}${statuses.length > 1 ? ` (every attempt: ${statuses.join(', ')})` : ''}`);
  } else if (!final) {
    t.verify('delivered', false, `the ${transport} adapter reported no outcome for ${file}: the agent holds the message without answering`);
  } else if (statuses.length > 0) {
    t.verify('delivered', false, `the agent answered a well-formed message over ${transport} with ${statuses.join(', ')} before accepting it on a retry`);
  }
  return final?.type === 'sent' ? final : undefined;
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
  const tests: TestDefinition[] = [
    defineTest({
      name: 'accepts',
      description: `A message sent over ${transport} is accepted by the transport and answered over it.`,
      spec: 'Aries RFC 0025 (DIDComm transports): the agent receives messages on the endpoint it advertises',
      requires: ['trust_ping.1_0.passive'],
      rules: [DELIVERED(transport), ANSWERED(transport)],
      async run(t: TestContext) {
        const sent = await ping(t);
        await judgeDelivery(t, transport, sent.file);
        const reply = await receiveOrNothing(t, either(isPingResponse, repliesTo(sent.id)), `a ping_response over ${transport}`);
        t.verify('answered', reply, `no reply to the ping ${sent.id} came back over ${transport}`);
      },
    }),
  ];
  if (transport === 'smtp') return tests;
  tests.push(
    defineTest({
      name: 'transmit-only',
      description: `A message without ~transport.return_route is answered on a ${transport === 'http' ? 'POST' : 'connection'} of the agent's own, not on agtest's ${transport === 'http' ? 'request' : 'connection'}.`,
      spec: `Aries RFC 0025 (DIDComm transports), ${transport === 'http' ? 'HTTP(S)' : 'Websocket'}: transmit only by default; Aries RFC 0092: return_route "none" is the default`,
      requires: ['trust_ping.1_0.passive'],
      rules: [
        DELIVERED(transport),
        ANSWERED(transport),
        {
          id: 'transmit-only',
          level: 'MUST NOT',
          cite:
            transport === 'http'
              ? `${RFC0025}, HTTP(S): "POST requests are considered transmit only by default. No agent messages will be returned in the response."; Aries RFC 0092 (return_route "none": "Default")`
              : `${RFC0025}, Websocket: "Websockets are considered transmit only by default. Messages will only flow from the agent that opened the socket."; Aries RFC 0092 (return_route "none": "Default")`,
          text: transport === 'http' ? 'without ~transport.return_route, the reply does not come in the HTTP response' : 'without ~transport.return_route, the reply does not come on the socket agtest opened',
        },
      ],
      async run(t: TestContext) {
        const sent = await ping(t);
        await judgeDelivery(t, transport, sent.file);
        const reply = await receiveOrNothing(t, either(isPingResponse, repliesTo(sent.id)), `a ping_response over ${transport}`);
        if (!t.verify('answered', reply, `no reply to the ping ${sent.id} came back over ${transport}`) || !reply) return;
        const arrival = await t.transportEvent((e) => e.type === 'received' && e.file === reply.file, { description: `the adapter's report on receiving ${reply.file}` });
        t.verify(
          'transmit-only',
          arrival.type !== 'received' || arrival.via === 'inbound',
          transport === 'http'
            ? `the reply to a ping without ~transport.return_route came in the HTTP response to agtest's POST: POST requests are transmit only by default`
            : `the reply to a ping without ~transport.return_route came on the socket agtest opened: websockets are transmit only by default`,
        );
      },
    }),
  );
  if (transport !== 'http') return tests;
  return [
    ...tests,
    defineTest({
      name: 'status-accepted',
      description: 'An HTTP POST of a message without return route is answered 202 Accepted (200 OK is allowed).',
      spec: 'Aries RFC 0025, HTTP(S): a received message is acknowledged with 202 Accepted (200 OK allowed); a body only with return route (RFC 0092)',
      requires: ['trust_ping.1_0.passive'],
      rules: [
        DELIVERED(transport),
        { id: 'status-202', level: 'SHOULD', cite: `${RFC0025}, HTTP(S): "A received message should be responded to with a 202 Accepted status code ... Accepting a 200 OK status code is allowed."`, text: 'the POST is answered 202 Accepted, or 200 OK' },
      ],
      async run(t: TestContext) {
        const sent = await ping(t, { response_requested: false });
        const report = await judgeDelivery(t, transport, sent.file);
        if (report?.type === 'sent') t.verify('status-202', report.status === 202 || report.status === 200, `HTTP ${report.status ?? '(no status)'} to a message without return route, not 202 Accepted (or 200 OK)`);
      },
    }),
    defineTest({
      name: 'return-route',
      description: 'With ~transport.return_route "all" the reply comes back in the HTTP response (a MAY: its absence is a warning).',
      spec: 'Aries RFC 0092 (Transports Return Route): return_route "all" sends replies on the incoming connection',
      requires: ['trust_ping.1_0.passive'],
      rules: [
        DELIVERED(transport),
        ANSWERED(transport),
        { id: 'return-route', level: 'MAY', cite: 'Aries RFC 0092 (Transports Return Route): for HTTP, the decorator means the receiving agent "MAY hold onto the connection and use it to return messages"', text: 'with ~transport.return_route "all", the reply comes in the HTTP response' },
      ],
      async run(t: TestContext) {
        const sent = await ping(t, { '~transport': { return_route: 'all' } });
        await judgeDelivery(t, transport, sent.file);
        const response = await receiveOrNothing(t, either(isPingResponse, repliesTo(sent.id)), 'a ping_response to a return_route "all" ping');
        if (!t.verify('answered', response, `no reply to the return_route "all" ping ${sent.id} came back`)) return;
        const arrival = await t.transportEvent((e) => e.type === 'received' && e.file === response!.file, { description: `the adapter's report on receiving ${response!.file}` });
        t.verify(
          'return-route',
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
      rules: [
        { id: 'arrives', level: 'MUST', cite: `${RFC0025}: messages travel to the endpoint the receiver advertises`, text: `the ping agact send-ping asked for arrives over ${transport}` },
        ...(transport === 'http'
          ? [
              { id: 'own-post', level: 'MUST', cite: `${RFC0025}, HTTP(S): "Messages are transported via HTTP POST"; "POST requests are considered transmit only by default"`, text: "the ping comes as a POST of the agent's own to agtest's endpoint" } satisfies Rule,
              {
                id: 'media-type',
                level: 'MUST',
                cite: `${RFC0025}, HTTP(S): "The MIME Type for the POST request is application/didcomm-envelope-enc"; Aries RFC 0044 (DIDComm File and MIME Types: plaintext is application/json)`,
                text: 'the POST is labelled with the media type of what it carries: application/didcomm-envelope-enc for an envelope, application/json for plaintext',
              } satisfies Rule,
            ]
          : []),
      ],
      async run(t: TestContext) {
        await t.act('send-ping', { response_requested: false });
        const sent = await receiveOrNothing(t, isPing, `a ping sent by the agent over ${transport}`);
        if (!t.verify('arrives', sent, `no ping sent by the agent arrived over ${transport}`) || !sent) return;
        const arrival = await t.transportEvent((e) => e.type === 'received' && e.file === sent.file, { description: `the adapter's report on receiving ${sent.file}` });
        if (arrival.type !== 'received' || transport !== 'http') return;
        t.verify('own-post', arrival.via === 'inbound', `the ping did not come as a POST of the agent's own (via ${arrival.via})`);
        if (sent.envelope || sent.envelopeError) {
          t.verify('media-type', /^application\/didcomm-envelope-enc\b/i.test(arrival.contentType), `the agent POSTed an RFC 0019 envelope as Content-Type ${JSON.stringify(arrival.contentType)}; RFC 0044 says application/didcomm-envelope-enc`);
        } else {
          t.verify('media-type', PLAINTEXT_TYPES.test(arrival.contentType), `the agent POSTed a plaintext message as Content-Type ${JSON.stringify(arrival.contentType)}; RFC 0044 says application/json`);
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
