import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createHistogram, decodeHistogram, runTopologyCommand, summarizeHistogram, topologyReportProblems, type TopologyReport } from '../../load/index.js';
import { startReferenceAgent } from '../../reference-agent/index.js';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

// Ring: with 4 agents in 2 shards (even numbers in one, odd in the other) every edge crosses shards.
const SWEEP = ['--agents', '4', '--messages', '20', '--topologies', 'star,ring', '--intervals', '20', '--timeout', '3s'];
const read = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as TopologyReport;

t.test('two shards as two processes against one reference mediator: cross-shard pings answered, merged into one valid report whose counts are the sums', async (t) => {
  const mediator = await startReferenceAgent({ transport: 'ws' });
  t.teardown(() => mediator.close());
  await withTempDir(async (dir) => {
    const shardDir = join(dir, 'meet');
    const shard = (i: number) => runCli(['load', 'topology', ...SWEEP, '--router', mediator.backchannel, '--shard', `${i}/2`, '--shard-dir', shardDir, '--shard-wait', '30s', '-o', join(dir, `s${i}.json`)]);
    const [one, two] = await Promise.all([shard(1), shard(2)]);
    t.equal(one.exitCode, 0, one.stderr);
    t.equal(two.exitCode, 0, two.stderr);
    const parts = [await read(join(dir, 's1.json')), await read(join(dir, 's2.json'))];
    for (const [i, part] of parts.entries()) {
      t.same(topologyReportProblems(part), [], `shard ${i + 1}'s report validates`);
      t.same(part.shard, { index: i + 1, count: 2 });
      t.equal(part.setup.agents, 2, 'each shard set up its half of the agents');
    }
    // Star: pairs 0→1, 1→0, 0→2, 2→0, 0→3, 3→0 over and over; agents 0 and 2 are shard 1's, so of 20 pings it sends 13,
    // shard 2 (agents 1 and 3) 7. Ring: every agent sends 5, so 10 each, and every ring edge crosses the shards.
    for (const [topology, counts] of [['star', [13, 7]], ['ring', [10, 10]]] as const) {
      const runs = parts.map((p) => p.results.find((r) => r.topology === topology)!);
      t.same(runs.map((r) => r.scheduled), counts, `${topology}: each shard sent the pings of its own agents`);
      t.same(runs.map((r) => r.answered), counts, `${topology}: every ping answered, across shards too`);
    }

    const merged = join(dir, 'merged.json');
    const merge = await runCli(['load', 'merge', join(dir, 's1.json'), join(dir, 's2.json'), '-o', merged]);
    t.equal(merge.exitCode, 0, merge.stderr);
    t.match(merge.stdout, /runs: 2, 2 successful, 0 failed; pings answered 40 of 40/);
    const report = await read(merged);
    t.same(topologyReportProblems(report), [], 'the merged report validates against the schema');
    t.equal(report.shard, undefined);
    t.same(report.merged_from, [join(dir, 's1.json'), join(dir, 's2.json')]);
    t.equal(report.setup.agents, 4);
    for (const run of report.results) {
      const from = parts.map((p) => p.results.find((r) => r.topology === run.topology)!);
      t.equal(run.answered, from[0]!.answered + from[1]!.answered, `${run.topology}: answered is the sum`);
      t.equal(run.scheduled, run.message_count, `${run.topology}: together the shards sent every ping of the run`);
      t.ok(run.success);
      // Percentiles of the merged run come from the merge of the shards' histograms, not from their averages.
      const both = createHistogram();
      for (const part of from) both.add(decodeHistogram(part.latency_histogram));
      t.equal(run.p99_latency_ms, summarizeHistogram(both).p99_ms, `${run.topology}: p99 from the merged histogram`);
    }
    t.equal(report.summary.answered, 40);
    t.equal(report.summary.by_topology['ring']!.answered, 20);

    // What would not add up is refused, named (exit 2).
    const alone = await runCli(['load', 'merge', join(dir, 's1.json')]);
    t.equal(alone.exitCode, 2);
    t.match(alone.stderr, /shard 2\/2 missing/);
    const twice = await runCli(['load', 'merge', join(dir, 's1.json'), join(dir, 's1.json')]);
    t.equal(twice.exitCode, 2);
    t.match(twice.stderr, /are both shard 1\/2/);

    // The meeting directory is the run's own: a second run in it is refused before it starts.
    const stale = await runCli(['load', 'topology', ...SWEEP, '--router', mediator.backchannel, '--shard', '1/2', '--shard-dir', shardDir]);
    t.equal(stale.exitCode, 2);
    t.match(stale.stderr, /is already there: a sharded sweep needs a fresh --shard-dir/);
  });
});

t.test('a shard that never shows up: the other stops at the wait bound, exit 2 naming the missing shard and the point', async (t) => {
  const mediator = await startReferenceAgent({ transport: 'ws' });
  t.teardown(() => mediator.close());
  await withTempDir(async (dir) => {
    const started = Date.now();
    const run = await runCli(['load', 'topology', ...SWEEP, '--router', mediator.backchannel, '--shard', '1/2', '--shard-dir', join(dir, 'meet'), '--shard-wait', '1s']);
    t.equal(run.exitCode, 2, run.stderr);
    t.match(run.stderr, /AGTEST_LOAD_SHARD_MISSING/);
    t.match(run.stderr, /shard 1\/2: shard 2\/2 did not reach "setup" within 1000 ms/);
    t.ok(Date.now() - started < 30_000, 'bounded');
  });
});

t.test('shard flags that cannot work are refused before anything starts', async (t) => {
  const io = { stdout: process.stdout, stderr: process.stderr };
  await t.rejects(runTopologyCommand({ agents: '4', messages: '2', shard: '1/2', shardDir: '/tmp/x' }, io), { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /--shard needs --router/ });
  await t.rejects(runTopologyCommand({ agents: '4', messages: '2', shard: '1/2', router: 'http://127.0.0.1:9/' }, io), { message: /--shard needs --shard-dir/ });
  await t.rejects(runTopologyCommand({ agents: '4', messages: '2', shard: '3/2' }, io), { message: /--shard: a shard is i\/N/ });
  await t.rejects(runTopologyCommand({ agents: '2', messages: '2', shard: '1/3', router: 'http://127.0.0.1:9/', shardDir: '/tmp/x' }, io), { message: /3 shards need at least 3 agents/ });
  await t.rejects(runTopologyCommand({ agents: '4', messages: '2', shardDir: '/tmp/x' }, io), { message: /give --shard i\/N too/ });
  const help = await runCli(['load', 'topology', '--help']);
  for (const flag of ['--shard ', '--shard-dir', '--shard-wait']) t.match(help.stdout, flag);
  const mergeHelp = await runCli(['load', 'merge', '--help']);
  t.match(mergeHelp.stdout, /agtest load topology sweep/);
});
