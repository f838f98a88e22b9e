/**
 * The topology report: the seed's JSON (summary with by_topology and by_agent_count, results with
 * throughput and p50/p95/p99 per run, config; field names kept) plus what makes it trustworthy:
 * each run's latency histogram, every group's percentiles computed from the merged histograms of
 * its runs (never averaged percentiles), errors by class, dropped sends, generator health and the
 * suspect flag. Schema: topology-report.schema.json.
 */
import { createHistogram, decodeHistogram, encodeHistogram, summarizeHistogram, type Histogram } from '../engine/histogram.js';
import { TOTAL_STEP, type Recorder } from '../engine/recorder.js';
import type { HealthReport } from '../health/monitor.js';
import type { AgentEvents } from './pool.js';
import type { Topology } from './topologies.js';

export const TOPOLOGY_REPORT_SCHEMA_VERSION = 1;

/** One run's measurements, as the sweep hands them over. */
export interface RunMeasurement {
  agentCount: number;
  messageCount: number;
  topology: Topology;
  intervalMs: number;
  repeat: number;
  edgeCount: number;
  durationS: number;
  recorder: Recorder;
  health: HealthReport;
  events: AgentEvents;
  stoppedEarly?: string;
}

export interface RunResult {
  agent_count: number;
  message_count: number;
  topology: Topology;
  message_interval_ms: number;
  repeat: number;
  success: boolean;
  throughput_msg_per_sec: number;
  avg_latency_ms: number;
  p50_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  duration_sec: number;
  edge_count: number;
  /** Pings the schedule asked for, sent, answered, failed (by class), dropped (could not be sent on time), interrupted at the end. */
  scheduled: number;
  sent: number;
  answered: number;
  errors: number;
  errors_by_class: Record<string, number>;
  error_examples: string[];
  dropped: number;
  interrupted: number;
  max_latency_ms: number;
  /** Socket reconnects of the agents, messages picked up after one (pickup 2.0 delivery), envelopes an agent got that were not for it, pings it could not answer. */
  reconnects: number;
  picked_up: number;
  misdelivered: number;
  unanswered: number;
  /** Latency of the answered pings, from the intended send: HDR histogram, compressed base64, µs. */
  latency_histogram: string;
  health: HealthReport;
  suspect: boolean;
  suspect_reasons: string[];
  stopped_early: string | null;
}

export interface GroupStats {
  runs: number;
  avg_throughput: number;
  max_throughput: number;
  min_throughput: number;
  scheduled: number;
  answered: number;
  errors: number;
  errors_by_class: Record<string, number>;
  dropped: number;
  misdelivered: number;
  reconnects: number;
  /** From the merged histogram of the group's runs. */
  avg_latency_ms: number;
  p50_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  max_latency_ms: number;
  latency_histogram: string;
}

export interface CellStats extends GroupStats {
  agent_count: number;
  message_count: number;
  topology: Topology;
  message_interval_ms: number;
}

export interface TopologyConfigReport {
  agent_counts: number[];
  message_counts: number[];
  topologies: Topology[];
  message_intervals_ms: number[];
  repeat_count: number;
  fanout: number;
  timeout_ms: number;
  max_in_flight: number;
  /** Agents 1..K that did not register their key (a fault of the agents, to prove the mediator delivers nothing for them). */
  unregistered: number;
  router: string;
}

export interface TopologyReport {
  kind: 'agtest-topology-report';
  schema_version: typeof TOPOLOGY_REPORT_SCHEMA_VERSION;
  router: string;
  started_at: string;
  ended_at: string;
  stopped_early: string | null;
  setup: { agents: number; duration_s: number; heap_kb_per_agent: number; rss_kb_per_agent: number };
  summary: Omit<GroupStats, 'runs' | 'latency_histogram' | 'avg_throughput' | 'max_throughput' | 'min_throughput'> & {
    total_runs: number;
    successful: number;
    failed: number;
    avg_throughput: number;
    max_throughput: number;
    min_throughput: number;
    by_topology: Record<string, GroupStats>;
    by_agent_count: Record<string, GroupStats>;
    latency_histogram: string;
    suspect: boolean;
    suspect_reasons: string[];
  };
  results: RunResult[];
  /** One per sweep cell (agents × messages × topology × interval), its repeats merged. */
  cells: CellStats[];
  config: TopologyConfigReport;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export function runResult(run: RunMeasurement): RunResult {
  const { counters } = run.recorder;
  const total = run.recorder.steps.get(TOTAL_STEP)!;
  const latency = summarizeHistogram(total.latency.ok);
  const errorsByClass = Object.fromEntries([...run.recorder.errors].map(([errorClass, bucket]) => [errorClass, bucket.count]));
  const examples = [...run.recorder.errors.values()].flatMap((bucket) => bucket.examples.slice(0, 2).map((e) => e.message));
  return {
    agent_count: run.agentCount,
    message_count: run.messageCount,
    topology: run.topology,
    message_interval_ms: run.intervalMs,
    repeat: run.repeat,
    // A run succeeds when every ping it was to send came back answered.
    success: !run.stoppedEarly && counters.ok === run.messageCount && counters.errors === 0 && counters.dropped === 0 && counters.interrupted === 0,
    throughput_msg_per_sec: run.durationS > 0 ? round(counters.ok / run.durationS, 2) : 0,
    avg_latency_ms: latency.mean_ms,
    p50_latency_ms: latency.p50_ms,
    p95_latency_ms: latency.p95_ms,
    p99_latency_ms: latency.p99_ms,
    duration_sec: round(run.durationS),
    edge_count: run.edgeCount,
    scheduled: counters.scheduled,
    sent: counters.started,
    answered: counters.ok,
    errors: counters.errors,
    errors_by_class: errorsByClass,
    error_examples: examples.slice(0, 5),
    dropped: counters.dropped,
    interrupted: counters.interrupted,
    max_latency_ms: latency.max_ms,
    reconnects: run.events.reconnects,
    picked_up: run.events.pickedUp,
    misdelivered: run.events.misdelivered,
    unanswered: run.events.unanswered,
    latency_histogram: encodeHistogram(total.latency.ok),
    health: run.health,
    suspect: run.health.suspect,
    suspect_reasons: run.health.suspect_reasons,
    stopped_early: run.stoppedEarly ?? null,
  };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

/** A group's stats: throughput over its runs, latency from the merge of their histograms. */
export function groupStats(runs: readonly RunResult[]): GroupStats {
  const merged: Histogram = createHistogram();
  const errorsByClass: Record<string, number> = {};
  for (const run of runs) {
    merged.add(decodeHistogram(run.latency_histogram));
    addCounts(errorsByClass, run.errors_by_class);
  }
  const throughputs = runs.map((r) => r.throughput_msg_per_sec);
  const latency = summarizeHistogram(merged);
  const sum = (pick: (r: RunResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
  return {
    runs: runs.length,
    avg_throughput: runs.length ? round(throughputs.reduce((a, b) => a + b, 0) / runs.length, 2) : 0,
    max_throughput: runs.length ? Math.max(...throughputs) : 0,
    min_throughput: runs.length ? Math.min(...throughputs) : 0,
    scheduled: sum((r) => r.scheduled),
    answered: sum((r) => r.answered),
    errors: sum((r) => r.errors),
    errors_by_class: errorsByClass,
    dropped: sum((r) => r.dropped),
    misdelivered: sum((r) => r.misdelivered),
    reconnects: sum((r) => r.reconnects),
    avg_latency_ms: latency.mean_ms,
    p50_latency_ms: latency.p50_ms,
    p95_latency_ms: latency.p95_ms,
    p99_latency_ms: latency.p99_ms,
    max_latency_ms: latency.max_ms,
    latency_histogram: encodeHistogram(merged),
  };
}

function groupBy<K extends string | number>(runs: readonly RunResult[], key: (r: RunResult) => K): Map<K, RunResult[]> {
  const groups = new Map<K, RunResult[]>();
  for (const run of runs) {
    const k = key(run);
    groups.set(k, [...(groups.get(k) ?? []), run]);
  }
  return groups;
}

export interface ReportInput {
  router: string;
  startedAt: string;
  endedAt: string;
  stoppedEarly?: string;
  setup: TopologyReport['setup'];
  results: RunResult[];
  config: TopologyConfigReport;
}

export function buildTopologyReport(input: ReportInput): TopologyReport {
  const { results } = input;
  const all = groupStats(results);
  const { runs: _runs, ...totals } = all;
  const suspectReasons = results.flatMap((r) => r.suspect_reasons.map((reason) => `${r.topology} ${r.agent_count} agents ${r.message_count} messages ${r.message_interval_ms} ms #${r.repeat}: ${reason}`));
  const cells = [...groupBy(results, (r) => `${r.agent_count}/${r.message_count}/${r.topology}/${r.message_interval_ms}`).values()].map((runs): CellStats => ({
    agent_count: runs[0]!.agent_count,
    message_count: runs[0]!.message_count,
    topology: runs[0]!.topology,
    message_interval_ms: runs[0]!.message_interval_ms,
    ...groupStats(runs),
  }));
  return {
    kind: 'agtest-topology-report',
    schema_version: TOPOLOGY_REPORT_SCHEMA_VERSION,
    router: input.router,
    started_at: input.startedAt,
    ended_at: input.endedAt,
    stopped_early: input.stoppedEarly ?? null,
    setup: input.setup,
    summary: {
      total_runs: results.length,
      successful: results.filter((r) => r.success).length,
      failed: results.filter((r) => !r.success).length,
      ...totals,
      avg_latency_ms: all.avg_latency_ms,
      max_latency_ms: all.max_latency_ms,
      by_topology: Object.fromEntries([...groupBy(results, (r) => r.topology)].map(([k, runs]) => [k, groupStats(runs)])),
      by_agent_count: Object.fromEntries([...groupBy(results, (r) => r.agent_count)].map(([k, runs]) => [String(k), groupStats(runs)])),
      suspect: suspectReasons.length > 0,
      suspect_reasons: suspectReasons,
    },
    results,
    cells,
    config: input.config,
  };
}
