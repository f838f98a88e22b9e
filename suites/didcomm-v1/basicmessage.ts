import { defineSuite, defineTest, type TestContext } from '../define.js';
import { checkWellFormed, messageType, ofType, readBack, wellFormedRules } from './message-type.js';

const RFC = 'Aries RFC 0095 (Basic Message 1.0)';
const isBasicMessage = ofType('basicmessage', 1, 'message');
/** Aries RFC 0074: `_time` fields are ISO 8601 in UTC. Date and time, optional fraction, Z or +00:00. */
const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]00:?00)$/;
const CONTENT = `${RFC}, Reference: "content - content of the user intended message as a string"`;

export const basicMessagePassive = defineSuite({
  cluster: 'basicmessage.1_0',
  mode: 'passive',
  description: 'The agent receives basic messages.',
  tests: [
    defineTest({
      name: 'receives',
      description: 'A basicmessage sent to the agent shows up, content intact, in agact read-back (polled for the message wait).',
      spec: `${RFC}, "message": content is delivered to the recipient`,
      rules: [
        { id: 'received', level: 'MUST', cite: `${RFC}, Roles (the receiver processes received messages); observed through agact received, polled for timeouts.messageMs`, text: 'a basicmessage sent to the agent shows in its read-back' },
        { id: 'content-intact', level: 'MUST', cite: CONTENT, text: 'the content the agent recorded is exactly the content sent (Unicode included)' },
      ],
      async run(t: TestContext) {
        const id = t.newId();
        const content = `agtest says hello ${id} — ünïcödé ✓`;
        const type = messageType('basicmessage', '1.0', 'message');
        await t.send({ '@type': type, '@id': id, '~l10n': { locale: 'en' }, sent_time: new Date().toISOString(), content });
        const seen = await readBack(t, type, (m) => m['@id'] === id);
        if (!t.verify('received', seen, `agact received does not show basicmessage ${id}`)) return;
        const again = (await t.act('received', { type })) as { messages: Record<string, unknown>[] };
        const stored = again.messages.find((m) => m['@id'] === id);
        t.verify('content-intact', stored?.['content'] === content, `the agent recorded content ${JSON.stringify(stored?.['content'])}, sent ${JSON.stringify(content)}`);
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
      rules: [
        ...wellFormedRules('basicmessage', 'policy'),
        { id: 'content', level: 'MUST', cite: CONTENT, text: 'content is the string agact send-message asked for' },
        { id: 'l10n', level: 'SHOULD', cite: `${RFC}, Reference: "The ~l10n block SHOULD be used, but only the locale presented"`, text: 'the message carries ~l10n (e.g. {"locale":"en"})' },
      ],
      async run(t: TestContext) {
        const content = `agtest asks ${t.newId()}: ünïcödé ✓`;
        await t.act('send-message', { content });
        const received = await t.receive(isBasicMessage, { description: 'a basicmessage after agact send-message' });
        checkWellFormed(t, received, 'basicmessage', 1, 'message');
        t.verify('content', received.message['content'] === content, `content is ${JSON.stringify(received.message['content'])}, asked for ${JSON.stringify(content)}`);
        t.verify('l10n', received.message['~l10n'] !== undefined, 'no ~l10n decorator (e.g. {"locale":"en"})');
      },
    }),
    defineTest({
      name: 'sent-time',
      description: 'The basicmessage sent_time is ISO 8601 in UTC.',
      spec: `${RFC}, "sent_time"; Aries RFC 0074 (_time fields are ISO 8601 UTC)`,
      rules: [{ id: 'sent-time', level: 'MUST', cite: `${RFC}, Reference: "sent_time - timestamp in ISO 8601 UTC"; Aries RFC 0074 (_time fields)`, text: 'sent_time is an ISO 8601 date-time in UTC' }],
      async run(t: TestContext) {
        await t.act('send-message', { content: `time check ${t.newId()}` });
        const received = await t.receive(isBasicMessage, { description: 'a basicmessage after agact send-message' });
        const sentTime = received.message['sent_time'];
        const valid = typeof sentTime === 'string' && ISO_8601_UTC.test(sentTime) && !Number.isNaN(Date.parse(sentTime.replace(' ', 'T')));
        t.verify('sent-time', valid, typeof sentTime === 'string' ? `sent_time ${JSON.stringify(sentTime)} is not ISO 8601 in UTC (e.g. 2026-11-22T10:00:00Z)` : `sent_time is ${JSON.stringify(sentTime)}, must be an ISO 8601 UTC string`);
      },
    }),
  ],
});
