/** Durations in configs and flags: "250ms", "10s", "1.5m", "1h", or a number of milliseconds. */

export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(us|ms|s|m|h)$';
export const durationSchema = { oneOf: [{ type: 'string', pattern: DURATION_PATTERN }, { type: 'number', minimum: 0 }] } as const;

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = new RegExp(DURATION_PATTERN).exec(value.trim());
  if (!match) throw new RangeError(`${JSON.stringify(value)} is not a duration (e.g. 250ms, 10s, 2m)`);
  return Number.parseFloat(value) * UNIT_MS[match[2]!]!;
}
