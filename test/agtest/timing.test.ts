import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { formatTiming, type RunSummary } from '../../agtest/index.js';
import type { InteropProfile } from '../../profiles/index.js';
import { processesWithMark, runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

t.test('agtest run --timing says where the time went; every test that ran has its duration in the profile', (t) =>
  withTempDir(async (dir) => {
    const out = join(dir, 'out');
    // trust_ping.1_0.passive has a silence window (silent-when-not-requested) and runs in the run's connection.
    const result = await runCli(['run', '--only', 'trust_ping.1_0.passive', '--out', out, '--timing']);
    t.equal(result.exitCode, 0, String(result.stderr));
    const stdout = String(result.stdout);
    t.match(stdout, /^Where the time went \(run \d+\.\d s\):$/m);
    for (const stage of ['(agtest start)', 'agent start', 'adapter start', 'preflight', 'tests', 'stop']) {
      t.match(stdout, new RegExp(`^  ${stage.replace(/[()]/g, '\\$&')} +\\d+ ms$`, 'm'), `the ${stage} stage is timed`);
    }
    const row = /^ {4}trust_ping\.1_0\.passive +(\d+) +(\d+) ms +(\d+) ms +(\d+) ms +(\d+) ms$/m.exec(stdout);
    t.ok(row, `a row for the junction: ${stdout}`);
    const [tests, wall, agact, silence, connect] = (row ?? []).slice(1).map(Number) as [number, number, number, number, number];
    t.equal(tests, 3, 'its 3 tests ran');
    t.ok(silence >= 500, `its one silence window (500 ms for the reference agent) is counted: ${silence} ms`);
    t.ok(agact > 0 && connect > 0, 'its agact calls and the connection step are counted');
    t.ok(wall >= silence + agact + connect - 5, 'they are parts of its wall time');
    const profile = JSON.parse(await readFile(join(out, 'profile.json'), 'utf8')) as InteropProfile;
    const results = profile.results ?? [];
    t.equal(results.length, 3);
    for (const r of results) t.ok(typeof r.durationMs === 'number' && r.durationMs > 0, `${r.test} has its duration (${r.durationMs} ms)`);
    t.same(await processesWithMark(result.mark), [], 'nothing left running');
  }),
);

t.test('with --json the profile stays alone on stdout and the timing goes to stderr', (t) =>
  withTempDir(async (dir) => {
    const result = await runCli(['run', '--only', 'trust_ping.1_0.passive.responds', '--out', join(dir, 'out'), '--json', '--timing']);
    t.equal(result.exitCode, 0, String(result.stderr));
    const profile = JSON.parse(String(result.stdout)) as InteropProfile;
    t.equal(profile.results?.[0]?.status, 'pass');
    t.match(String(result.stderr), /Where the time went/);
  }),
);

t.test('formatTiming prints each stage in order and sums the junctions', (t) => {
  const summary = {
    durationMs: 2_345,
    timing: {
      stages: [
        { name: 'adapter start', ms: 100 },
        { name: 'tests', ms: 2_000 },
        { name: 'stop', ms: 45 },
      ],
      junctions: [
        { junction: 'a.passive', tests: 2, ms: 1_500, agactMs: 20, silenceMs: 1_000, connectMs: 0 },
        { junction: 'b.active', tests: 1, ms: 500, agactMs: 30, silenceMs: 0, connectMs: 200 },
      ],
    },
  } satisfies Pick<RunSummary, 'timing' | 'durationMs'>;
  const text = formatTiming(summary);
  t.match(text, /^Where the time went \(run 2\.3 s\):\n {2}adapter start +100 ms\n {2}tests +2000 ms\n/);
  t.ok(text.indexOf('a.passive') < text.indexOf('b.active') && text.indexOf('b.active') < text.indexOf('stop'), 'junctions inside the tests stage, in order');
  t.match(text, /tests' own time 2\.0 s: agact calls 0\.1 s, silence windows 1\.0 s, connection step 0\.2 s/);
  t.end();
});
