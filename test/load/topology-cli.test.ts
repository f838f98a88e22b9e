import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { runTopologyCommand, topologyReportProblems, type TopologyReport } from '../../load/index.js';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

async function findChromium(): Promise<string | undefined> {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = await execa('which', [name], { reject: false });
    if (found.exitCode === 0) return found.stdout.trim();
  }
  return undefined;
}

const SMALL = ['--agents', '3,4', '--messages', '10', '--topologies', 'star,mesh,hierarchical', '--intervals', '20', '--timeout', '3s'];

t.test('agtest load topology through the real CLI: the per-topology summary, a valid JSON report, an HTML report with its two charts', async (t) => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'results.json');
    const html = join(dir, 'report.html');
    const run = await runCli(['load', 'topology', ...SMALL, '--output', out, '--html', html]);
    t.equal(run.exitCode, 0, run.stderr);
    t.match(run.stdout, /agtest load topology {2}built-in reference mediator/);
    t.match(run.stdout, /runs: 6, 6 successful, 0 failed; pings answered 60 of 60, 0 errors, 0 dropped/);
    t.match(run.stdout, /^topology +runs +msg\/s avg/m);
    t.match(run.stdout, /^star +2 /m);
    t.match(run.stdout, /^hierarchical +2 /m);
    t.match(run.stdout, /^agents +runs/m);
    const report = JSON.parse(await readFile(out, 'utf8')) as TopologyReport;
    t.same(topologyReportProblems(report), [], 'the written report validates');
    t.same(report.config.agent_counts, [3, 4]);

    const page = await readFile(html, 'utf8');
    t.match(page, /<svg id="throughput-by-topology"/);
    t.match(page, /<svg id="p99-by-agent-count"/);
    t.notMatch(page, /\b(src|href)=["']?(https?:)?\/\//, 'no external resource');
    const chromium = await findChromium();
    if (!chromium) {
      t.pass('render check in Chromium', { skip: 'chromium is not installed (apt-get install chromium): the render check did not run' });
      return;
    }
    const dump = (file: string) => execa(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--dump-dom', `file://${file}`], { timeout: 60_000, reject: false });
    const dom = await dump(html);
    t.equal(dom.exitCode, 0, dom.stderr.slice(-500));
    // Three bars (one per topology) and three p99 lines (one per topology).
    const drawn = page.match(/class="series"/g)?.length ?? 0;
    t.equal(drawn, 6, 'six series drawn');
    t.equal(Number(/data-rendered-series="(\d+)"/.exec(dom.stdout)?.[1]), drawn, 'every drawn series laid out with a size in Chromium');
    // A page whose chart is broken does not pass the same check.
    const broken = join(dir, 'broken.html');
    await writeFile(broken, page.replace(/<svg id="throughput-by-topology"[\s\S]*?<\/svg>/, '<svg id="throughput-by-topology"><path class="series" d="M0,0"/>'));
    t.notMatch((await dump(broken)).stdout, /data-rendered-series="6"/, 'a broken page is caught');
  });
});

t.test('lost messages set exit 1 and are named; bad flags and routers exit 2 naming the problem', async (t) => {
  const lost = await runCli(['load', 'topology', '--agents', '3', '--messages', '6', '--topologies', 'star', '--intervals', '20', '--timeout', '300ms', '--fault', 'forward-drop', '--json']);
  t.equal(lost.exitCode, 1, lost.stderr);
  const report = JSON.parse(lost.stdout) as TopologyReport;
  t.same(report.summary.errors_by_class, { timeout: 6 });
  t.equal(report.summary.failed, 1);

  // Flag errors, in-process (the CLI turns any AgtestError into exit 2, as the router case below shows).
  const io = { stdout: process.stdout, stderr: process.stderr };
  await t.rejects(runTopologyCommand({ topologies: 'star,cube' }, io), { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /--topologies: unknown cube; known: star, mesh, ring, line, hierarchical/ });
  await t.rejects(runTopologyCommand({ quick: true, agents: '3' }, io), { message: /give --quick or --agents\/--messages, not both/ });
  await t.rejects(runTopologyCommand({ agents: '3,x' }, io), { message: /--agents takes integers, comma-separated/ });
  await t.rejects(runTopologyCommand({ agents: '1', messages: '5' }, io), { message: /--agents takes integers of at least 2/ });
  await t.rejects(runTopologyCommand({ agents: '3', messages: '5', repeat: 0 }, io), { message: /--repeat takes integers of at least 1/ });
  const router = await runCli(['load', 'topology', '--router', 'ws://127.0.0.1:9/', '--agents', '2', '--messages', '1']);
  t.equal(router.exitCode, 2);
  t.match(router.stderr, /AGTEST_LOAD_ROUTER_FAILED/);
  t.match(router.stderr, /a WebSocket endpoint alone names no key to reach the mediator with: give its invitation URL/);

  const help = await runCli(['load', 'topology', '--help']);
  t.equal(help.exitCode, 0);
  for (const flag of ['--router', '--agents', '--messages', '--topologies', '--intervals', '--repeat', '--fanout', '--quick', '--output']) t.match(help.stdout, flag);
});
