import type { AdapterFlagSpec } from '../adapter-args.js';
import { AdapterError } from '../errors.js';
import { flagValues } from '../flag-values.js';

export interface HttpAdapterOptions {
  /** Interface the inbound server listens on (default 127.0.0.1). */
  listenHost?: string;
  /** Inbound port; 0 picks a free one (default). */
  listenPort?: number;
  /** The endpoint to advertise when agents reach us through another address (NAT, containers). */
  publicUrl?: string;
  /** Attempts after the first for an unreachable agent or a 5xx/429 answer (default 5). */
  retries?: number;
  /** Delay before the first retry, doubling after each (default 200 ms). */
  retryDelayMs?: number;
  /** How long one POST may stay silent before it counts as failed (default 30 s). */
  timeoutMs?: number;
  /** Which extension inbound plain `application/json` becomes: `dm` (DIDComm v1, default) or `json`. */
  plainJson?: 'dm' | 'json';
  /** Largest inbound or return-route body accepted (default 10 MiB). */
  maxBodyBytes?: number;
}

export type ResolvedHttpAdapterOptions = Required<Omit<HttpAdapterOptions, 'publicUrl'>> & Pick<HttpAdapterOptions, 'publicUrl'>;

export const HTTP_ADAPTER_FLAGS: Readonly<Record<string, AdapterFlagSpec>> = {
  'listen-host': { type: 'string', description: 'HOST  inbound interface (default 127.0.0.1)' },
  'listen-port': { type: 'string', description: 'PORT  inbound port (default 0: any free port)' },
  'public-url': { type: 'string', description: 'URL  endpoint to advertise instead of http://HOST:PORT/' },
  retries: { type: 'string', description: 'N  retries for an unreachable agent or a 5xx/429 (default 5)' },
  'retry-delay-ms': { type: 'string', description: 'MS  first retry delay, doubling (default 200)' },
  'timeout-ms': { type: 'string', description: 'MS  a POST silent this long has failed (default 30000)' },
  'plain-json': { type: 'string', description: 'dm|json  extension for inbound application/json (default dm)' },
};

export function resolveHttpAdapterOptions(options: HttpAdapterOptions): ResolvedHttpAdapterOptions {
  const integer = (name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 0): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new AdapterError('ADAPTER_INVALID_OPTION', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
    return value;
  };
  if (options.plainJson !== undefined && options.plainJson !== 'dm' && options.plainJson !== 'json') {
    throw new AdapterError('ADAPTER_INVALID_OPTION', `plain-json must be dm or json, got ${JSON.stringify(options.plainJson)}`);
  }
  if (options.publicUrl !== undefined && !URL.canParse(options.publicUrl)) {
    throw new AdapterError('ADAPTER_INVALID_OPTION', `public-url must be a URL, got ${JSON.stringify(options.publicUrl)}`);
  }
  return {
    listenHost: options.listenHost ?? '127.0.0.1',
    listenPort: integer('listen-port', options.listenPort, 0, 65_535),
    publicUrl: options.publicUrl,
    retries: integer('retries', options.retries, 5, 100),
    retryDelayMs: integer('retry-delay-ms', options.retryDelayMs, 200, 600_000),
    timeoutMs: integer('timeout-ms', options.timeoutMs, 30_000, 3_600_000, 1),
    plainJson: options.plainJson ?? 'dm',
    maxBodyBytes: integer('max-body-bytes', options.maxBodyBytes, 10 * 1024 * 1024, Number.MAX_SAFE_INTEGER, 1),
  };
}

/** Flags as the process got them (strings) → options; bad numbers are reported, not coerced. */
export function httpAdapterOptionsFromFlags(flags: Record<string, string | boolean>): HttpAdapterOptions {
  const { text, number } = flagValues(flags);
  return {
    listenHost: text('listen-host'),
    listenPort: number('listen-port'),
    publicUrl: text('public-url'),
    retries: number('retries'),
    retryDelayMs: number('retry-delay-ms'),
    timeoutMs: number('timeout-ms'),
    plainJson: text('plain-json') as HttpAdapterOptions['plainJson'],
  };
}
