import type { AdapterFlagSpec } from '../adapter-args.js';
import { AdapterError } from '../errors.js';
import { flagValues } from '../flag-values.js';
import { isMailbox } from './smtp-endpoint.js';

export interface SmtpAdapterOptions {
  /** Interface of the adapter's own SMTP server (default 127.0.0.1). */
  listenHost?: string;
  /** Its port; 0 picks a free one (default). */
  listenPort?: number;
  /** agtest's own address: the only recipient its server accepts, and the sender of its mail (default agtest@agtest.invalid). */
  mailbox?: string;
  /** Attempts after the first when the agent's server cannot be reached (default 5). */
  retries?: number;
  /** Delay before the first retry, doubling (default 200 ms). */
  retryDelayMs?: number;
  /** Largest inbound mail accepted, advertised as SIZE (default 10 MiB). */
  maxMessageBytes?: number;
}

export type ResolvedSmtpAdapterOptions = Required<SmtpAdapterOptions>;

export const SMTP_ADAPTER_FLAGS: Readonly<Record<string, AdapterFlagSpec>> = {
  'listen-host': { type: 'string', description: 'HOST  interface of the adapter’s SMTP server (default 127.0.0.1)' },
  'listen-port': { type: 'string', description: 'PORT  its port (default 0: any free port)' },
  mailbox: { type: 'string', description: 'ADDRESS  agtest’s own mailbox (default agtest@agtest.invalid)' },
  retries: { type: 'string', description: 'N  retries when the agent’s server is unreachable (default 5)' },
  'retry-delay-ms': { type: 'string', description: 'MS  first retry delay, doubling (default 200)' },
  'max-message-bytes': { type: 'string', description: 'BYTES  largest inbound mail (default 10485760)' },
};

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AdapterError('ADAPTER_INVALID_OPTION', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function resolveSmtpAdapterOptions(options: SmtpAdapterOptions): ResolvedSmtpAdapterOptions {
  const mailbox = options.mailbox ?? 'agtest@agtest.invalid';
  if (!isMailbox(mailbox)) throw new AdapterError('ADAPTER_INVALID_OPTION', `mailbox must be an address like agtest@agtest.invalid, got ${JSON.stringify(mailbox)}`);
  return {
    listenHost: options.listenHost ?? '127.0.0.1',
    listenPort: integer('listen-port', options.listenPort, 0, 0, 65_535),
    mailbox,
    retries: integer('retries', options.retries, 5, 0, 100),
    retryDelayMs: integer('retry-delay-ms', options.retryDelayMs, 200, 0, 600_000),
    maxMessageBytes: integer('max-message-bytes', options.maxMessageBytes, 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
  };
}

export function smtpAdapterOptionsFromFlags(flags: Record<string, string | boolean>): SmtpAdapterOptions {
  const { text, number } = flagValues(flags);
  return {
    listenHost: text('listen-host'),
    listenPort: number('listen-port'),
    mailbox: text('mailbox'),
    retries: number('retries'),
    retryDelayMs: number('retry-delay-ms'),
    maxMessageBytes: number('max-message-bytes'),
  };
}
