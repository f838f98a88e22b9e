/**
 * The generated JMX, proven by running it: JMeter (Debian's `jmeter` + `jmeter-http`) in non-GUI
 * mode against a loopback server; the requests must arrive as the plan says. Skipped, with the
 * reason, where JMeter is not installed (.ci/run installs it).
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startLoadServer } from '../helpers/load-server.js';
import { startHarness } from './helpers.js';

const JMETER_JAR = '/usr/share/jmeter/bin/ApacheJMeter.jar';
const HTTP_JAR = '/usr/share/jmeter/lib/ext/ApacheJMeter_http.jar';
const launcher = fileURLToPath(new URL('./fixtures/JmeterLauncher.java', import.meta.url));
const installed = existsSync(JMETER_JAR) && existsSync(HTTP_JAR);

/**
 * Set once plain `jmeter -n` refused a JMX for XStream's sake: that is the installed JMeter, not the
 * plan, so the later runs go straight to the launcher instead of paying a JVM start to fail again.
 */
let plainRefusesEveryJmx = false;
/**
 * The launcher compiled once for the file (`java Launcher.java` compiles the source on every run,
 * ~1.4 s of CPU each); undefined where javac is missing or fails: then each run launches the source.
 */
let launcherClasses: Promise<string | undefined> | undefined;

function compiledLauncher(): Promise<string | undefined> {
  launcherClasses ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agtest-jmeter-launcher-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const compiled = await execa('javac', ['-cp', JMETER_JAR, '-d', dir, launcher], { reject: false, timeout: 60_000 });
    return compiled.exitCode === 0 ? dir : undefined;
  })();
  return launcherClasses;
}

/** Runs `jmeter -n`; falls back to the launcher when Debian's XStream refuses every JMX (see the launcher). */
async function runJmeter(dir: string, jmx: string, properties: string[]) {
  const args = ['-n', '-t', jmx, '-l', join(dir, 'results.jtl'), '-j', join(dir, 'jmeter.log'), ...properties.map((p) => `-J${p}`)];
  if (!plainRefusesEveryJmx) {
    const plain = await execa('jmeter', args, { reject: false, timeout: 60_000, cwd: dir });
    if (!/ForbiddenClassException/.test(plain.all ?? `${plain.stdout}${plain.stderr}`)) return { ...plain, via: 'jmeter' };
    plainRefusesEveryJmx = true;
  }
  const classes = await compiledLauncher();
  const java = classes ? ['-cp', `${JMETER_JAR}:${classes}`, 'JmeterLauncher'] : ['-cp', JMETER_JAR, launcher];
  const fixed = await execa('java', ['-Djmeter.home=/usr/share/jmeter', ...java, ...args], { reject: false, timeout: 60_000, cwd: dir });
  return { ...fixed, via: 'launcher (Debian jmeter 2.13 + xstream 1.4.20 refuse every JMX)' };
}

t.test('the generated JMX runs in JMeter and its requests arrive: both endpoints, the body, the headers, the users', { skip: installed ? false : `JMeter is not installed (${JMETER_JAR}, ${HTTP_JAR}): apt-get install -y --no-install-recommends jmeter jmeter-http` }, async (t) => {
  const arrived: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const record = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      arrived.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.end('ok');
    });
  };
  const target = await startLoadServer({ '/search': record, '/login': record });
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  const accepted = await h.call('POST', '/requests', {
    requestId: 'jmx',
    sourceAgentId: 'a',
    taskType: 'generate_script',
    taskDescription: `Log in then search on ${target.url} with 2 users for 3 seconds, 1 second ramp-up, think time 50 ms`,
    targetDetails: {
      apiEndpoints: [
        { method: 'POST', path: '/login', requestBody: { user: 'ann & bob', note: '<hi>' }, headers: { Authorization: 'Bearer jmx-secret', 'X-Trace': 'a&b' } },
        { method: 'GET', path: '/search?q=red+shoes&page=2' },
      ],
    },
  });
  t.equal(accepted.status, 202, JSON.stringify(accepted.body));
  await h.waitFor('jmx', ['completed']);
  const { jmx, plan } = (await h.call('GET', '/requests/jmx/result')).body.result;
  t.same([plan.virtualUsers, plan.durationSeconds, plan.rampUpSeconds, plan.thinkTimeMillis], [2, 3, 1, 50], 'read from the description');

  const dir = h.dir;
  const file = join(dir, 'plan.jmx');
  await writeFile(file, jmx);
  const started = Date.now();
  const run = await runJmeter(dir, file, ['agtest.header.authorization=Bearer jmx-secret']);
  const tookMs = Date.now() - started;
  t.comment(`JMeter via ${run.via}: exit ${run.exitCode} in ${tookMs} ms; ${arrived.length} requests arrived`);
  t.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  t.match(run.stdout, /Created the tree successfully/);

  const logins = arrived.filter((r) => r.method === 'POST' && r.url === '/login');
  const searches = arrived.filter((r) => r.method === 'GET' && r.url === '/search?q=red+shoes&page=2');
  t.ok(logins.length > 0 && searches.length > 0, 'both samplers sent requests, with the query intact');
  t.equal(logins.length + searches.length, arrived.length, 'nothing else was sent');
  t.ok(Math.abs(logins.length - searches.length) <= 2, 'one sampler after the other, each iteration');
  t.same(JSON.parse(logins[0]!.body), { user: 'ann & bob', note: '<hi>' }, 'the JSON body, escaped in the XML, arrives as it was');
  t.equal(logins[0]!.headers['content-type'], 'application/json');
  t.equal(logins[0]!.headers['x-trace'], 'a&b');
  t.equal(logins[0]!.headers['authorization'], 'Bearer jmx-secret', 'the secret header comes from the -J property, not from the JMX');
  t.notMatch(jmx, /jmx-secret/);

  const jtl = (await readFile(join(dir, 'results.jtl'), 'utf8')).trim().split('\n').filter((line) => !line.startsWith('timeStamp'));
  t.equal(jtl.length, arrived.length, 'JMeter recorded every request it sent');
  const threads = new Set(jtl.map((line) => line.split(',')[5]));
  t.equal(threads.size, 2, 'two virtual users (threads)');
  t.ok(jtl.every((line) => line.split(',')[7] === 'true'), 'every sample succeeded');
  t.ok(tookMs < 30_000);

  // The same results, analysed: analyze_results reads the JTL into the same summary as an agtest report.
  await h.call('POST', '/requests', { requestId: 'jtl', sourceAgentId: 'a', taskType: 'analyze_results', taskDescription: 'analyse the JMeter run', analysisInput: { jtlCsv: await readFile(join(dir, 'results.jtl'), 'utf8') } });
  await h.waitFor('jtl', ['completed']);
  const { summary } = (await h.call('GET', '/requests/jtl/result')).body.result;
  t.equal(summary.source, 'jmeter-jtl');
  t.equal(summary.requests, arrived.length);
  t.equal(summary.errors, 0);
  t.same(summary.steps.map((s: { name: string }) => s.name).sort(), ['GET /search?q=red+shoes&page=2', 'POST /login', 'total']);
  t.equal(summary.passed, true);
});

t.test('a broken JMX is refused by JMeter and sends nothing (the check above can fail)', { skip: installed ? false : 'JMeter is not installed' }, async (t) => {
  const target = await startLoadServer();
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  await h.call('POST', '/requests', { requestId: 'b', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: `GET /ok?a=1&b=2 on ${target.url} with 1 user for 2 seconds` });
  await h.waitFor('b', ['completed']);
  const { jmx } = (await h.call('GET', '/requests/b/result')).body.result;
  t.match(jmx, /\/ok\?a=1&amp;b=2/, 'the generator escapes the &');
  const file = join(h.dir, 'broken.jmx');
  await writeFile(file, jmx.replace('&amp;', '&'));
  const run = await runJmeter(h.dir, file, []);
  t.match(`${run.stdout}${run.stderr}`, /Error in NonGUIDriver/, 'JMeter cannot load the unescaped one');
  t.equal(target.requests, 0);
});

t.test('JMeter writes an XML JTL (output_format=xml); analyze_results reads it to the same counts as the requests that arrived', { skip: installed ? false : 'JMeter is not installed' }, async (t) => {
  const arrivedAt = { ok: 0, failing: 0 };
  const target = await startLoadServer({
    '/ok': (_, res) => {
      arrivedAt.ok += 1;
      res.end('ok');
    },
    '/500': (_, res) => {
      arrivedAt.failing += 1;
      res.statusCode = 500;
      res.end('boom');
    },
  });
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  await h.call('POST', '/requests', { requestId: 'x', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: `GET /ok then GET /500 on ${target.url} with 2 users for 5 seconds, think time 100 ms` });
  await h.waitFor('x', ['completed']);
  const { jmx } = (await h.call('GET', '/requests/x/result')).body.result;
  const file = join(h.dir, 'plan.jmx');
  await writeFile(file, jmx);
  const run = await runJmeter(h.dir, file, ['jmeter.save.saveservice.output_format=xml']);
  t.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  const xml = await readFile(join(h.dir, 'results.jtl'), 'utf8');
  t.match(xml, /^<\?xml[^]*<testResults version="1\.2">/, 'an XML JTL');
  await h.call('POST', '/requests', { requestId: 'xa', sourceAgentId: 'a', taskType: 'analyze_results', taskDescription: 'analyse', analysisInput: { jtlXml: xml } });
  const done = await h.waitFor('xa', ['completed', 'error']);
  t.equal(done.status, 'completed', done.error);
  const { summary } = (await h.call('GET', '/requests/xa/result')).body.result;
  // How many iterations JMeter fits in its 5 s depends on how fast the JVM starts on a loaded
  // machine: the counts are compared with what arrived, not with a fixed number.
  t.comment(`JMeter via ${run.via}: ${arrivedAt.ok} + ${arrivedAt.failing} requests arrived; summary ${summary.requests} (${summary.errors} errors)`);
  t.ok(arrivedAt.ok > 0);
  t.equal(summary.requests, arrivedAt.ok + arrivedAt.failing, 'one sample per request that arrived');
  t.equal(summary.errors, arrivedAt.failing, 'the 500s, and only they, are the errors');
  t.ok(summary.steps.every((s: { name: string }) => ['GET /500', 'GET /ok', 'total'].includes(s.name)), 'the samplers\' labels');
  t.same(summary.errorsByClass.map((e: { class: string }) => e.class), arrivedAt.failing > 0 ? ['http-status'] : []);
});
