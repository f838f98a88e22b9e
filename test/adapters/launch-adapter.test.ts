import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { builtinAdapterCommand, launchAdapter, type AdapterEvent } from '../../adapters/index.js';
import { AgtestError } from '../../common/index.js';
import { withTempDir } from './helpers/wait.js';

const fake = fileURLToPath(new URL('./fixtures/fake-adapter.mjs', import.meta.url));
const launchFake = (dir: string, mode: string, extra: { readyTimeoutMs?: number; onEvent?(e: AdapterEvent): void; onLog?(l: string): void } = {}) =>
  launchAdapter({ name: `fake-${mode}`, command: [process.execPath, fake, mode], outbox: join(dir, 'o'), inbox: join(dir, 'i'), target: 'http://127.0.0.1:9/x', ...extra });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

t.test('builtinAdapterCommand points node at the compiled adapter', async (t) => {
  const [node, script] = builtinAdapterCommand('http');
  t.equal(node, process.execPath);
  t.ok(isAbsolute(script!));
  t.match(script, /[\\/]dist[\\/]adapters[\\/]http[\\/]main\.js$/);
  t.ok(existsSync(script!));
});

t.test('an adapter that exits before its ready line: start error with its last stderr line', (t) =>
  withTempDir(async (dir) => {
    const error = await launchFake(dir, 'exit-early').then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(error instanceof AgtestError, 'an AgtestError');
    const e = error as AgtestError;
    t.equal(e.code, 'AGTEST_ADAPTER_START_FAILED');
    t.equal(e.adapter, 'fake-exit-early');
    t.match(e.message, /^adapter fake-exit-early exited with code 3 before it was ready: fake adapter: port 4242 is already in use \(command: .*fake-adapter\.mjs exit-early --outbox .* --target http:\/\/127\.0\.0\.1:9\/x\)$/);
    t.same(e.command?.slice(-2), ['--target', 'http://127.0.0.1:9/x'], 'the command, with the appended flags');
  }),
);

t.test('an adapter that prints no ready line in time is killed and reported as timed out', (t) =>
  withTempDir(async (dir) => {
    let pid = 0;
    const error = (await launchFake(dir, 'silent', { readyTimeoutMs: 400, onLog: () => undefined }).then(
      () => undefined,
      (e: unknown) => e,
    )) as AgtestError;
    t.equal(error?.code, 'AGTEST_ADAPTER_START_FAILED');
    t.equal(error.timedOut, true);
    t.match(error.message, /printed no ready line within 400 ms/);
    t.ok((error.durationMs ?? 0) >= 400);
    const ps = await execa('pgrep', ['-f', `${fake} silent`], { reject: false });
    pid = Number(ps.stdout.split('\n').find((line) => line && Number(line) !== process.pid) ?? 0);
    t.equal(pid, 0, 'no fake adapter left running');
  }),
);

t.test('a first stdout line that is not a ready event is a start error', (t) =>
  withTempDir(async (dir) => {
    const error = (await launchFake(dir, 'not-ready').then(
      () => undefined,
      (e: unknown) => e,
    )) as AgtestError;
    t.equal(error?.code, 'AGTEST_ADAPTER_START_FAILED');
    t.match(error.message, /first stdout line that is not a ready event: "hello, I am an adapter"/);
  }),
);

t.test('a command that cannot be spawned is a start error naming the cause', (t) =>
  withTempDir(async (dir) => {
    const error = (await launchAdapter({ name: 'missing', command: ['/nonexistent/adapter-binary'], outbox: dir, inbox: dir, target: 'http://x/' }).then(
      () => undefined,
      (e: unknown) => e,
    )) as AgtestError;
    t.equal(error?.code, 'AGTEST_ADAPTER_START_FAILED');
    t.match(error.message, /ENOENT/);
  }),
);

t.test('after ready: events are forwarded, other stdout lines become log warnings', (t) =>
  withTempDir(async (dir) => {
    const events: AdapterEvent[] = [];
    const logs: string[] = [];
    const adapter = await launchFake(dir, 'chatty', { onEvent: (e) => void events.push(e), onLog: (l) => void logs.push(l) });
    t.equal(adapter.endpoint, 'http://127.0.0.1:1/');
    t.ok(adapter.pid > 0);
    await adapter.stop();
    const exit = await adapter.exited;
    t.equal(exit.exitCode, 0);
    t.same(events, [{ type: 'warning', message: 'target was http://127.0.0.1:9/x' }]);
    t.equal(logs.length, 2);
    t.match(logs[0], /not an adapter event: debug: this is not an event/);
    t.match(logs[1], /not an adapter event: \{"type":"nonsense"\}/);
  }),
);

t.test('stop() escalates to SIGKILL when SIGTERM is ignored', (t) =>
  withTempDir(async (dir) => {
    const adapter = await launchFake(dir, 'ignores-sigterm', { onLog: () => undefined });
    const started = Date.now();
    await adapter.stop();
    const elapsed = Date.now() - started;
    const exit = await adapter.exited;
    t.equal(exit.signal, 'SIGKILL');
    t.ok(elapsed >= 2_900 && elapsed < 6_000, `about 3 s (${elapsed} ms)`);
    t.notOk(isAlive(adapter.pid));
    t.match(exit.stderrTail, /not stopping/);
  }),
);

t.test('the http adapter program: a missing flag is a usage error (exit 2); a bad value too', async (t) => {
  const [node, script] = builtinAdapterCommand('http');
  const missing = await execa(node!, [script!, '--outbox', 'o', '--inbox', 'i'], { reject: false });
  t.equal(missing.exitCode, 2);
  t.equal(missing.stdout, '', 'nothing on stdout: no ready line');
  t.match(missing.stderr, /missing --target/);
  t.match(missing.stderr, /usage: agtest-adapter-http --outbox DIR --inbox DIR --target ENDPOINT/);
  const bad = await execa(node!, [script!, '--outbox', 'o', '--inbox', 'i', '--target', 'http://127.0.0.1:9/', '--retries', 'many'], { reject: false });
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, /--retries must be a non-negative integer, got "many"/);
  const unknown = await execa(node!, [script!, '--outbox', 'o', '--inbox', 'i', '--target', 'http://127.0.0.1:9/', '--retry', '3'], { reject: false });
  t.equal(unknown.exitCode, 2);
  t.match(unknown.stderr, /unknown flag --retry/);
});
