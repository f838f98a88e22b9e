/**
 * Thresholds: `p99(total) < 500ms`, `p99.9(invite) <= 2s`, `errors.rate < 1%`, `errors.timeout == 0`,
 * `dropped == 0`, `throughput >= 100`. A report meets its thresholds when every one holds; the CLI
 * turns that into the exit code. Latency metrics read the histograms (successful samples, latency
 * from the intended start; `(step, service)` reads service time).
 */
import { AgtestError } from '../../common/index.js';
import { TOTAL_STEP } from '../engine/recorder.js';
import type { LatencySummary } from '../engine/histogram.js';
import type { LoadReport, ThresholdResult } from './report.js';

type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  text: string;
  metric:
    | { kind: 'latency'; stat: keyof LatencySummary; step: string; service: boolean }
    | { kind: 'errors'; of: 'rate' | 'count' | string }
    | { kind: 'dropped'; of: 'rate' | 'count' }
    | { kind: 'throughput' }
    | { kind: 'count'; of: 'ok' | 'completed' | 'interrupted' };
  op: Op;
  /** In the metric's unit: ms for latency, a fraction for rates, a number otherwise. */
  value: number;
}

const STATS: Record<string, keyof LatencySummary> = { p50: 'p50_ms', p90: 'p90_ms', p95: 'p95_ms', p99: 'p99_ms', 'p99.9': 'p99_9_ms', max: 'max_ms', min: 'min_ms', mean: 'mean_ms', avg: 'mean_ms' };
const PATTERN = /^\s*([a-z][\w.-]*?|p\d+(?:\.\d+)?)(?:\(\s*([^,)]+?)\s*(?:,\s*(service|latency)\s*)?\))?\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(ms|s|us|µs|%)?\s*$/i;

function invalid(text: string, why: string): never {
  throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `threshold ${JSON.stringify(text)}: ${why}. Examples: "p99(total) < 500ms", "errors.rate < 1%", "dropped == 0"`);
}

export function parseThreshold(text: string): Threshold {
  const match = PATTERN.exec(text);
  if (!match) invalid(text, 'not of the form METRIC OP VALUE');
  const [, rawName, step, serviceWord, op, rawValue, unit] = match;
  const name = rawName!.toLowerCase();
  let value = Number(rawValue);
  const lowerUnit = unit?.toLowerCase();
  if (Object.hasOwn(STATS, name)) {
    if (lowerUnit === '%') invalid(text, 'a latency takes a time unit (ms, s, us), not %');
    value = lowerUnit === 's' ? value * 1000 : lowerUnit === 'us' || lowerUnit === 'µs' ? value / 1000 : value;
    return { text, metric: { kind: 'latency', stat: STATS[name]!, step: step ?? TOTAL_STEP, service: serviceWord?.toLowerCase() === 'service' }, op: op as Op, value };
  }
  if (step !== undefined) invalid(text, `${name} takes no (step)`);
  const [head, tail] = name.split('.', 2) as [string, string | undefined];
  if (lowerUnit && lowerUnit !== '%') invalid(text, `${name} is not a time; units: % for rates, none for counts`);
  if (head === 'errors' || head === 'dropped') {
    // `errors < 1%` is a rate, `errors == 0` a count.
    const of = tail ?? (lowerUnit === '%' ? 'rate' : 'count');
    if (of === 'rate') value = lowerUnit === '%' ? value / 100 : value;
    else if (lowerUnit === '%') invalid(text, `${name} is a count; say ${head}.rate for a percentage`);
    if (head === 'dropped') {
      if (of !== 'rate' && of !== 'count') invalid(text, 'dropped.rate or dropped.count');
      return { text, metric: { kind: 'dropped', of }, op: op as Op, value };
    }
    return { text, metric: { kind: 'errors', of }, op: op as Op, value };
  }
  if (lowerUnit === '%') invalid(text, `${name} is not a rate`);
  if (name === 'throughput' || name === 'rate') return { text, metric: { kind: 'throughput' }, op: op as Op, value };
  if (name === 'ok' || name === 'completed' || name === 'interrupted') return { text, metric: { kind: 'count', of: name }, op: op as Op, value };
  return invalid(text, `unknown metric ${name}; known: ${Object.keys(STATS).join(', ')} (with an optional (step) or (step, service)), errors[.rate|.count|.CLASS], dropped[.rate|.count], throughput, ok, completed, interrupted`);
}

const compare = (a: number, op: Op, b: number) => (op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : op === '>=' ? a >= b : op === '==' ? a === b : a !== b);

export function evaluateThreshold(threshold: Threshold, report: LoadReport): ThresholdResult {
  const { metric } = threshold;
  const s = report.summary;
  let actual: number;
  switch (metric.kind) {
    case 'latency': {
      const step = report.steps.find((candidate) => candidate.name === metric.step);
      if (!step) return { threshold: threshold.text, ok: false, actual: null, reason: `no step ${metric.step} in this report (steps: ${report.steps.map((x) => x.name).join(', ')})` };
      const summary = metric.service ? step.service_ms : step.latency_ms;
      if (summary.count === 0) return { threshold: threshold.text, ok: false, actual: null, reason: `no successful ${metric.step} samples to measure` };
      actual = summary[metric.stat];
      break;
    }
    case 'errors':
      actual = metric.of === 'rate' ? s.error_rate : metric.of === 'count' ? s.errors : (report.errors.find((e) => e.class === metric.of)?.count ?? 0);
      break;
    case 'dropped':
      actual = metric.of === 'rate' ? s.dropped_rate : s.dropped;
      break;
    case 'throughput':
      actual = s.throughput_per_s;
      break;
    case 'count':
      actual = s[metric.of];
      break;
  }
  const ok = compare(actual, threshold.op, threshold.value);
  return { threshold: threshold.text, ok, actual, ...(ok ? {} : { reason: `measured ${actual}` }) };
}

/** Evaluates every threshold into the report (replacing earlier results) and says whether all held. */
export function applyThresholds(report: LoadReport, thresholds: readonly Threshold[]): boolean {
  report.thresholds = thresholds.map((threshold) => evaluateThreshold(threshold, report));
  return report.thresholds.every((result) => result.ok);
}
