import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { topologyReportProblems, type TopologyReport } from '../../load/index.js';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

t.test("the README's agtest load topology --quick command, as written there, runs against the built-in reference mediator", async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('npx agtest load topology --quick'));
  t.ok(line, 'the README has the command');
  const args = [...line!.replace(/^npx agtest /, '').matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  await withTempDir(async (dir) => {
    const result = await runCli(args.map((arg) => (arg === 'results.json' || arg === 'topology.html' ? join(dir, arg) : arg)));
    t.equal(result.exitCode, 0, result.stderr);
    t.match(result.stdout, /agents 5,10 × messages 50,100 × star,mesh,ring/);
    t.match(result.stdout, /runs: 12, 12 successful, 0 failed; pings answered 900 of 900/);
    for (const topology of ['star', 'mesh', 'ring']) t.match(result.stdout, new RegExp(`\\n${topology} +4 `), `the ${topology} row`);
    const report = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as TopologyReport;
    t.same(topologyReportProblems(report), [], 'the report validates against its schema');
    t.same(Object.keys(report).filter((k) => ['summary', 'results', 'config'].includes(k)), ['summary', 'results', 'config'], "the seed's three parts");
    t.match(await readFile(join(dir, 'topology.html'), 'utf8'), /<svg id="throughput-by-topology"/);
  });
});
