/** `agtest serve` through the real CLI: keys, the dev key, and kill -9 mid-job then a restart. */
import { execa, type ResultPromise } from 'execa';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { CLI, runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';
import { startLoadServer } from '../helpers/load-server.js';

/** Starts `agtest serve` and resolves once it printed its URL (and the dev key, when it makes one). */
async function startServe(args: string[]) {
  const child = execa(process.execPath, [CLI, 'serve', '--port', '0', ...args], { reject: false, env: { NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match && (args.includes('--no-dev-key') || /AGTEST_KEY=/.test(out))) resolve(match[1]!);
    });
    void child.then((r) => reject(new Error(`agtest serve exited ${r.exitCode}: ${r.stderr}`)));
  });
  return { child: child as ResultPromise, url, stdout: () => out, stderr: () => err, devKey: /AGTEST_KEY=(\S+)/.exec(out)?.[1] };
}

const api = async (url: string, key: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const waitFor = async (what: string, check: () => Promise<boolean> | boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

t.test('kill -9 of agtest serve mid-job, restart: queued jobs run once, the running one is interrupted, its caller told', async (t) => {
  const hits: Record<string, number> = { '/j1': 0, '/j2': 0, '/j3': 0 };
  const count = (path: string) => (_: IncomingMessage, res: ServerResponse) => ((hits[path]! += 1), res.end('ok'));
  const target = await startLoadServer({ '/j1': count('/j1'), '/j2': count('/j2'), '/j3': count('/j3') });
  const hooks: { status: string; sequence: number; requestId: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => (hooks.push(JSON.parse(body)), res.end()));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    await target.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  await withTempDir(async (dir) => {
    const db = join(dir, 'serve.db');
    const added = await runCli(['serve', 'keys', 'add', '--db', db, '--name', 'restart', '--target', '127.0.0.1', '--rate', '600']);
    t.equal(added.exitCode, 0, added.stderr);
    const key = /key: (agk_\S+)/.exec(added.stdout)![1]!;
    const listed = await runCli(['serve', 'keys', 'list', '--db', db]);
    t.match(listed.stdout, /restart {2}active {2}tasks=generate_script,execute_test,generate_and_execute,analyze_results,certify,compare_profiles {2}targets=127\.0\.0\.1 {2}rate=600\/min/);
    t.notOk(listed.stdout.includes(key), 'the list never shows the key');

    const first = await startServe(['--db', db, '--concurrency', '1', '--no-dev-key']);
    const job = (id: string, extra: Record<string, unknown> = {}) => ({ requestId: id, sourceAgentId: 'a', taskType: 'execute_test', taskDescription: 'restart test', targetDetails: { url: target.url, apiEndpoints: [{ path: `/${id}` }] }, performanceParameters: { virtualUsers: 1, durationSeconds: 2, thinkTimeMillis: 20 }, ...extra });
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    for (const id of ['j1', 'j2', 'j3']) t.equal((await api(first.url, key, 'POST', '/requests', job(id, id === 'j1' ? { callbackUrl: hook } : {}))).status, 202);
    await waitFor('j1 to send load', () => hits['/j1']! > 3);
    t.equal((await api(first.url, key, 'GET', '/requests/j2')).body['position'], 1);
    first.child.kill('SIGKILL');
    t.equal((await first.child).signal, 'SIGKILL');
    const j1AtKill = hits['/j1']!;
    t.same([hits['/j2'], hits['/j3']], [0, 0], 'j2 and j3 had not started');

    const second = await startServe(['--db', db, '--concurrency', '1', '--no-dev-key']);
    t.teardown(() => second.child.kill('SIGTERM'));
    await waitFor('j3 to finish', async () => (await api(second.url, key, 'GET', '/requests/j3')).body['status'] === 'completed', 30_000);
    const j1 = (await api(second.url, key, 'GET', '/requests/j1')).body;
    t.equal(j1['status'], 'interrupted');
    t.match(j1['error'], /not run again/);
    t.equal(hits['/j1'], j1AtKill, 'j1 sent nothing after the restart');
    for (const id of ['j2', 'j3']) {
      const result = (await api(second.url, key, 'GET', `/requests/${id}/result`)).body;
      t.equal(result['status'], 'completed');
      t.equal(hits[`/${id}`], result['result'].report.summary.started, `${id} ran once: every request it sent is in its one report`);
    }
    await waitFor('the interrupted callback', () => hooks.some((h) => h.status === 'interrupted'));
    t.same(hooks.map((h) => h.status).filter((s, i, all) => all.indexOf(s) === i), ['queued', 'in_progress', 'interrupted'], "j1's caller was told, in order");
    second.child.kill('SIGTERM');
    const stopped = await second.child;
    t.equal(stopped.exitCode, 0, 'SIGTERM stops it cleanly');
    t.notOk(second.stderr().includes(key), 'the key is never logged');
  });
});

t.test('the dev key works for loopback and only loopback; keys revoke and bad flags are clear', async (t) => {
  await withTempDir(async (dir) => {
    const db = join(dir, 'serve.db');
    const serve = await startServe(['--db', db, '--public-url', 'https://gateway.example:9443/']);
    t.teardown(() => serve.child.kill('SIGTERM'));
    t.match(serve.stdout(), /dev key [0-9a-f]{12} \(loopback targets only, every task type\)/);
    t.match(serve.stdout(), /A2A: Agent Card https:\/\/gateway\.example:9443\/\.well-known\/agent-card\.json, JSON-RPC https:\/\/gateway\.example:9443\/a2a\/jsonrpc/);
    const card = await fetch(`${serve.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } }).then((r) => r.json());
    t.equal(card.supportedInterfaces[0].url, 'https://gateway.example:9443/a2a/jsonrpc', '--public-url is what the card names');
    const key = serve.devKey!;
    const ok = await api(serve.url, key, 'POST', '/requests', { requestId: 'g', sourceAgentId: 'a', taskType: 'generate_script', taskDescription: 'GET /x on http://127.0.0.1:9 with 1 user for 1 minute' });
    t.equal(ok.status, 202);
    const far = await api(serve.url, key, 'POST', '/requests', { requestId: 'f', sourceAgentId: 'a', taskType: 'execute_test', taskDescription: 'GET /x on http://192.0.2.1 with 1 user for 1 minute' });
    t.equal(far.status, 403, 'the dev key cannot send load off this machine');
    const id = /dev key ([0-9a-f]{12})/.exec(serve.stdout())![1]!;
    t.equal((await runCli(['serve', 'keys', 'revoke', id, '--db', db])).exitCode, 0);
    t.equal((await api(serve.url, key, 'GET', '/requests/g')).status, 401, 'revoked while the server runs: refused at once');
    const again = await runCli(['serve', 'keys', 'revoke', id, '--db', db]);
    t.equal(again.exitCode, 2);
    t.match(again.stderr, /no active key .* \[AGTEST_SERVE_KEY_UNKNOWN\]/);
    const noTarget = await runCli(['serve', 'keys', 'add', '--db', db]);
    t.equal(noTarget.exitCode, 2);
    t.match(noTarget.stderr, /--target ADDRESS or CIDR/);
    const badTarget = await runCli(['serve', 'keys', 'add', '--db', db, '--target', 'example.com']);
    t.match(badTarget.stderr, /"example.com" is not an IP address or CIDR range/);
  });
});
