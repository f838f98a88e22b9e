/**
 * analyze_results: an agtest load report → a summary a caller can act on: counts, latency
 * percentiles (from the report's histograms), errors by class, threshold verdicts, suspect flags.
 */
import { applyThresholds, loadReportProblems, parseThreshold, type LoadReport } from '../../load/index.js';

/** Checked when the report carries no thresholds of its own. */
export const DEFAULT_VERDICTS = ['errors.rate < 1%', 'dropped == 0'];

export interface AnalysisSummary {
  source: 'agtest-load-report' | 'jmeter-jtl';
  requests: number;
  ok: number;
  errors: number;
  errorRate: number;
  throughputPerS: number;
  durationS: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number };
  steps: { name: string; ok: number; errors: number; p50Ms: number; p95Ms: number; p99Ms: number }[];
  errorsByClass: { class: string; count: number; example?: string }[];
  verdicts: { threshold: string; ok: boolean; actual: number | null; reason?: string }[];
  passed: boolean;
  suspect: boolean;
  suspectReasons: string[];
}

export type AnalysisOutcome = { ok: true; summary: AnalysisSummary } | { ok: false; problems: string[] };

export function analyzeLoadReport(input: unknown): AnalysisOutcome {
  const problems = loadReportProblems(input);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, summary: summarizeReport(input as LoadReport, 'agtest-load-report') };
}

/** The summary of a report (validated, or built from a JTL). */
export function summarizeReport(input: LoadReport, source: AnalysisSummary['source']): AnalysisSummary {
  const report = structuredClone(input);
  const own = (report.config['thresholds'] as string[] | undefined) ?? [];
  const texts = own.length > 0 ? own : DEFAULT_VERDICTS;
  const passed = applyThresholds(report, texts.map(parseThreshold));
  const l = report.summary.latency_ms;
  return {
    source,
    requests: report.summary.completed,
    ok: report.summary.ok,
    errors: report.summary.errors,
    errorRate: report.summary.error_rate,
    throughputPerS: report.summary.throughput_per_s,
    durationS: report.duration_s,
    latencyMs: { p50: l.p50_ms, p90: l.p90_ms, p95: l.p95_ms, p99: l.p99_ms, max: l.max_ms },
    steps: report.steps.map((s) => ({ name: s.name, ok: s.ok, errors: s.errors, p50Ms: s.latency_ms.p50_ms, p95Ms: s.latency_ms.p95_ms, p99Ms: s.latency_ms.p99_ms })),
    errorsByClass: report.errors.map((e) => ({ class: e.class, count: e.count, ...(e.examples[0] ? { example: e.examples[0].message } : {}) })),
    verdicts: report.thresholds,
    passed,
    suspect: report.suspect,
    suspectReasons: report.suspect_reasons,
  };
}
