/** The agent's own address on its SMTP endpoint: what it receives at and sends from. */
export const AGENT_MAILBOX = 'agent@reference-agent.invalid';
