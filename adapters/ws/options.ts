import type { AdapterFlagSpec } from '../adapter-args.js';
import { AdapterError } from '../errors.js';
import { flagValues } from '../flag-values.js';

export interface WsAdapterOptions {
  /** Interface the adapter's own WS server listens on, for agents that connect to agtest (default 127.0.0.1). */
  listenHost?: string;
  /** Its port; 0 picks a free one (default). */
  listenPort?: number;
  /** Reconnect attempts after a refused or dropped connection before the adapter gives up (default 5). */
  retries?: number;
  /** Delay before the first reconnect, doubling after each (default 200 ms). */
  retryDelayMs?: number;
  /** Largest inbound frame accepted (default 10 MiB). */
  maxFrameBytes?: number;
}

export type ResolvedWsAdapterOptions = Required<WsAdapterOptions>;

export const WS_ADAPTER_FLAGS: Readonly<Record<string, AdapterFlagSpec>> = {
  'listen-host': { type: 'string', description: 'HOST  interface of the adapter’s own WS server (default 127.0.0.1)' },
  'listen-port': { type: 'string', description: 'PORT  its port (default 0: any free port)' },
  retries: { type: 'string', description: 'N  reconnect attempts before giving up (default 5)' },
  'retry-delay-ms': { type: 'string', description: 'MS  first reconnect delay, doubling (default 200)' },
  'max-frame-bytes': { type: 'string', description: 'BYTES  largest inbound frame (default 10485760)' },
};

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AdapterError('ADAPTER_INVALID_OPTION', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function resolveWsAdapterOptions(options: WsAdapterOptions): ResolvedWsAdapterOptions {
  return {
    listenHost: options.listenHost ?? '127.0.0.1',
    listenPort: integer('listen-port', options.listenPort, 0, 0, 65_535),
    retries: integer('retries', options.retries, 5, 0, 100),
    retryDelayMs: integer('retry-delay-ms', options.retryDelayMs, 200, 0, 600_000),
    maxFrameBytes: integer('max-frame-bytes', options.maxFrameBytes, 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
  };
}

/** Flags as the process got them (strings) → options; bad numbers are reported, not coerced. */
export function wsAdapterOptionsFromFlags(flags: Record<string, string | boolean>): WsAdapterOptions {
  const { text, number } = flagValues(flags);
  return {
    listenHost: text('listen-host'),
    listenPort: number('listen-port'),
    retries: number('retries'),
    retryDelayMs: number('retry-delay-ms'),
    maxFrameBytes: number('max-frame-bytes'),
  };
}
