import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { buildReport, createHttpScenario, measurementsFromRecorder, renderHtmlReport, runLoad } from '../../load/index.js';
import { withTempDir } from '../helpers/reference-run.js';
import { startLoadServer } from '../helpers/load-server.js';

/** Debian's chromium package (apt-get install chromium). */
const CHROMIUM = ['chromium', 'chromium-browser'];

async function findChromium(): Promise<string | undefined> {
  for (const name of CHROMIUM) {
    const found = await execa('which', [name], { reject: false });
    if (found.exitCode === 0) return found.stdout.trim();
  }
  return undefined;
}

t.test('the HTML report is self-contained and renders its charts in headless Chromium', async (t) => {
  const server = await startLoadServer();
  t.teardown(() => server.close());
  const result = await runLoad({ scenario: createHttpScenario({ url: server.url, endpoints: [{ path: '/ok' }, { path: '/500', expect: [200] }] }), model: { type: 'open', rate: 100, maxInFlight: 10, maxStartDelayMs: 0 }, durationMs: 1200, timeoutMs: 2000 });
  const report = buildReport({ scenario: 'http', config: { scenario: 'http' }, shard: null, mergedFrom: null, startedAt: result.startedAt, endedAt: result.endedAt, durationS: result.elapsedS, measurements: measurementsFromRecorder(result.recorder), health: [result.health] });
  report.thresholds = [{ threshold: 'errors.rate < 1%', ok: false, actual: 1, reason: 'measured 1' }];
  const html = renderHtmlReport(report);
  t.notMatch(html, /\b(src|href)=["']?(https?:)?\/\//, 'no external resource');
  t.match(html, /<svg id="latency-over-time"/);
  t.match(html, /<svg id="percentiles"/);
  t.match(html, /<svg id="throughput"/);
  t.match(html, /<svg id="health-1"/);
  t.match(html, /http-status/);
  t.match(html, /✗ errors\.rate &#60; 1%/, 'the failed threshold, escaped');
  // Escaping: a hostile error message cannot inject markup.
  report.errors[0]!.examples[0]!.message = '<img src=x onerror=alert(1)>';
  t.notMatch(renderHtmlReport(report), /<img src=x/);

  const chromium = await findChromium();
  if (!chromium) {
    t.pass('render check in Chromium', { skip: 'chromium is not installed (apt-get install chromium): the render check did not run' });
    return;
  }
  await withTempDir(async (dir) => {
    const file = join(dir, 'report.html');
    await writeFile(file, html);
    const dom = await execa(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--dump-dom', `file://${file}`], { timeout: 60_000, reject: false });
    t.equal(dom.exitCode, 0, dom.stderr.slice(-500));
    const rendered = /data-rendered-series="(\d+)"/.exec(dom.stdout);
    t.ok(rendered, 'the page ran its check');
    // latency over time (3), throughput (3), health (2); no percentile lines: every iteration failed.
    const drawn = html.match(/class="series"/g)?.length ?? 0;
    t.equal(drawn, 8, 'eight series drawn');
    t.equal(Number(rendered?.[1]), drawn, 'every drawn series laid out with a size');
    t.match(dom.stdout, /<table id="steps">/);

    // A broken page (a chart that never closes its svg) does not pass the same check.
    await writeFile(file, html.replace(/<svg id="throughput"[\s\S]*?<\/svg>/, '<svg id="throughput"><path class="series" d="M0,0"/>').replace('</script>', 'throw 1;</script>'));
    const broken = await execa(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--dump-dom', `file://${file}`], { timeout: 60_000, reject: false });
    t.notMatch(broken.stdout, /data-rendered-series="8"/, 'a broken page is caught');
  });
});
