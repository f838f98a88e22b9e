import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { loadReportProblems, mergeLoadCommand, runLoadCommand, type LoadFlags, type LoadReport } from '../../load/index.js';
import { execa } from 'execa';
import { CLI, runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';
import { startLoadServer, type LoadServer } from '../helpers/load-server.js';

let server: LoadServer;
t.before(async () => {
  server = await startLoadServer();
});
t.teardown(() => server.close());

const readReport = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as LoadReport;

t.test('thresholds set the exit code through the real CLI, and the failed one is named', async (t) => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'met.json');
    const met = await runCli(['load', '--url', `${server.url}/ok`, '--vus', '2', '-n', '50', '-t', 'p99(total) < 5s', '-t', 'errors.rate < 1%', '-t', 'ok == 50', '-o', out]);
    t.equal(met.exitCode, 0, met.stderr);
    t.match(met.stdout, /✓ p99\(total\) < 5s/);
    const report = await readReport(out);
    t.same(loadReportProblems(report), [], 'the written report validates');
    t.equal(report.summary.ok, 50);
    t.same(report.thresholds.map((x) => x.ok), [true, true, true]);

    const failed = await runCli(['load', '--url', `${server.url}/500`, '--rate', '50', '--duration', '400ms', '-t', 'p99(total) < 5s', '-t', 'errors.rate < 1%', '-o', join(dir, 'failed.json'), '--junit', join(dir, 'junit.xml'), '--html', join(dir, 'report.html')]);
    t.equal(failed.exitCode, 1, 'a threshold not met exits 1');
    t.match(failed.stdout, /✗ errors\.rate < 1% \(measured 1\)/, 'names the failed threshold and the measured value');
    t.match(failed.stdout, /http-status 20 {2}e\.g\. GET .*\/500 answered 500/);
    // No successful sample to measure: the latency threshold fails too, with that reason.
    t.same((await readReport(join(dir, 'failed.json'))).thresholds.map((x) => [x.threshold, x.ok, x.reason]), [
      ['p99(total) < 5s', false, 'no successful total samples to measure'],
      ['errors.rate < 1%', false, 'measured 1'],
    ]);
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    t.match(junit, /tests="3" failures="2"/, 'one case per threshold, plus the generator case');
    t.match(junit, /<testcase [^>]*name="errors.rate &#60; 1%"[^>]*><failure message="errors.rate &#60; 1%: measured 1"\/>/);
    t.match(await readFile(join(dir, 'report.html'), 'utf8'), /<svg id="latency-over-time"/);
  });
});

t.test('a load config is validated with its key paths; flags override it; bad input exits 2', async (t) => {
  await withTempDir(async (dir) => {
    const config = join(dir, 'load.json');
    await writeFile(config, JSON.stringify({ scenario: 'http', http: { url: `${server.url}/ok`, endpoints: [{ method: 'GET 1', path: '/ok' }] }, load: { vus: 0, iterations: 5, colour: 'red' } }));
    const bad = await runCli(['load', '-c', config]);
    t.equal(bad.exitCode, 2);
    t.match(bad.stderr, /http\.endpoints\[0\]\.method must match pattern/);
    t.match(bad.stderr, /load\.vus must be >= 1/);
    t.match(bad.stderr, /load has an unknown key "colour"/);
    t.match(bad.stderr, /AGTEST_LOAD_CONFIG_INVALID/);

    await writeFile(config, JSON.stringify({ scenario: 'http', http: { url: `${server.url}/ok` }, load: { vus: 2, iterations: 10 }, thresholds: ['ok == 10'] }));
    const good = await runCli(['load', '-c', config, '--json']);
    t.equal(good.exitCode, 0, good.stderr);
    const report = JSON.parse(good.stdout) as LoadReport;
    t.same(loadReportProblems(report), []);
    t.same(report.config['thresholds'], ['ok == 10']);
    // The same command in-process (runLoadCommand is what the CLI calls; a throw is its exit 2).
    const run = async (flags: LoadFlags) => {
      let stdout = '';
      const sink = { write: (chunk: string) => ((stdout += chunk), true) } as unknown as NodeJS.WritableStream;
      const code = await runLoadCommand(flags, { json: true }, { stdout: sink, stderr: sink }).catch((error: Error & { code?: string }) => error);
      return { code, report: typeof code === 'number' ? (JSON.parse(stdout) as LoadReport) : undefined };
    };
    const overridden = await run({ config, iterations: 12 });
    t.equal(overridden.code, 1, 'the flag overrode the count, so ok == 10 fails');
    t.equal(overridden.report?.summary.ok, 12);
    t.match(await run({ url: `${server.url}/ok`, vus: 2, rate: 10, iterations: 1 }), { code: { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /--vus is the closed model, --rate and --stages the open one/ } });
    const stages = await run({ url: `${server.url}/ok`, rate: 0, stages: '300ms:100,300ms:100' });
    t.equal(stages.code, 0);
    t.equal(stages.report?.summary.scheduled, 45, 'ramp 0→100/s over 0.3 s (15) then 100/s for 0.3 s (30)');
    t.match(await run({ scenario: 'nope', iterations: 1 }), { code: { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /scenario "nope" is unknown; known: http/ } });
    t.match(await run({ url: `${server.url}/ok`, iterations: 1, threshold: ['p99 < 5%'] }), { code: { message: /thresholds\[0\]: threshold "p99 < 5%": a latency takes a time unit/ } });
    t.match(await run({ url: `${server.url}/ok`, iterations: 1, stages: '5s' }), { code: { message: /--stages is DURATION:RATE/ } });
    const remote = await runCli(['load', '--url', 'http://192.0.2.1/', '-n', '1']);
    t.equal(remote.exitCode, 2, 'a non-loopback target is refused');
    t.match(remote.stderr, /loopback only .*--allow-remote.*192\.0\.2\.1/);
    const help = await runCli(['load', '--help']);
    t.match(help.stdout, /--rate/);
    // yargs wraps at the terminal width, inside words too.
    t.match(help.stdout.replace(/\n/g, ''), /Exit codes: 0 every threshold met, 1 one is not, 2 harness failure/);
  });
});

t.test('shards through the CLI, merged: counts add up and thresholds are checked once', async (t) => {
  await withTempDir(async (dir) => {
    const files = [join(dir, 's1.json'), join(dir, 's2.json')];
    const runs = await Promise.all(files.map((file, i) => runCli(['load', '--url', `${server.url}/ok`, '--vus', '2', '-n', '41', '--shard', `${i + 1}/2`, '-t', 'ok == 41', '-o', file])));
    t.same(runs.map((r) => r.exitCode), [1, 1], 'each shard alone fails ok == 41 (it ran its slice)');
    const shards = await Promise.all(files.map(readReport));
    t.same(shards.map((r) => r.summary.ok), [21, 20]);
    t.same(shards.map((r) => r.shard), [{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    const merged = await runCli(['load', 'merge', ...files, '-o', join(dir, 'merged.json')]);
    t.equal(merged.exitCode, 0, `merge meets the config's threshold: ${merged.stdout}${merged.stderr}`);
    const report = await readReport(join(dir, 'merged.json'));
    t.same(loadReportProblems(report), []);
    t.equal(report.summary.ok, 41);
    t.equal(report.steps.find((s) => s.name === 'total')?.latency_ms.count, 41);
    t.same(report.merged_from, files);
    t.equal(report.health.length, 2, 'each generator keeps its health');
    // The rest in-process (mergeLoadCommand is what the CLI calls; a throw is its exit 2).
    let stdout = '';
    const io = { stdout: { write: (chunk: string) => ((stdout += chunk), true) } as unknown as NodeJS.WritableStream, stderr: process.stderr };
    t.equal(await mergeLoadCommand(files, ['ok == 40'], {}, io), 1);
    t.match(stdout, /✗ ok == 40 \(measured 41\)/);
    await t.rejects(mergeLoadCommand([files[0]!, files[0]!], undefined, {}, io), { code: 'AGTEST_LOAD_REPORT_INVALID', message: /both shard 1\/2/ });
    await writeFile(join(dir, 'junk.json'), '{"schema_version": 1}');
    await t.rejects(mergeLoadCommand([join(dir, 'junk.json')], undefined, {}, io), { message: /junk\.json is not a load report .*report must have "kind"/ });
  });
});

t.test('a suspect run says so in the summary and the report', async (t) => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'r.json');
    const run = await runCli(['load', '--url', `${server.url}/ok`, '--vus', '1', '--duration', '400ms', '--think', '5ms', '--max-loop-p99', '0us', '-o', out]);
    t.equal(run.exitCode, 0, 'suspect is not a threshold');
    t.match(run.stdout, /SUSPECT: the generator could not drive this load properly: event-loop delay p99 .* > 0 ms/);
    const report = await readReport(out);
    t.equal(report.suspect, true);
    t.match(report.suspect_reasons[0], /event-loop delay/);
  });
});

t.test('Ctrl-C stops the run: the report is written with what was measured, exit 2', async (t) => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'r.json');
    const child = execa(process.execPath, [CLI, 'load', '--url', `${server.url}/ok`, '--vus', '2', '--think', '10ms', '--duration', '60s', '-o', out], { reject: false, env: { NO_COLOR: '1' } });
    // Signal once the load is flowing (the CLI's start-up time varies with the machine's load).
    const before = server.requests;
    for (let waited = 0; server.requests < before + 20 && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    const result = await child;
    t.equal(result.exitCode, 2, result.stderr);
    const report = await readReport(out);
    t.match(report.stopped_early, /SIGINT/);
    t.ok(report.summary.ok > 0, `what ran is reported (${report.summary.ok} ok)`);
    t.ok(report.duration_s < 10, 'it stopped at once');
    t.same(loadReportProblems(report), []);
  });
});

t.test('the example load config is valid', async (t) => {
  const { planLoad, readLoadConfig } = await import('../../load/index.js');
  const plan = planLoad(await readLoadConfig(new URL('../../examples/load/http.json', import.meta.url).pathname), 'examples/load/http.json');
  t.match(plan.model, { type: 'open', maxInFlight: 200, maxStartDelayMs: 100, stages: [{ durationMs: 5000, target: 200 }, { durationMs: 20000, target: 200 }, { durationMs: 5000, target: 0 }] });
  t.same(plan.scenario.steps, ['health', 'echo']);
  t.equal(plan.thresholds.length, 3);
});
