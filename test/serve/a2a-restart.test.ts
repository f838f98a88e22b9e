// A2A tasks survive a restart of agtest serve (kill -9): the task store is the service's SQLite
// file. The task whose job was running is reported failed (interrupted) to its caller, by GetTask
// and by push; the one still queued runs after the restart and completes, with its artifacts.
import { execa, type ResultPromise } from 'execa';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { CLI, runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';
import { startLoadServer } from '../helpers/load-server.js';

async function startServe(db: string) {
  const child = execa(process.execPath, [CLI, 'serve', '--port', '0', '--db', db, '--no-dev-key', '--concurrency', '1'], { reject: false, env: { NO_COLOR: '1' } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void child.then((r) => reject(new Error(`agtest serve exited ${r.exitCode}: ${r.stderr}`)));
  });
  return { child: child as ResultPromise, url };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON-RPC answers, read field by field
type Json = any;

t.test('kill -9 mid-task, restart: GetTask and push report the running task failed (interrupted), the queued one completes', async (t) => {
  const target = await startLoadServer();
  const pushes: { url: string; body: string }[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => (pushes.push({ url: req.url ?? '', body }), res.end()));
  });
  await new Promise<void>((done) => hook.listen(0, '127.0.0.1', done));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  t.teardown(async () => {
    await target.close();
    await new Promise((done) => hook.close(done));
  });

  await withTempDir(async (dir) => {
    const db = join(dir, 'serve.db');
    const added = await runCli(['serve', 'keys', 'add', '--db', db, '--name', 'a2a', '--target', '127.0.0.1']);
    const key = /key: (agk_\S+)/.exec(added.stdout)![1]!;
    let serve = await startServe(db);
    const rpc = async (method: string, params: unknown): Promise<Json> => {
      const response = await fetch(`${serve.url}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'a2a-version': '1.0' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      return response.json();
    };
    const send = (id: string, seconds: number) =>
      rpc('SendMessage', {
        message: { messageId: `m-${id}`, role: 'ROLE_USER', parts: [{ data: { requestId: id, sourceAgentId: 'a', taskType: 'generate_and_execute', taskDescription: 'load', targetDetails: { url: target.url, apiEndpoints: [{ path: '/ok' }] }, performanceParameters: { virtualUsers: 1, durationSeconds: seconds } } }] },
        configuration: { returnImmediately: true, taskPushNotificationConfig: { url: `${hookUrl}/${id}`, token: `tok-${id}` } },
      });
    const running = (await send('long', 60)).result.task.id;
    const queued = (await send('short', 1)).result.task.id;
    const stateOf = async (id: string) => (await rpc('GetTask', { id })).result?.status?.state;
    const end = Date.now() + 15_000;
    while ((await stateOf(running)) !== 'TASK_STATE_WORKING' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    t.equal(await stateOf(running), 'TASK_STATE_WORKING', 'the first task runs');
    t.equal(await stateOf(queued), 'TASK_STATE_SUBMITTED', 'the second waits (concurrency 1)');

    serve.child.kill('SIGKILL');
    await serve.child;
    const pushesBefore = pushes.length;
    serve = await startServe(db);

    const after = Date.now() + 20_000;
    while (!((await stateOf(running)) === 'TASK_STATE_FAILED' && (await stateOf(queued)) === 'TASK_STATE_COMPLETED') && Date.now() < after) await new Promise((r) => setTimeout(r, 100));
    const failed = (await rpc('GetTask', { id: running })).result;
    t.equal(failed.status.state, 'TASK_STATE_FAILED', 'the running task is reported failed');
    t.match(JSON.stringify(failed.status.message), /stopped while the job ran/, 'its message says it was interrupted');
    const completed = (await rpc('GetTask', { id: queued })).result;
    t.equal(completed.status.state, 'TASK_STATE_COMPLETED', 'the queued one ran after the restart');
    t.same(completed.artifacts.map((a: Json) => a.name).sort(), ['load-plan.json', 'plan.jmx', 'result.json']);
    const listed = (await rpc('ListTasks', {})).result.tasks.map((task: Json) => task.id).sort();
    t.same(listed, [running, queued].sort(), 'ListTasks finds both');
    const later = pushes.slice(pushesBefore);
    t.ok(later.some((p) => p.url === '/long' && p.body.includes('TASK_STATE_FAILED')), 'the caller of the interrupted task is told by push');
    t.ok(later.some((p) => p.url === '/short' && p.body.includes('TASK_STATE_COMPLETED')), 'and of the queued one\'s completion');

    serve.child.kill('SIGTERM');
    await serve.child;
  });
});
