import { defineSuite, defineTest, type TestContext } from '../define.js';
import { checkWellFormed, messageType, ofType } from './message-type.js';
import { readBack } from './trust-ping.js';

const RFC = 'Aries RFC 0095 (Basic Message 1.0)';
const isBasicMessage = ofType('basicmessage', 1, 'message');
/** Aries RFC 0074: `_time` fields are ISO 8601 in UTC. Date and time, optional fraction, Z or +00:00. */
const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]00:?00)$/;

export const basicMessagePassive = defineSuite({
  cluster: 'basicmessage.1_0',
  mode: 'passive',
  description: 'The agent receives basic messages.',
  tests: [
    defineTest({
      name: 'receives',
      description: 'A basicmessage sent to the agent shows up, content intact, in agact read-back.',
      spec: `${RFC}, "message": content is delivered to the recipient`,
      async run(t: TestContext) {
        const id = t.newId();
        const content = `agtest says hello ${id} — ünïcödé ✓`;
        await t.send({
          '@type': messageType('basicmessage', '1.0', 'message'),
          '@id': id,
          '~l10n': { locale: 'en' },
          sent_time: new Date().toISOString(),
          content,
        });
        const seen = await readBack(t, messageType('basicmessage', '1.0', 'message'), (m) => m['@id'] === id);
        t.check(seen, `agact received does not show basicmessage ${id}`);
        const again = (await t.act('received', { type: messageType('basicmessage', '1.0', 'message') })) as { messages: Record<string, unknown>[] };
        const stored = again.messages.find((m) => m['@id'] === id);
        t.check(stored?.['content'] === content, `the agent recorded content ${JSON.stringify(stored?.['content'])}, sent ${JSON.stringify(content)}`);
      },
    }),
  ],
});

export const basicMessageActive = defineSuite({
  cluster: 'basicmessage.1_0',
  mode: 'active',
  description: 'The agent sends basic messages when asked.',
  tests: [
    defineTest({
      name: 'sends-content',
      description: 'agact send-message makes a basicmessage arrive whose content is exactly what was asked.',
      spec: `${RFC}, "message": content`,
      async run(t: TestContext) {
        const content = `agtest asks ${t.newId()}: ünïcödé ✓`;
        await t.act('send-message', { content });
        const received = await t.receive(isBasicMessage, { description: 'a basicmessage after agact send-message' });
        checkWellFormed(t, received, 'basicmessage', 1, 'message');
        t.check(received.message['content'] === content, `content is ${JSON.stringify(received.message['content'])}, asked for ${JSON.stringify(content)}`);
        if (received.message['~l10n'] === undefined) t.warn('no ~l10n decorator; Aries RFC 0095 says the message SHOULD carry one (e.g. {"locale":"en"})');
      },
    }),
    defineTest({
      name: 'sent-time',
      description: 'The basicmessage sent_time is ISO 8601 in UTC.',
      spec: `${RFC}, "sent_time"; Aries RFC 0074 (_time fields are ISO 8601 UTC)`,
      async run(t: TestContext) {
        await t.act('send-message', { content: `time check ${t.newId()}` });
        const received = await t.receive(isBasicMessage, { description: 'a basicmessage after agact send-message' });
        const sentTime = received.message['sent_time'];
        t.check(typeof sentTime === 'string', `sent_time is ${JSON.stringify(sentTime)}, must be an ISO 8601 UTC string`);
        t.check(ISO_8601_UTC.test(sentTime) && !Number.isNaN(Date.parse(sentTime.replace(' ', 'T'))), `sent_time ${JSON.stringify(sentTime)} is not ISO 8601 in UTC (e.g. 2026-11-22T10:00:00Z)`);
      },
    }),
  ],
});
