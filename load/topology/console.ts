/** The readable summary of a topology sweep: per topology, then per agent count, then each run. */
import type { ChalkInstance } from 'chalk';
import type { GroupStats, TopologyReport } from './report.js';

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const pad = (text: string | number, width: number) => String(text).padStart(width);

function table(title: string, groups: Record<string, GroupStats>, c: ChalkInstance): string[] {
  const width = Math.max(title.length, ...Object.keys(groups).map((k) => k.length));
  const lines = [c.dim(`${title.padEnd(width)}${pad('runs', 6)}${pad('msg/s avg', 11)}${pad('min', 9)}${pad('max', 9)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('p99 ms', 9)}${pad('answered', 10)}${pad('errors', 8)}${pad('dropped', 9)}`)];
  for (const [name, g] of Object.entries(groups)) {
    const errors = g.errors > 0 ? c.red(pad(g.errors, 8)) : pad(g.errors, 8);
    const dropped = g.dropped > 0 ? c.yellow(pad(g.dropped, 9)) : pad(g.dropped, 9);
    const latency = g.answered > 0 ? `${pad(fmt(g.p50_latency_ms), 9)}${pad(fmt(g.p95_latency_ms), 9)}${pad(fmt(g.p99_latency_ms), 9)}` : `${pad('-', 9)}${pad('-', 9)}${pad('-', 9)}`;
    lines.push(`${c.bold(name.padEnd(width))}${pad(g.runs, 6)}${pad(g.avg_throughput, 11)}${pad(g.min_throughput, 9)}${pad(g.max_throughput, 9)}${latency}${pad(g.answered, 10)}${errors}${dropped}`);
  }
  return lines;
}

export function formatTopologySummary(report: TopologyReport, c: ChalkInstance): string {
  const s = report.summary;
  const cfg = report.config;
  const lines = [
    `${c.bold('agtest load topology')}  ${report.router}`,
    c.dim(`agents ${cfg.agent_counts.join(',')} × messages ${cfg.message_counts.join(',')} × ${cfg.topologies.join(',')} × interval ${cfg.message_intervals_ms.join(',')} ms × ${cfg.repeat_count} repeat(s); ${report.setup.agents} agents mediated in ${report.setup.duration_s} s`),
  ];
  if (report.stopped_early) lines.push(c.yellow(`stopped early: ${report.stopped_early}`));
  const failed = s.failed > 0 ? c.red(`${s.failed} failed`) : '0 failed';
  lines.push(`runs: ${s.total_runs}, ${c.green(`${s.successful} successful`)}, ${failed}; pings answered ${s.answered} of ${s.scheduled}, ${s.errors} errors, ${s.dropped} dropped`);
  if (s.misdelivered > 0) lines.push(c.red(`misdelivered: ${s.misdelivered} envelopes reached an agent they were not for (the mediator delivered to the wrong client)`));
  if (s.reconnects > 0) lines.push(c.yellow(`reconnects: ${s.reconnects} (agents whose socket dropped came back and picked up what was queued)`));
  lines.push('');
  lines.push(...table('topology', s.by_topology, c), '', ...table('agents', s.by_agent_count, c));
  const classes = Object.entries(s.errors_by_class);
  if (classes.length > 0) {
    lines.push('', c.bold('errors'));
    for (const [errorClass, count] of classes) {
      const example = report.results.find((r) => r.errors_by_class[errorClass])?.error_examples[0];
      lines.push(`  ${c.red(errorClass)} ${count}${example ? `  e.g. ${example}` : ''}`);
    }
  }
  lines.push('', c.dim('p50/p95/p99: latency from the intended send to the ping_response, from the merged histograms of the runs'));
  if (s.suspect) lines.push(c.yellow(`SUSPECT: the generator could not drive some runs properly: ${s.suspect_reasons.slice(0, 3).join('; ')}${s.suspect_reasons.length > 3 ? ` (+${s.suspect_reasons.length - 3} more)` : ''}`));
  return lines.join('\n');
}
