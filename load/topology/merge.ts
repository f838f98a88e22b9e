/**
 * The shards of one sharded sweep as one report (`agtest load merge` on topology reports): each
 * run's counts added up, its latency from the merge of the shards' histograms (never averaged
 * percentiles), its duration the longest shard's (they ran side by side), and the summary and
 * groups rebuilt from those runs as for an unsharded sweep.
 */
import { AgtestError } from '../../common/index.js';
import { createHistogram, decodeHistogram, encodeHistogram, summarizeHistogram } from '../engine/histogram.js';
import type { HealthReport } from '../health/monitor.js';
import { buildTopologyReport, type RunResult, type TopologyReport } from './report.js';
import { topologyReportProblems } from './validate.js';

export interface NamedTopologyReport {
  name: string;
  report: TopologyReport;
}

const invalid = (message: string): never => {
  throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', message);
};

const runKey = (r: RunResult) => `${r.topology} ${r.agent_count} agents ${r.message_count} messages ${r.message_interval_ms} ms #${r.repeat}`;
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The shards' health as one: the busiest generator's figures, every shard's suspect reasons (named). */
function mergeHealth(parts: readonly { shard: number; health: HealthReport }[]): HealthReport {
  const busiest = parts.reduce((a, b) => (b.health.event_loop.p99_ms > a.health.event_loop.p99_ms ? b : a));
  const reasons = parts.flatMap((p) => p.health.suspect_reasons.map((reason) => `shard ${p.shard}: ${reason}`));
  return { ...busiest.health, watched: parts.flatMap((p) => p.health.watched), suspect: reasons.length > 0, suspect_reasons: reasons };
}

function mergeRun(parts: readonly { shard: number; run: RunResult }[]): RunResult {
  const runs = parts.map((p) => p.run);
  const first = runs[0]!;
  const sum = (pick: (r: RunResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const histogram = createHistogram();
  const errorsByClass: Record<string, number> = {};
  for (const run of runs) {
    histogram.add(decodeHistogram(run.latency_histogram));
    for (const [key, count] of Object.entries(run.errors_by_class)) errorsByClass[key] = (errorsByClass[key] ?? 0) + count;
  }
  const latency = summarizeHistogram(histogram);
  const durationS = Math.max(...runs.map((r) => r.duration_sec));
  const answered = sum((r) => r.answered);
  const stopped = parts.filter((p) => p.run.stopped_early).map((p) => `shard ${p.shard}: ${p.run.stopped_early}`);
  const health = mergeHealth(parts.map((p) => ({ shard: p.shard, health: p.run.health })));
  return {
    ...first,
    // Every shard's slice answered, and together they are every ping of the run.
    success: runs.every((r) => r.success) && answered === first.message_count,
    throughput_msg_per_sec: durationS > 0 ? round(answered / durationS, 2) : 0,
    avg_latency_ms: latency.mean_ms,
    p50_latency_ms: latency.p50_ms,
    p95_latency_ms: latency.p95_ms,
    p99_latency_ms: latency.p99_ms,
    max_latency_ms: latency.max_ms,
    duration_sec: durationS,
    scheduled: sum((r) => r.scheduled),
    sent: sum((r) => r.sent),
    answered,
    errors: sum((r) => r.errors),
    errors_by_class: errorsByClass,
    error_examples: runs.flatMap((r) => r.error_examples).slice(0, 5),
    dropped: sum((r) => r.dropped),
    interrupted: sum((r) => r.interrupted),
    reconnects: sum((r) => r.reconnects),
    picked_up: sum((r) => r.picked_up),
    misdelivered: sum((r) => r.misdelivered),
    unanswered: sum((r) => r.unanswered),
    latency_histogram: encodeHistogram(histogram),
    health,
    suspect: health.suspect,
    suspect_reasons: health.suspect_reasons,
    stopped_early: stopped.length ? stopped.join('; ') : null,
  };
}

/**
 * One report from every shard of a sweep. Refuses what would not add up: an invalid report, one
 * that is no shard, shards of different sweeps, a shard twice or missing, a run some shard lacks.
 */
export function mergeTopologyReports(reports: readonly NamedTopologyReport[]): TopologyReport {
  if (reports.length === 0) invalid('nothing to merge');
  for (const { name, report } of reports) {
    const problems = topologyReportProblems(report);
    if (problems.length > 0) invalid(`${name} is not a valid topology report: ${problems.slice(0, 3).join('; ')}`);
    if (!report.shard) invalid(`${name} is not a shard's report (no "shard"): only the shards of one sharded sweep (--shard i/N) add up`);
  }
  const count = reports[0]!.report.shard!.count;
  const config = JSON.stringify(reports[0]!.report.config);
  const byShard = new Map<number, string>();
  for (const { name, report } of reports) {
    if (report.shard!.count !== count) invalid(`${name} is shard ${report.shard!.index}/${report.shard!.count}, ${reports[0]!.name} one of ${count}: not one sweep`);
    if (JSON.stringify(report.config) !== config) invalid(`${name} ran another sweep (its config differs from ${reports[0]!.name}'s)`);
    const seen = byShard.get(report.shard!.index);
    if (seen) invalid(`${name} and ${seen} are both shard ${report.shard!.index}/${count}: merging would count its pings twice`);
    byShard.set(report.shard!.index, name);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byShard.has(i));
  if (missing.length > 0) invalid(`shard${missing.length > 1 ? 's' : ''} ${missing.map((m) => `${m}/${count}`).join(', ')} missing: the merge would leave out their agents' pings`);
  const runs = new Map<string, { shard: number; run: RunResult }[]>();
  for (const { report } of reports) for (const run of report.results) runs.set(runKey(run), [...(runs.get(runKey(run)) ?? []), { shard: report.shard!.index, run }]);
  for (const [key, parts] of runs) if (parts.length !== count) invalid(`run ${key} is in ${parts.length} of the ${count} shards (a shard stopped early?)`);
  const all = reports.map((r) => r.report);
  const stopped = reports.filter((r) => r.report.stopped_early).map((r) => `${r.name}: ${r.report.stopped_early}`);
  const agents = all.reduce((n, r) => n + r.setup.agents, 0);
  const perAgent = (pick: (r: TopologyReport) => number) => round(all.reduce((n, r) => n + pick(r) * r.setup.agents, 0) / Math.max(1, agents), 1);
  return buildTopologyReport({
    router: all[0]!.router,
    startedAt: all.map((r) => r.started_at).sort()[0]!,
    endedAt: all.map((r) => r.ended_at).sort().at(-1)!,
    ...(stopped.length ? { stoppedEarly: stopped.join('; ') } : {}),
    mergedFrom: reports.map((r) => r.name),
    setup: { agents, duration_s: Math.max(...all.map((r) => r.setup.duration_s)), heap_kb_per_agent: perAgent((r) => r.setup.heap_kb_per_agent), rss_kb_per_agent: perAgent((r) => r.setup.rss_kb_per_agent) },
    results: [...runs.values()].map(mergeRun),
    config: all[0]!.config,
  });
}
