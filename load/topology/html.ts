/**
 * The self-contained HTML report of a topology sweep: the per-topology and per-agent-count tables,
 * a throughput-by-topology bar chart, a p99-by-agent-count line chart (one line per topology,
 * each point from the merged histograms of that topology's runs at that count), and every run.
 */
import { createHistogram, decodeHistogram, summarizeHistogram } from '../engine/histogram.js';
import { lineChart } from '../report/svg-chart.js';
import { barChart } from './bar-chart.js';
import type { GroupStats, TopologyReport } from './report.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const COLORS = ['#2b7bb9', '#e08a00', '#27ae60', '#8e44ad', '#c0392b', '#16a085'];
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function groupRows(groups: Record<string, GroupStats>): string {
  return Object.entries(groups)
    .map(([name, g]) => `<tr><th>${escape(name)}</th><td>${g.runs}</td><td>${g.avg_throughput}</td><td>${g.min_throughput}</td><td>${g.max_throughput}</td>${g.answered ? [g.p50_latency_ms, g.p95_latency_ms, g.p99_latency_ms].map((v) => `<td>${fmt(v)}</td>`).join('') : '<td colspan="3">–</td>'}<td>${g.answered}</td><td>${g.errors}</td><td>${g.dropped}</td></tr>`)
    .join('');
}

const GROUP_HEAD = '<tr><th></th><th>runs</th><th>msg/s avg</th><th>min</th><th>max</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>answered</th><th>errors</th><th>dropped</th></tr>';

/** p99 per (topology, agent count), from the merged histograms of those runs. */
function p99Series(report: TopologyReport) {
  return report.config.topologies.map((topology, i) => {
    const points = report.config.agent_counts
      .map((count): [number, number] | undefined => {
        const runs = report.results.filter((r) => r.topology === topology && r.agent_count === count);
        const merged = createHistogram();
        for (const run of runs) merged.add(decodeHistogram(run.latency_histogram));
        return merged.totalCount > 0 ? [count, summarizeHistogram(merged).p99_ms] : undefined;
      })
      .filter((p): p is [number, number] => p !== undefined);
    return { name: topology, color: COLORS[i % COLORS.length]!, points };
  });
}

export function renderTopologyHtml(report: TopologyReport): string {
  const s = report.summary;
  const charts = [
    barChart({ id: 'throughput-by-topology', title: 'Throughput by topology (mean of the runs, answered pings per second)', yLabel: 'msg/s', bars: Object.entries(s.by_topology).map(([name, g], i) => ({ label: name, value: g.avg_throughput, color: COLORS[i % COLORS.length]! })) }),
    lineChart({ id: 'p99-by-agent-count', title: 'p99 latency by agent count (merged histograms per topology)', xLabel: 'agents', yLabel: 'ms', series: p99Series(report), xTicks: report.config.agent_counts.map((n) => ({ at: n, label: String(n) })) }),
  ];
  const runs = report.results
    .map((r) => `<tr class="${r.success ? 'ok' : 'fail'}"><th>${escape(r.topology)}</th><td>${r.agent_count}</td><td>${r.message_count}</td><td>${r.message_interval_ms}</td><td>${r.repeat}</td><td>${r.throughput_msg_per_sec}</td><td>${fmt(r.p50_latency_ms)}</td><td>${fmt(r.p95_latency_ms)}</td><td>${fmt(r.p99_latency_ms)}</td><td>${r.answered}</td><td>${escape(Object.entries(r.errors_by_class).map(([k, v]) => `${k} ${v}`).join(', ') || '0')}</td><td>${r.dropped}</td><td>${r.suspect ? 'suspect' : ''}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agtest load topology: ${escape(report.router)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{text-align:left}
.suspect{background:#fff3cd;border:1px solid #e0a800;padding:8px}tr.fail{color:#b02a37}
.chart{display:block;margin:12px 0}.chart .title{font-weight:600}.chart .grid{stroke:#eee}.chart .tick,.chart .legend,.chart .axis{font-size:11px;fill:#555}
</style></head><body>
<h1>agtest load topology</h1>
<p>${escape(report.router)}: ${escape(report.started_at)} – ${escape(report.ended_at)}; ${report.setup.agents} virtual agents mediated in ${report.setup.duration_s} s${report.stopped_early ? `. <strong>Stopped early: ${escape(report.stopped_early)}</strong>` : ''}</p>
${s.suspect ? `<p class="suspect" id="suspect"><strong>Suspect runs:</strong> ${s.suspect_reasons.slice(0, 10).map(escape).join('; ')}</p>` : ''}
<p id="totals">${s.total_runs} runs, ${s.successful} successful, ${s.failed} failed; ${s.answered} of ${s.scheduled} pings answered, ${s.errors} errors, ${s.dropped} dropped, ${s.misdelivered} misdelivered, ${s.reconnects} reconnects.</p>
<h2>By topology</h2><table id="by-topology">${GROUP_HEAD}${groupRows(s.by_topology)}</table>
<h2>By agent count</h2><table id="by-agent-count">${GROUP_HEAD}${groupRows(s.by_agent_count)}</table>
<h2>Charts</h2>
${charts.join('\n')}
<h2>Runs</h2>
<table id="runs"><tr><th>topology</th><th>agents</th><th>messages</th><th>interval ms</th><th>repeat</th><th>msg/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>answered</th><th>errors</th><th>dropped</th><th></th></tr>${runs}</table>
<script>
// For a headless check that the charts laid out: how many drawn series have a size.
document.documentElement.dataset.renderedSeries = String([...document.querySelectorAll('svg.chart path.series')].filter((p) => p.getBBox().width > 0 || p.getBBox().height > 0).length);
</script>
</body></html>
`;
}
