/**
 * The self-contained HTML report: summary, steps, errors, thresholds, and charts of latency over
 * time, the percentile distribution, throughput and generator health, as inline SVG. No external
 * resource (no network): it opens from a file anywhere.
 */
import { decodeHistogram, type LatencySummary } from '../engine/histogram.js';
import type { LoadReport } from './report.js';
import { lineChart } from './svg-chart.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(3));
/** Percentiles on a log-of-tail axis: 0, 90, 99, 99.9, 99.99 equally spaced. */
const PERCENTILES = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];
const tailX = (p: number) => (p >= 100 ? 5 : Math.min(5, -Math.log10(1 - p / 100)));

function latencyCells(s: LatencySummary): string {
  return s.count === 0 ? '<td colspan="6">–</td>' : [s.p50_ms, s.p90_ms, s.p95_ms, s.p99_ms, s.p99_9_ms, s.max_ms].map((v) => `<td>${fmt(v)}</td>`).join('');
}

function distribution(encoded: string): [number, number][] {
  const histogram = decodeHistogram(encoded);
  if (histogram.totalCount === 0) return [];
  return PERCENTILES.map((p) => [tailX(p), histogram.getValueAtPercentile(p) / 1000]);
}

export function renderHtmlReport(report: LoadReport): string {
  const s = report.summary;
  const total = report.steps.find((step) => step.name === 'total');
  const series = report.timeseries;
  const charts = [
    lineChart({
      id: 'latency-over-time',
      title: 'Latency over time (from the intended start)',
      xLabel: 'seconds since start',
      yLabel: 'ms',
      series: [
        { name: 'p50', color: '#2b7bb9', points: series.map((t) => [t.t_s, t.p50_ms]) },
        { name: 'p99', color: '#e08a00', points: series.map((t) => [t.t_s, t.p99_ms]) },
        { name: 'max', color: '#c0392b', points: series.map((t) => [t.t_s, t.max_ms]) },
      ],
    }),
    lineChart({
      id: 'percentiles',
      title: 'Percentile distribution (total)',
      xLabel: 'percentile',
      yLabel: 'ms',
      xTicks: [0, 90, 99, 99.9, 99.99].map((p) => ({ at: tailX(p), label: `${p}%` })),
      series: total
        ? [
            { name: 'latency', color: '#c0392b', points: distribution(total.histograms.latency_ok) },
            { name: 'service', color: '#2b7bb9', points: distribution(total.histograms.service_ok) },
          ]
        : [],
    }),
    lineChart({
      id: 'throughput',
      title: 'Throughput',
      xLabel: 'seconds since start',
      yLabel: 'per second',
      series: [
        { name: 'ok', color: '#27ae60', points: series.map((t) => [t.t_s, t.ok]) },
        { name: 'errors', color: '#c0392b', points: series.map((t) => [t.t_s, t.errors]) },
        { name: 'dropped', color: '#8e44ad', points: series.map((t) => [t.t_s, t.dropped]) },
      ],
    }),
    ...report.health.map((h, i) =>
      lineChart({
        id: `health-${i + 1}`,
        title: `Generator health${report.health.length > 1 ? ` (shard ${i + 1})` : ''}`,
        xLabel: 'seconds since start',
        yLabel: '% of a core / ms',
        series: [
          { name: 'CPU %', color: '#2b7bb9', points: h.samples.map((x) => [x.t_s, x.cpu_percent]) },
          { name: 'event-loop max ms', color: '#e08a00', points: h.samples.map((x) => [x.t_s, x.event_loop_max_ms]) },
        ],
      }),
    ),
  ];
  const rows = report.steps.map((step) => `<tr><th>${escape(step.name)}</th><td>${step.ok}</td><td>${step.errors}</td>${latencyCells(step.latency_ms)}${latencyCells(step.service_ms)}</tr>`).join('');
  const errors = report.errors
    .map((e) => `<tr><th>${escape(e.class)}</th><td>${e.count}</td><td><ul>${e.examples.map((x) => `<li>#${x.iteration}${x.step ? ` (${escape(x.step)})` : ''} at ${x.at_s} s: ${escape(x.message)}</li>`).join('')}</ul></td></tr>`)
    .join('');
  const thresholds = report.thresholds.map((t) => `<li class="${t.ok ? 'ok' : 'fail'}">${t.ok ? '✓' : '✗'} ${escape(t.threshold)}${t.actual === null ? '' : ` (measured ${t.actual})`}${t.reason && t.actual === null ? `: ${escape(t.reason)}` : ''}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agtest load: ${escape(report.scenario)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{text-align:left}
.suspect{background:#fff3cd;border:1px solid #e0a800;padding:8px}.ok{color:#1e7e34}.fail{color:#b02a37}
.chart{display:block;margin:12px 0}.chart .title{font-weight:600}.chart .grid{stroke:#eee}.chart .tick,.chart .legend,.chart .axis{font-size:11px;fill:#555}
</style></head><body>
<h1>agtest load: ${escape(report.scenario)}</h1>
<p>${escape(report.started_at)} – ${escape(report.ended_at)}, ${report.duration_s} s${report.merged_from ? `, merged from ${report.merged_from.length} reports` : report.shard && report.shard.count > 1 ? `, shard ${report.shard.index}/${report.shard.count}` : ''}${report.stopped_early ? `. <strong>Stopped early: ${escape(report.stopped_early)}</strong>` : ''}</p>
${report.suspect ? `<p class="suspect" id="suspect"><strong>Suspect run:</strong> ${report.suspect_reasons.map(escape).join('; ')}</p>` : ''}
<table id="summary"><tr><th>scheduled</th><th>started</th><th>ok</th><th>errors</th><th>dropped</th><th>interrupted</th><th>per second</th><th>error rate</th></tr>
<tr><td>${s.scheduled}</td><td>${s.started}</td><td>${s.ok}</td><td>${s.errors}</td><td>${s.dropped}</td><td>${s.interrupted}</td><td>${s.throughput_per_s}</td><td>${(s.error_rate * 100).toFixed(2)}%</td></tr></table>
<h2>Steps (ms)</h2>
<table id="steps"><tr><th rowspan="2">step</th><th rowspan="2">ok</th><th rowspan="2">errors</th><th colspan="6">latency from the intended start</th><th colspan="6">service time</th></tr>
<tr>${'<th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th>'.repeat(2)}</tr>${rows}</table>
${thresholds ? `<h2>Thresholds</h2><ul id="thresholds">${thresholds}</ul>` : ''}
${errors ? `<h2>Errors</h2><table id="errors"><tr><th>class</th><th>count</th><th>first examples</th></tr>${errors}</table>` : ''}
<h2>Charts</h2>
${charts.join('\n')}
<script>
// For a headless check that the charts laid out: how many drawn series have a size.
document.documentElement.dataset.renderedSeries = String([...document.querySelectorAll('svg.chart path.series')].filter((p) => p.getBBox().width > 0 || p.getBBox().height > 0).length);
</script>
</body></html>
`;
}
