import type { AgentApi, Message, Protocol } from '../agent-api.js';

/** Aries RFC 0035 Report Problem 1.0: the agent records the reports it gets. */
export const reportProblem: Protocol = {
  family: 'report-problem',
  messages: {
    'problem-report': ['description', 'problem_items', 'who_retries', 'fix_hint', 'impact', 'where', 'noticed_time', 'tracking_uri', 'escalation_uri'],
  },
  handle(agent, message) {
    agent.record(message);
    return [];
  },
};

/** A problem-report threaded to the message it is about. */
export function problemReport(agent: AgentApi, thid: string, code: string, en: string): Message {
  return {
    '@type': agent.type('report-problem', 'problem-report'),
    '@id': agent.newId(),
    '~thread': { thid },
    description: { code, en },
  };
}
