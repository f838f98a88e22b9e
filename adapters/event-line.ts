import type { AdapterEvent } from './adapter.js';

/** One event as the single stdout line the contract specifies. */
export function formatEventLine(event: AdapterEvent): string {
  return `${JSON.stringify(event)}\n`;
}

type Shape = Record<string, 'string' | 'number' | 'string?' | 'number?'>;

const SHAPES: Record<AdapterEvent['type'], Shape> = {
  ready: { adapter: 'string', endpoint: 'string?' },
  sent: { file: 'string', status: 'number?', durationMs: 'number' },
  received: { file: 'string', contentType: 'string', via: 'string' },
  undeliverable: { file: 'string', status: 'number?', reason: 'string' },
  retrying: { file: 'string', status: 'number?', reason: 'string', attempt: 'number', delayMs: 'number' },
  'possible-duplicate': { file: 'string' },
  warning: { message: 'string' },
};

/**
 * Reads one stdout line of an adapter process. Returns undefined for anything that is not a
 * well-formed event, so a chatty third-party adapter is reported, not trusted blindly.
 */
export function parseEventLine(line: string): AdapterEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    void error; // not JSON at all: the caller reports the raw line
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type)) return undefined;
  for (const [key, expected] of Object.entries(SHAPES[type as AdapterEvent['type']])) {
    const optional = expected.endsWith('?');
    const actual = record[key];
    if (actual === undefined && optional) continue;
    if (typeof actual !== expected.replace('?', '')) return undefined;
  }
  if (type === 'received' && record['via'] !== 'inbound' && record['via'] !== 'return-route') return undefined;
  return record as AdapterEvent;
}
