import t from 'tap';
import {
  applyThresholds,
  buildReport,
  createHttpScenario,
  decodeHistogram,
  loadReportProblems,
  measurementsFromRecorder,
  mergeReports,
  parseThreshold,
  runLoad,
  summarizeHistogram,
  type LoadReport,
  type LoadRunResult,
} from '../../load/index.js';
import { Recorder } from '../../load/engine/recorder.js';
import { startLoadServer } from '../helpers/load-server.js';

const reportOf = (result: LoadRunResult, shard: { index: number; count: number } | null = null): LoadReport =>
  buildReport({ scenario: 'http', config: { scenario: 'http' }, shard, mergedFrom: null, startedAt: result.startedAt, endedAt: result.endedAt, durationS: result.elapsedS, measurements: measurementsFromRecorder(result.recorder), health: [result.health] });

/** A recorder fed with known samples, as the engine would (µs since the start). */
function recorderWith(samples: readonly [index: number, latencyUs: number, serviceUs: number, failed: boolean][]): Recorder {
  const recorder = new Recorder(['step']);
  for (const [index, latency, service, failed] of samples) {
    const intended = index * 1000;
    const actual = intended + (latency - service);
    recorder.scheduled();
    recorder.iterationStarted(intended, actual);
    recorder.step('step', failed ? 'error' : 'ok', latency, service);
    recorder.iterationEnded(index, intended, actual, intended + latency, failed ? { errorClass: 'timeout', message: `#${index}`, step: 'step' } : undefined);
  }
  return recorder;
}

const health = { bounds: { maxEventLoopP99Ms: 50, maxCpuPercent: 90 }, event_loop: { p50_ms: 0, p99_ms: 0, max_ms: 0, mean_ms: 0, utilization: 0.1 }, generator: { cpu_percent_mean: 1, cpu_percent_max: 1, rss_mb_max: 1, heap_mb_max: 1 }, watched: [], host: { cpus: 2, loadavg_1m_max: 0, free_mb_min: 1, total_mb: 1 }, samples: [], suspect: false, suspect_reasons: [] };
const fromRecorder = (recorder: Recorder, shard: { index: number; count: number } | null) =>
  buildReport({ scenario: 'http', config: { scenario: 'http' }, shard, mergedFrom: null, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:10.000Z', durationS: 10, measurements: measurementsFromRecorder(recorder), health: [health] });

t.test('a merge of shard reports equals one report of all the samples: counts, histograms, percentiles', async (t) => {
  // 4000 samples spread over 4 shards (index mod 4), heavy-tailed so the percentiles differ per shard.
  const samples = Array.from({ length: 4000 }, (_, i) => {
    const latency = 200 + ((i * 7919) % 5000) + (i % 97 === 0 ? 900_000 + i * 10 : 0);
    return [i, latency, Math.max(1, latency - (i % 13) * 50), i % 50 === 0] as [number, number, number, boolean];
  });
  const one = fromRecorder(recorderWith(samples), { index: 1, count: 1 });
  const shards = [0, 1, 2, 3].map((s) => fromRecorder(recorderWith(samples.filter(([i]) => i % 4 === s)), { index: s + 1, count: 4 }));
  // Through JSON, as files would be.
  const merged = mergeReports(shards.map((report, i) => ({ name: `shard${i + 1}.json`, report: JSON.parse(JSON.stringify(report)) as LoadReport })));
  t.same(loadReportProblems(merged), [], 'the merged report validates');
  // max_in_flight of a merge is the sum of the shards' maxima (they ran side by side), so it is left out here.
  const { max_in_flight: _a, ...mergedSummary } = merged.summary;
  const { max_in_flight: _b, ...oneSummary } = one.summary;
  t.same(mergedSummary, oneSummary, 'summary: counts, rates and percentiles equal');
  t.same(merged.steps.map((s) => [s.name, s.ok, s.errors, s.latency_ms, s.service_ms, s.error_latency_ms]), one.steps.map((s) => [s.name, s.ok, s.errors, s.latency_ms, s.service_ms, s.error_latency_ms]), 'every step equal');
  for (const [i, step] of merged.steps.entries()) {
    for (const key of ['latency_ok', 'latency_error', 'service_ok', 'service_error'] as const) {
      const a = decodeHistogram(step.histograms[key]);
      const b = decodeHistogram(one.steps[i]!.histograms[key]);
      t.equal(a.totalCount, b.totalCount, `${step.name} ${key}: same count`);
      const same = [0, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100].every((p) => a.getValueAtPercentile(p) === b.getValueAtPercentile(p));
      t.ok(same, `${step.name} ${key}: same value at every percentile`);
    }
  }
  t.equal(merged.summary.ok + merged.summary.errors, 4000);
  t.equal(merged.errors[0]?.count, 80, 'error counts add up');
  t.same(merged.timeseries.map((s) => [s.t_s, s.ok, s.errors, s.p99_ms]), one.timeseries.map((s) => [s.t_s, s.ok, s.errors, s.p99_ms]), 'per-second series equal');
  // The fault a merge must not make: averaging the shards' percentiles gives another p99.
  const averaged = shards.reduce((sum, r) => sum + r.summary.latency_ms.p99_ms, 0) / shards.length;
  t.not(averaged, merged.summary.latency_ms.p99_ms, `averaged p99 (${averaged}) differs from the true p99 (${merged.summary.latency_ms.p99_ms})`);

  t.throws(() => mergeReports([{ name: 'a', report: shards[0]! }, { name: 'b', report: shards[0]! }]), { code: 'AGTEST_LOAD_REPORT_INVALID', message: /both shard 1\/4/ }, 'the same shard twice is refused');
  t.throws(() => mergeReports([{ name: 'a', report: shards[0]! }, { name: 'b', report: { ...shards[1]!, scenario: 'oob-flow' } }]), { message: /different scenarios/ });
});

t.test('reports of real runs validate against the published schema; a broken one names its key path', async (t) => {
  const server = await startLoadServer();
  t.teardown(() => server.close());
  const result = await runLoad({ scenario: createHttpScenario({ url: server.url, endpoints: [{ path: '/ok' }, { path: '/500', expect: [200] }] }), model: { type: 'open', rate: 100, maxInFlight: 10, maxStartDelayMs: 0 }, durationMs: 300, timeoutMs: 2000 });
  const report = reportOf(result, { index: 1, count: 1 });
  t.same(loadReportProblems(JSON.parse(JSON.stringify(report))), [], 'valid');
  t.equal(report.steps.length, 3, 'two steps and total');
  t.equal(report.errors[0]?.class, 'http-status');
  const broken = JSON.parse(JSON.stringify(report)) as { summary: Partial<LoadReport['summary']>; steps: LoadReport['steps']; schema_version: number };
  delete broken.summary.ok;
  broken.steps[0]!.histograms.latency_ok = 'not base64!';
  broken.schema_version = 2;
  const problems = loadReportProblems(broken);
  t.ok(problems.some((p) => p === 'report.summary must have "ok"'), problems.join('\n'));
  t.ok(problems.some((p) => p.startsWith('report.steps[0].histograms.latency_ok')));
  t.ok(problems.some((p) => p.startsWith('report.schema_version')));
});

t.test('thresholds: parsed, met and not met, the failed one named', async (t) => {
  const recorder = recorderWith(Array.from({ length: 100 }, (_, i) => [i, (i + 1) * 1000, (i + 1) * 500, i >= 98] as [number, number, number, boolean]));
  recorder.dropped(5);
  const report = fromRecorder(recorder, null);
  // ok latencies are 1..98 ms; 2 errors of 100; 1 dropped of 100 scheduled.
  const cases: [string, boolean][] = [
    ['p99(total) < 100ms', true],
    ['p99(total) < 90ms', false],
    ['p50 <= 50ms', true],
    ['p50(step, service) < 30ms', true],
    ['p50(step) < 30ms', false],
    ['max(total) < 0.1s', true],
    ['errors.rate < 1%', false],
    ['errors.rate < 3%', true],
    ['errors < 3%', true],
    ['errors == 2', true],
    ['errors.timeout == 0', false],
    ['errors.refused == 0', true],
    ['dropped == 0', false],
    ['dropped.rate < 1%', false],
    ['dropped <= 1', true],
    ['p99(nosuch) < 1s', false],
  ];
  for (const [text, expected] of cases) {
    const ok = applyThresholds(report, [parseThreshold(text)]);
    t.equal(ok, expected, `${text} → ${expected ? 'met' : 'not met'} (${report.thresholds[0]?.actual})`);
  }
  t.equal(applyThresholds(report, [parseThreshold('p99 < 1s'), parseThreshold('dropped == 0')]), false);
  t.same(report.thresholds.filter((r) => !r.ok).map((r) => r.threshold), ['dropped == 0'], 'the failed threshold is named');
  t.match(applyThresholds(report, [parseThreshold('p99(nosuch) < 1s')]) || report.thresholds[0]!.reason, /no step nosuch/);
  for (const bad of ['p99 < 5%', 'errors.rate < 5ms', 'latency < 5', 'p99(total) 5ms', 'dropped.count < 1%']) t.throws(() => parseThreshold(bad), { code: 'AGTEST_LOAD_CONFIG_INVALID' }, `refused: ${bad}`);
});

t.test('the per-second series and the start lag come from histograms too', async (t) => {
  const recorder = recorderWith([
    [0, 5000, 5000, false],
    [1500, 7000, 2000, false],
  ]);
  const report = fromRecorder(recorder, null);
  t.same(report.timeseries.map((s) => s.t_s), [0, 1], 'one bucket per second of completion');
  t.equal(summarizeHistogram(decodeHistogram(report.timeseries[1]!.histogram)).count, 1);
  t.ok(Math.abs(report.start_lag.summary_ms.max_ms - 5) < 0.01, `the second sample started 5 ms late (${report.start_lag.summary_ms.max_ms}, 3 significant digits)`);
});
