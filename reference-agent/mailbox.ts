/** The agent's own address on its SMTP endpoint (its own module: outbound mail needs it without the SMTP server). */
export const AGENT_MAILBOX = 'agent@reference-agent.invalid';
