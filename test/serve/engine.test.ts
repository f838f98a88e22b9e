import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createJobEngine, JobStore, openDatabase, startService, type TaskOutcome } from '../../serve/index.js';
import { withTempDir } from '../helpers/reference-run.js';

const child = fileURLToPath(new URL('./fixtures/engine-child.mjs', import.meta.url));

const waitFor = async (what: string, check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

t.test('kill -9 mid-job: after the restart the queued jobs run once, the interrupted one is marked and not re-run', async (t) => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'jobs.db');
    const setup = openDatabase(file);
    const store = new JobStore(setup);
    for (const id of ['j1', 'j2', 'j3']) store.create({ id, keyId: 'k', taskType: 'sleep', request: { id } });
    setup.close();

    const first = execa(process.execPath, [child, file, '5000'], { reject: false });
    let firstOut = '';
    first.stdout!.on('data', (chunk: Buffer) => (firstOut += chunk.toString()));
    await waitFor('j1 to start', () => firstOut.includes('started j1'));
    first.kill('SIGKILL');
    const killed = await first;
    t.equal(killed.signal, 'SIGKILL', 'the server really died by SIGKILL');
    t.notMatch(firstOut, /done/, 'it died mid-job');

    const second = await execa(process.execPath, [child, file, '50'], { timeout: 20_000 });
    t.same(second.stdout.split('\n').filter((l) => l.startsWith('started')), ['started j2', 'started j3'], 'the queued jobs ran, in order, the interrupted one was not started again');
    t.match(second.stdout, /idle/);

    const after = new JobStore(openDatabase(file));
    const j1 = after.get('j1')!;
    t.equal(j1.status, 'interrupted');
    t.equal(j1.runs, 1, 'j1 was started exactly once');
    t.match(j1.error, /not run again/);
    t.same(after.events('j1').map((e) => [e.seq, e.status]), [[1, 'queued'], [2, 'in_progress'], [3, 'interrupted']], 'its history tells the story');
    for (const id of ['j2', 'j3']) {
      const job = after.get(id)!;
      t.equal(job.status, 'completed', `${id} completed`);
      t.equal(job.runs, 1, `${id} ran once`);
      t.same(job.result, { slept: 50 });
      t.same(after.events(id).map((e) => e.status), ['queued', 'in_progress', 'in_progress', 'completed']);
    }
    after.db.close();
  });
});

t.test('the concurrency limit holds, the queue reports positions, cancel stops a queued and a running job', async (t) => {
  await withTempDir(async (dir) => {
    const db = openDatabase(join(dir, 'jobs.db'));
    const store = new JobStore(db);
    let active = 0;
    let peak = 0;
    const releases = new Map<string, () => void>();
    const engine = createJobEngine({
      store,
      concurrency: 2,
      runners: {
        wait: (job, ctx) =>
          new Promise<TaskOutcome>((resolve) => {
            active += 1;
            peak = Math.max(peak, active);
            const done = (outcome: TaskOutcome) => {
              active -= 1;
              resolve(outcome);
            };
            releases.set(job.id, () => done({ status: 'completed', result: job.id }));
            ctx.signal.addEventListener('abort', () => done({ status: 'error', error: 'aborted' }));
          }),
      },
    });
    for (const id of ['a', 'b', 'c', 'd', 'e']) store.create({ id, keyId: 'k', taskType: 'wait', request: {} });
    engine.start();
    await waitFor('two running', () => releases.size === 2);
    t.equal(engine.running, 2);
    t.same(['a', 'b', 'c', 'd', 'e'].map((id) => store.position(id)), [undefined, undefined, 1, 2, 3], 'positions count the queued jobs ahead');
    t.ok(engine.cancel('d'), 'a queued job is cancelled');
    t.equal(store.position('e'), 2, 'the jobs behind it move up');
    t.ok(engine.cancel('a'), 'a running job is cancelled');
    await waitFor('c to start', () => releases.has('c'));
    t.equal(store.get('a')!.status, 'cancelled', 'the runner ending afterwards does not overwrite the cancel');
    t.notOk(engine.cancel('a'), 'cancelling twice says it had ended');
    releases.get('b')!();
    await waitFor('e to start', () => releases.has('e'));
    releases.get('c')!();
    releases.get('e')!();
    await waitFor('all done', () => engine.running === 0);
    t.equal(peak, 2, 'never more than the limit at once');
    t.same(['a', 'b', 'c', 'd', 'e'].map((id) => store.get(id)!.status), ['cancelled', 'completed', 'completed', 'cancelled', 'completed']);
    t.notOk(releases.has('d'), 'the cancelled queued job never ran');
    await engine.stop();
    db.close();
  });
});

t.test('a runner that throws ends its job in error with the message, and the queue goes on', async (t) => {
  await withTempDir(async (dir) => {
    const db = openDatabase(join(dir, 'jobs.db'));
    const store = new JobStore(db);
    const lines: string[] = [];
    const engine = createJobEngine({ store, log: (l) => lines.push(l), runners: { boom: async () => { throw new Error('kaput'); }, ok: async () => ({ status: 'completed', result: 1 }) } });
    store.create({ id: 'x', keyId: 'k', taskType: 'boom', request: {} });
    store.create({ id: 'y', keyId: 'k', taskType: 'ok', request: {} });
    store.create({ id: 'z', keyId: 'k', taskType: 'nothing', request: {} });
    engine.start();
    await waitFor('all settled', () => ['x', 'y', 'z'].every((id) => ['error', 'completed'].includes(store.get(id)!.status)));
    t.equal(store.get('x')!.error, 'kaput');
    t.equal(store.get('y')!.status, 'completed');
    t.match(store.get('z')!.error, /no runner for task type nothing/);
    t.match(lines.join('\n'), /job x \(boom\) failed: kaput/);
    await engine.stop();
    db.close();
  });
});

t.test('one server per database: a live claim is refused; a dead server\'s claim and the SQLite lock it left are cleaned', async (t) => {
  await withTempDir(async (dir) => {
    const db = join(dir, 'serve.db');
    const logs: string[] = [];
    const first = await startService({ db, log: (l) => logs.push(l) });
    await first.close();
    t.notOk(existsSync(`${db}.owner`), 'a clean stop releases the claim');

    // What kill -9 inside a statement leaves: the claim of a dead pid and the lock directory.
    const dead = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(`${db}.owner`, `${dead.stdout}\n`);
    await mkdir(`${db}.lock`);
    const second = await startService({ db, log: (l) => logs.push(l) });
    t.notOk(existsSync(`${db}.lock`), 'the stale lock is gone');
    t.match(logs.join('\n'), new RegExp(`removed a stale claim by pid ${dead.stdout} and the SQLite lock it left`));
    t.ok(second.keys.add({ name: 'x', taskTypes: ['generate_script'], targets: ['127.0.0.1'] }).key, 'and the database is writable');
    await second.close();

    // A live owner (another process) is respected.
    const holder = execa(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    await writeFile(`${db}.owner`, `${holder.pid}\n`);
    await t.rejects(startService({ db }), { code: 'AGTEST_SERVE_DB_FAILED', message: new RegExp(`in use by another agtest serve \\(pid ${holder.pid}\\)`) }, 'a second server on the same file is refused');
    holder.kill('SIGKILL');
    await holder.catch(() => undefined);
  });
});
