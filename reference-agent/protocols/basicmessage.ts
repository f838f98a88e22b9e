import type { AgentApi, Message, Protocol } from '../agent-api.js';

/** Aries RFC 0095 Basic Message 1.0. */
export const basicMessage: Protocol = {
  family: 'basicmessage',
  messages: { message: ['content', 'sent_time'] },
  handle(agent, message) {
    if (agent.has('drop-basicmessage') || agent.has('over-claim')) agent.log('fault drop-basicmessage: did not record a basicmessage');
    else agent.record(message);
    return [];
  },
};

export function createBasicMessage(agent: AgentApi, content: string): Message {
  const now = new Date();
  return {
    '@type': agent.type('basicmessage', 'message'),
    '@id': agent.newId(),
    ...(agent.has('no-l10n') ? {} : { '~l10n': { locale: 'en' } }),
    // RFC 0074: `_time` fields are ISO 8601 in UTC.
    sent_time: agent.has('bad-sent-time') ? localTime(now) : now.toISOString(),
    content: agent.has('wrong-content') ? `${content} (edited)` : content,
  };
}

/** `2026-11-22 10:00:00`: the zone-less local time the bad-sent-time fault sends. */
function localTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
