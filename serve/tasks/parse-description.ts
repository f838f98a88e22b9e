/**
 * A deterministic reader of `taskDescription`: users, duration, ramp-up, think time, throughput,
 * URLs and "METHOD /path" endpoints, by pattern, never by guess. A quantity stated twice with
 * different values is ambiguous and reported as such, so the job can ask back. An LLM could be
 * plugged in behind the same result type; it is never required.
 */
export interface ParsedDescription {
  virtualUsers?: number;
  durationSeconds?: number;
  rampUpSeconds?: number;
  thinkTimeMillis?: number;
  throughputTarget?: number;
  urls: string[];
  endpoints: { method: string; path: string }[];
  /** Quantities the text gives more than one value for: name → the values. */
  ambiguous: Record<string, number[]>;
}

const UNIT = '(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)';

function toSeconds(value: string, unit: string): number {
  const u = unit.toLowerCase();
  const factor = u === 'ms' || u.startsWith('milli') ? 0.001 : u.startsWith('s') ? 1 : u.startsWith('m') ? 60 : 3600;
  return Number(value) * factor;
}
const seconds = (value: string, unit: string) => Math.round(toSeconds(value, unit));

/** Every match of each pattern → one number; distinct values collected in order. */
function collect(text: string, patterns: [RegExp, (m: RegExpExecArray) => number][]): number[] {
  const found: number[] = [];
  for (const [pattern, read] of patterns) {
    for (const match of text.matchAll(pattern)) {
      const value = read(match as RegExpExecArray);
      if (Number.isFinite(value) && !found.includes(value)) found.push(value);
    }
  }
  return found;
}

export function parseDescription(text: string): ParsedDescription {
  // Ramp-up phrases also read like durations ("over 5 minutes"): take them out before durations.
  const rampPatterns: [RegExp, (m: RegExpExecArray) => number][] = [
    [new RegExp(`ramp[- ]?up(?:\\s+(?:is|of|period|time|over|in|across|will be|should be|must be))*\\s+(\\d+(?:\\.\\d+)?)[- ]?${UNIT}\\b`, 'gi'), (m) => seconds(m[1]!, m[2]!)],
    [new RegExp(`(\\d+(?:\\.\\d+)?)[- ]?${UNIT}\\s+ramp[- ]?up`, 'gi'), (m) => seconds(m[1]!, m[2]!)],
  ];
  const ramp = collect(text, rampPatterns);
  let rest = text;
  for (const [pattern] of rampPatterns) rest = rest.replace(pattern, ' ');
  const thinkPatterns: [RegExp, (m: RegExpExecArray) => number][] = [
    [new RegExp(`think[- ]?time(?:\\s+(?:of|is))?\\s+(\\d+(?:\\.\\d+)?)\\s*${UNIT}\\b`, 'gi'), (m) => Math.round(toSeconds(m[1]!, m[2]!) * 1000)],
  ];
  const think = collect(rest, thinkPatterns);
  for (const [pattern] of thinkPatterns) rest = rest.replace(pattern, ' ');

  const users = collect(rest, [[/(\d+)\s*(?:virtual\s+|concurrent\s+|simultaneous\s+)?(?:users?|vus?|threads?)\b/gi, (m) => Number(m[1])]]);
  const duration = collect(rest, [
    [new RegExp(`\\b(?:for|during|lasting|duration(?:\\s+of)?)\\s+(\\d+(?:\\.\\d+)?)\\s*${UNIT}\\b`, 'gi'), (m) => seconds(m[1]!, m[2]!)],
    [new RegExp(`\\b(\\d+(?:\\.\\d+)?)-${UNIT}\\s+(?:performance\\s+|load\\s+|stress\\s+|soak\\s+)?(?:test|run)`, 'gi'), (m) => seconds(m[1]!, m[2]!)],
  ]);
  const throughput = collect(rest, [
    [/(\d+(?:\.\d+)?)\s*(?:requests?\s+per\s+second|rps|req\/s)\b/gi, (m) => Number(m[1])],
    [/(\d+(?:\.\d+)?)\s*(?:requests?\s+per\s+minute|rpm|req\/min)\b/gi, (m) => Number(m[1]) / 60],
  ]);
  const urls = [...new Set([...text.matchAll(/https?:\/\/[^\s`'"<>()[\]{}]+/gi)].map((m) => m[0].replace(/[.,;:!?]+$/, '')))];
  const endpoints: { method: string; path: string }[] = [];
  for (const m of text.matchAll(/\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/[^\s`'"<>()[\]{}]*)/g)) {
    const path = m[2]!.replace(/[.,;:!?]+$/, '');
    if (!endpoints.some((e) => e.method === m[1] && e.path === path)) endpoints.push({ method: m[1]!, path });
  }
  const ambiguous: Record<string, number[]> = {};
  const one = (name: string, values: number[]) => {
    if (values.length > 1) ambiguous[name] = values;
    return values.length === 1 ? values[0] : undefined;
  };
  const parsed: ParsedDescription = { urls, endpoints, ambiguous };
  const set = <K extends 'virtualUsers' | 'durationSeconds' | 'rampUpSeconds' | 'thinkTimeMillis' | 'throughputTarget'>(key: K, values: number[]) => {
    const value = one(key, values);
    if (value !== undefined) parsed[key] = value;
  };
  set('virtualUsers', users);
  set('durationSeconds', duration);
  set('rampUpSeconds', ramp);
  set('thinkTimeMillis', think);
  set('throughputTarget', throughput);
  return parsed;
}
