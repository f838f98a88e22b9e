/** The readable summary of a load report (chalk; plain when the stream is not a TTY or NO_COLOR). */
import type { ChalkInstance } from 'chalk';
import type { LatencySummary } from '../engine/histogram.js';
import type { LoadReport } from './report.js';

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const pad = (text: string, width: number) => text.padStart(width);
const cells = (s: LatencySummary) => [s.p50_ms, s.p90_ms, s.p99_ms, s.p99_9_ms, s.max_ms].map((v) => pad(s.count ? fmt(v) : '-', 8)).join('');

function describeModel(config: Record<string, unknown>): string {
  const load = (config['load'] ?? {}) as Record<string, unknown>;
  const model = load['model'] === 'open' ? `open ${String(load['rate'] ?? 0)}/s${Array.isArray(load['stages']) && load['stages'].length ? ` (${load['stages'].length} stages)` : ''}, max ${String(load['max_in_flight'] ?? 1000)} in flight` : `closed ${String(load['vus'])} VUs`;
  const end = load['iterations'] !== undefined ? `${String(load['iterations'])} iterations` : load['duration'] !== undefined ? String(load['duration']) : '';
  return [model, end].filter(Boolean).join(', ');
}

export function formatLoadSummary(report: LoadReport, c: ChalkInstance): string {
  const lines: string[] = [];
  const s = report.summary;
  const where = report.merged_from ? ` merged from ${report.merged_from.length} reports` : report.shard && report.shard.count > 1 ? ` shard ${report.shard.index}/${report.shard.count}` : '';
  lines.push(`${c.bold(`agtest load: ${report.scenario}`)}  ${describeModel(report.config)}  ${report.duration_s.toFixed(1)} s${where}`);
  if (report.stopped_early) lines.push(c.yellow(`stopped early: ${report.stopped_early}`));
  const errors = s.errors > 0 ? c.red(`${s.errors} errors (${(s.error_rate * 100).toFixed(2)}%)`) : '0 errors';
  const dropped = s.dropped > 0 ? c.yellow(`${s.dropped} dropped`) : '0 dropped';
  lines.push(`iterations: ${s.completed} completed, ${c.green(`${s.ok} ok`)}, ${errors}, ${dropped}, ${s.interrupted} interrupted; ${s.throughput_per_s}/s; max ${s.max_in_flight} in flight`);
  lines.push('');
  const width = Math.max(5, ...report.steps.map((step) => step.name.length));
  lines.push(c.dim(`${'step'.padEnd(width)}  ${pad('ok', 7)}${pad('err', 6)}${pad('p50', 8)}${pad('p90', 8)}${pad('p99', 8)}${pad('p99.9', 8)}${pad('max', 8)}   latency from intended start, ms`));
  for (const step of report.steps) {
    const name = step.name === 'total' ? c.bold(step.name.padEnd(width)) : step.name.padEnd(width);
    lines.push(`${name}  ${pad(String(step.ok), 7)}${pad(String(step.errors), 6)}${cells(step.latency_ms)}`);
  }
  lines.push(`${c.dim('service'.padEnd(width))}  ${pad('', 13)}${cells(s.service_ms)}   ${c.dim('total, from the actual start')}`);
  if (report.start_lag.summary_ms.count > 0) lines.push(c.dim(`start lag (actual − intended start): p99 ${fmt(report.start_lag.summary_ms.p99_ms)} ms, max ${fmt(report.start_lag.summary_ms.max_ms)} ms`));
  if (report.errors.length > 0) {
    lines.push('', c.bold('errors'));
    for (const error of report.errors) lines.push(`  ${c.red(error.class)} ${error.count}${error.examples[0] ? `  e.g. ${error.examples[0].message}` : ''}`);
  }
  lines.push('');
  for (const [i, h] of report.health.entries()) {
    const who = report.health.length > 1 ? `generator ${i + 1}` : 'generator';
    const watched = h.watched.map((w) => `; ${w.role}s: ${w.processes}, CPU max ${w.cpu_percent_max}%, memory max ${w.memory_mb_max} MB`).join('');
    lines.push(c.dim(`${who}: CPU ${h.generator.cpu_percent_mean}% of a core (max ${h.generator.cpu_percent_max}%), event-loop p99 ${h.event_loop.p99_ms} ms, busy ${Math.round(h.event_loop.utilization * 100)}%, RSS max ${h.generator.rss_mb_max} MB; host ${h.host.cpus} CPUs, load ${h.host.loadavg_1m_max}${watched}`));
  }
  if (report.suspect) lines.push(c.yellow(`SUSPECT: the generator could not drive this load properly: ${report.suspect_reasons.join('; ')}`));
  if (report.thresholds.length > 0) {
    lines.push('', c.bold('thresholds'));
    for (const t of report.thresholds) lines.push(`  ${t.ok ? c.green('✓') : c.red('✗')} ${t.threshold}${t.actual === null ? '' : c.dim(` (measured ${t.actual})`)}${t.ok || !t.reason || t.actual !== null ? '' : c.red(`: ${t.reason}`)}`);
  }
  return lines.join('\n');
}
