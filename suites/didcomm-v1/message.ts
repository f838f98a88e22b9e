import { defineSuite, defineTest, type TestContext } from '../define.js';
import { both, inThread, messageType, ofType, parseMessageType } from './message-type.js';

/** Trust ping is the probe: the smallest request that must get an answer. */
const PROBE = ['trust_ping.1_0.passive'] as const;
const isPingResponse = ofType('trust_ping', 1, 'ping_response');
const isProblemReport = ofType('report-problem', 1, 'problem-report');

async function probe(t: TestContext, message: Record<string, unknown>, what: string): Promise<void> {
  const id = message['@id'] as string;
  await t.send(message);
  // Any ping_response proves the message was processed; threading is trust_ping's own check.
  await t.receive(isPingResponse, { description: `a ping_response to ${what} (${id})` });
}

export const messagePassive = defineSuite({
  cluster: 'message.v1',
  mode: 'passive',
  description: 'DIDComm v1 message handling: ids, unknown fields, versions (probed with trust ping).',
  tests: [
    defineTest({
      name: 'accepts-well-formed',
      description: 'A well-formed message whose @id is not a UUID (but valid per RFC 0008) is processed.',
      spec: 'Aries RFC 0008 (@id: [-_./a-zA-Z0-9]{8,64}, opaque to recipients; UUID only recommended); Aries RFC 0020 (@type)',
      requires: PROBE,
      async run(t: TestContext) {
        const id = `agtest.${t.newId().slice(0, 8)}_msg-1`;
        await probe(t, { '@type': messageType('trust_ping', '1.0', 'ping'), '@id': id, response_requested: true }, 'a ping with a non-UUID @id');
      },
    }),
    defineTest({
      name: 'tolerates-unknown-fields',
      description: 'A message with fields the agent does not know is processed; the fields are ignored.',
      spec: 'Aries RFC 0003 semver.md, Recipient Rules: unrecognized fields are ignored',
      requires: PROBE,
      async run(t: TestContext) {
        const id = t.newId();
        await probe(
          t,
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
      async run(t: TestContext) {
        const id = t.newId();
        await probe(t, { '@type': messageType('trust_ping', '1.1', 'ping'), '@id': id, response_requested: true }, 'a trust_ping/1.1 ping');
      },
    }),
    defineTest({
      name: 'unknown-major',
      description: 'A message of an unsupported major version (trust_ping/2.0) is rejected with a problem-report (or ignored), not processed, and the agent keeps working.',
      spec: 'Aries RFC 0003 semver.md, Recipient Rules: recipients "should reject messages from protocols with major versions different from those they support ... rejecting a message means sending a problem-report ... code version-not-supported"',
      requires: PROBE,
      async run(t: TestContext) {
        const id = t.newId();
        await t.send({ '@type': messageType('trust_ping', '2.0', 'ping'), '@id': id, response_requested: true });
        await t.expectSilence(isPingResponse, { description: `a ping_response to the trust_ping/2.0 ping ${id}: the agent processed a major version it does not support` });
        const reports = t.received(both(isProblemReport, inThread(id)));
        if (reports.length === 0) {
          t.warn('no problem-report for the unsupported major version; Aries RFC 0003 says the recipient should send one with code version-not-supported');
        } else {
          const description = reports[0]!.message['description'] as Record<string, unknown> | undefined;
          if (description?.['code'] !== 'version-not-supported') {
            t.warn(`problem-report code is ${JSON.stringify(description?.['code'])}; Aries RFC 0003 says version-not-supported`);
          }
        }
        // The agent must survive the message: a 1.0 ping afterwards still gets its answer.
        const after = t.newId();
        await t.send({ '@type': messageType('trust_ping', '1.0', 'ping'), '@id': after, response_requested: true });
        const response = await t.receive(isPingResponse, {
          description: `a ping_response to a 1.0 ping sent after the 2.0 one (${after}): the agent stopped answering after an unsupported major version`,
        });
        t.check(parseMessageType(response.message['@type'])?.major === 1, `answer to a 1.0 ping has @type ${String(response.message['@type'])}`);
      },
    }),
  ],
});
