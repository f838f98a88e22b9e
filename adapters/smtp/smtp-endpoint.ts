import { AdapterError } from '../errors.js';

export interface SmtpEndpoint {
  host: string;
  port: number;
  /** The mailbox messages are addressed to, e.g. `agent@agent.test`. */
  mailbox: string;
}

const MAILBOX = /^[^\s@/]+@[^\s@/]+$/;

/**
 * An SMTP endpoint names a server and a mailbox: `smtp://HOST:PORT/MAILBOX`, e.g.
 * `smtp://127.0.0.1:2525/agent@agent.test`. (`mailto:` alone names no server, and a test tool
 * must not depend on MX lookups.)
 */
export function parseSmtpEndpoint(value: string): SmtpEndpoint {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const mailbox = url ? decodeURIComponent(url.pathname.slice(1)) : '';
  if (!url || url.protocol !== 'smtp:' || !url.hostname || !MAILBOX.test(mailbox)) {
    throw new AdapterError('ADAPTER_INVALID_OPTION', `--target must be smtp://HOST:PORT/MAILBOX (e.g. smtp://127.0.0.1:2525/agent@agent.test), got ${JSON.stringify(value)}`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 25, mailbox };
}

export function formatSmtpEndpoint(endpoint: SmtpEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `smtp://${host}:${endpoint.port}/${endpoint.mailbox}`;
}

export function isMailbox(value: string): boolean {
  return MAILBOX.test(value);
}
