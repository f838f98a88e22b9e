/**
 * The JSON load report (schema: load-report.schema.json). Everything in it that is a percentile is
 * computed from the encoded histograms it carries, so `agtest load merge` recomputes it exactly.
 */
import { decodeHistogram, encodeHistogram, summarizeHistogram, type LatencySummary } from '../engine/histogram.js';
import { TOTAL_STEP, type ErrorExample } from '../engine/recorder.js';
import type { HealthReport } from '../health/monitor.js';
import { decodeStep, encodeStep, type EncodedStepHistograms, type Measurements } from './measurements.js';

export const LOAD_REPORT_SCHEMA_VERSION = 1;

export interface StepReport {
  name: string;
  ok: number;
  errors: number;
  /** Latency from the intended start, successful samples. */
  latency_ms: LatencySummary;
  /** Service time from the actual start, successful samples. */
  service_ms: LatencySummary;
  /** Latency of the failed samples (a timeout shows here, not above). */
  error_latency_ms: LatencySummary;
  histograms: EncodedStepHistograms;
}

export interface SecondReport {
  t_s: number;
  started: number;
  ok: number;
  errors: number;
  dropped: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  histogram: string;
}

export interface ThresholdResult {
  threshold: string;
  ok: boolean;
  /** The measured value, in the threshold's unit. */
  actual: number | null;
  reason?: string;
}

export interface LoadReport {
  schema_version: typeof LOAD_REPORT_SCHEMA_VERSION;
  kind: 'agtest-load-report';
  scenario: string;
  /** The run's effective config (what the engine was told to do). */
  config: Record<string, unknown>;
  /** 1-based shard of this report, or the shards a merged report came from. */
  shard: { index: number; count: number } | null;
  merged_from: string[] | null;
  started_at: string;
  ended_at: string;
  duration_s: number;
  stopped_early: string | null;
  summary: {
    scheduled: number;
    started: number;
    completed: number;
    ok: number;
    errors: number;
    dropped: number;
    interrupted: number;
    max_in_flight: number;
    throughput_per_s: number;
    error_rate: number;
    dropped_rate: number;
    latency_ms: LatencySummary;
    service_ms: LatencySummary;
  };
  steps: StepReport[];
  start_lag: { summary_ms: LatencySummary; histogram: string };
  timeseries: SecondReport[];
  errors: { class: string; count: number; examples: ErrorExample[] }[];
  /** One per generator (shard) that produced the samples. */
  health: HealthReport[];
  suspect: boolean;
  suspect_reasons: string[];
  thresholds: ThresholdResult[];
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface ReportInput {
  scenario: string;
  config: Record<string, unknown>;
  shard: { index: number; count: number } | null;
  mergedFrom: string[] | null;
  startedAt: string;
  endedAt: string;
  durationS: number;
  stoppedEarly?: string;
  measurements: Measurements;
  health: HealthReport[];
}

export function buildReport(input: ReportInput): LoadReport {
  const { counters } = input.measurements;
  const completed = counters.ok + counters.errors;
  const total = input.measurements.steps.get(TOTAL_STEP)!;
  const reasons = input.health.flatMap((h, i) => h.suspect_reasons.map((r) => (input.health.length > 1 ? `shard ${i + 1}: ${r}` : r)));
  return {
    schema_version: LOAD_REPORT_SCHEMA_VERSION,
    kind: 'agtest-load-report',
    scenario: input.scenario,
    config: input.config,
    shard: input.shard,
    merged_from: input.mergedFrom,
    started_at: input.startedAt,
    ended_at: input.endedAt,
    duration_s: round(input.durationS),
    stopped_early: input.stoppedEarly ?? null,
    summary: {
      scheduled: counters.scheduled,
      started: counters.started,
      completed,
      ok: counters.ok,
      errors: counters.errors,
      dropped: counters.dropped,
      interrupted: counters.interrupted,
      max_in_flight: counters.maxInFlight,
      throughput_per_s: input.durationS > 0 ? round(completed / input.durationS, 2) : 0,
      error_rate: completed > 0 ? round(counters.errors / completed, 6) : 0,
      dropped_rate: counters.scheduled > 0 ? round(counters.dropped / counters.scheduled, 6) : 0,
      latency_ms: summarizeHistogram(total.latency.ok),
      service_ms: summarizeHistogram(total.service.ok),
    },
    steps: [...input.measurements.steps].map(([name, step]) => ({
      name,
      ok: step.latency.ok.totalCount,
      errors: step.latency.error.totalCount,
      latency_ms: summarizeHistogram(step.latency.ok),
      service_ms: summarizeHistogram(step.service.ok),
      error_latency_ms: summarizeHistogram(step.latency.error),
      histograms: encodeStep(step),
    })),
    start_lag: { summary_ms: summarizeHistogram(input.measurements.startLag), histogram: encodeHistogram(input.measurements.startLag) },
    timeseries: [...input.measurements.seconds].map(([second, bucket]) => {
      const s = summarizeHistogram(bucket.latency);
      return { t_s: second, started: bucket.started, ok: bucket.ok, errors: bucket.errors, dropped: bucket.dropped, p50_ms: s.p50_ms, p99_ms: s.p99_ms, max_ms: s.max_ms, histogram: encodeHistogram(bucket.latency) };
    }),
    errors: [...input.measurements.errors].map(([errorClass, bucket]) => ({ class: errorClass, count: bucket.count, examples: bucket.examples })).sort((a, b) => b.count - a.count),
    health: input.health,
    suspect: reasons.length > 0,
    suspect_reasons: reasons,
    thresholds: [],
  };
}

/** A report's histograms and counters, decoded for merging. */
export function measurementsFromReport(report: LoadReport): Measurements {
  const s = report.summary;
  return {
    counters: { scheduled: s.scheduled, started: s.started, ok: s.ok, errors: s.errors, dropped: s.dropped, interrupted: s.interrupted, maxInFlight: s.max_in_flight },
    steps: new Map(report.steps.map((step) => [step.name, decodeStep(step.histograms)])),
    startLag: decodeHistogram(report.start_lag.histogram),
    errors: new Map(report.errors.map((e) => [e.class, { count: e.count, examples: [...e.examples] }])),
    seconds: new Map(report.timeseries.map((t) => [t.t_s, { started: t.started, ok: t.ok, errors: t.errors, dropped: t.dropped, latency: decodeHistogram(t.histogram) }])),
  };
}
