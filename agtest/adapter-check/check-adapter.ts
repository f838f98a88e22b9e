import { watch } from 'chokidar';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { launchAdapter, type AdapterEvent, type LaunchedAdapter } from '../../adapters/index.js';
import { classifyFileName, createMessageWriter, type MessageWriter } from '../../agtalk/index.js';
import { isAgtestError } from '../../common/index.js';
import type { ReferenceAgentTransport } from '../../reference-agent/index.js';
import { LoopbackPeer } from './loopback-peer.js';

/** The agtalk contract (adapters/README.md), one rule per check, in the order they run. */
export const ADAPTER_RULES = {
  'ready-line': 'the first stdout line is {"type":"ready",...} with a URL endpoint, within the wait',
  ordering: 'outbox files reach the peer in ordinal order, each once',
  'delete-after-send': 'a file is deleted once the peer accepted it, and stays while the peer is down',
  'atomic-inbox': 'inbox files appear complete, under agtalk names (temp name + rename), in arrival order',
  'no-loss-on-restart': 'after a SIGKILL and a restart on the same folders, every outbox file reaches the peer',
  sigterm: 'SIGTERM makes the adapter exit 0',
  'bad-target': 'a target nobody listens on ends in a non-zero exit whose last stderr line is "<name> adapter: <reason>", the file kept',
} as const;

export type AdapterRule = keyof typeof ADAPTER_RULES;

export interface AdapterRuleResult {
  rule: AdapterRule;
  status: 'pass' | 'fail' | 'not-run';
  reason?: string;
  durationMs: number;
}

export interface CheckAdapterOptions {
  /** What the adapter speaks: the loopback peer is the reference agent on that transport (default http). */
  transport?: ReferenceAgentTransport;
  /** The adapter program and its own arguments; the checker appends --outbox, --inbox, --target. */
  command: readonly string[];
  /** Longest wait for anything the adapter should do (default 15 s). */
  waitMs?: number;
  /** Messages per batch (default 30). */
  messages?: number;
  /** The adapter's stderr and stray stdout, for --verbose. */
  log?: (line: string) => void;
  cwd?: string;
}

class RuleFailed extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`'s value, or undefined once `ms` passed; the timer is cleared either way. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 20 ms; false once `ms` passed. */
async function waitUntil(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await condition()) return true;
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
}

const basicMessage = (content: string) =>
  JSON.stringify({ '@type': 'https://didcomm.org/basicmessage/1.0/message', '@id': crypto.randomUUID(), sent_time: new Date().toISOString(), content });

/** Message files (not dot-files) anywhere under `dir`, by name. */
async function messageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && classifyFileName(e.name).kind === 'message').map((e) => e.name);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

/**
 * Runs an adapter program against the agtalk contract with the reference agent as its peer,
 * and reports pass/fail per rule with the reason. A rule that cannot run because an earlier step
 * broke is not-run, never passed.
 */
export async function checkAdapter(options: CheckAdapterOptions): Promise<AdapterRuleResult[]> {
  const waitMs = options.waitMs ?? 15_000;
  const count = options.messages ?? 30;
  const results: AdapterRuleResult[] = [];
  const root = await mkdtemp(join(tmpdir(), 'agtest-adapter-check-'));
  const outboxDir = join(root, 'outbox');
  const inboxDir = join(root, 'inbox');
  const peer = await LoopbackPeer.start(options.transport);
  const events: AdapterEvent[] = [];
  const launched: LaunchedAdapter[] = [];
  const launch = async (target: string, outbox = outboxDir, inbox = inboxDir) => {
    const adapter = await launchAdapter({
      name: 'under check',
      command: options.command,
      outbox,
      inbox,
      target,
      readyTimeoutMs: waitMs,
      onEvent: (event) => void events.push(event),
      onLog: options.log,
      cwd: options.cwd,
    });
    launched.push(adapter);
    void adapter.exited.then(() => gone.add(adapter));
    return adapter;
  };
  const gone = new Set<LaunchedAdapter>();
  const rule = async (name: AdapterRule, body: () => Promise<void>) => {
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    try {
      await body();
      results.push({ rule: name, status: 'pass', durationMs: durationMs() });
    } catch (error) {
      if (!(error instanceof RuleFailed) && !isAgtestError(error)) throw error;
      results.push({ rule: name, status: 'fail', reason: error.message, durationMs: durationMs() });
    }
  };
  const notRun = (reason: string) => {
    for (const name of Object.keys(ADAPTER_RULES) as AdapterRule[]) {
      if (!results.some((r) => r.rule === name)) results.push({ rule: name, status: 'not-run', reason, durationMs: 0 });
    }
  };

  try {
    let adapter: LaunchedAdapter | undefined;
    await rule('ready-line', async () => {
      adapter = await launch(peer.endpoint);
      if (!adapter.endpoint) throw new RuleFailed('the ready line has no endpoint, so no agent could send to the adapter');
    });
    if (!adapter?.endpoint) return (notRun('the adapter did not start with an inbound endpoint'), results);
    let current: LaunchedAdapter = adapter;
    await peer.setup(current.endpoint!);
    const outbox: MessageWriter = await createMessageWriter(outboxDir);

    await rule('ordering', async () => {
      const expected = Array.from({ length: count }, (_, n) => `ordering-${n}`);
      for (const content of expected) await outbox.write(basicMessage(content), 'dm');
      let got: string[] = [];
      await waitUntil(async () => (got = await peer.receivedContents()).length >= count, waitMs);
      if (got.length < count) throw new RuleFailed(`the peer received ${got.length} of ${count} messages within ${waitMs} ms`);
      const wrong = expected.findIndex((content, index) => got[index] !== content);
      if (wrong >= 0) throw new RuleFailed(`message ${wrong} to arrive was ${got[wrong]}, expected ${expected[wrong]} (outbox ordinal order)`);
      if (got.length > count) throw new RuleFailed(`the peer received ${got.length} messages for ${count} files: some were sent twice`);
    });

    await rule('delete-after-send', async () => {
      if (!(await waitUntil(async () => (await messageFiles(outboxDir)).length === 0, waitMs))) {
        throw new RuleFailed(`sent files were not deleted from the outbox: ${(await messageFiles(outboxDir)).slice(0, 3).join(', ')}…`);
      }
      await peer.stop();
      const held = await outbox.write(basicMessage('held'), 'dm');
      await sleep(1_500);
      const present = (await messageFiles(outboxDir)).includes(held.name);
      await peer.restart();
      // Giving up on an unreachable peer after bounded retries is allowed (its last refused attempt
      // may even land after the peer is back): the file must then still be there for the next
      // start, so an adapter that gave up is restarted, as a supervisor would. The peer's setup,
      // which forgets what it received, waits until the held file arrived.
      const delivered =
        present &&
        (await waitUntil(async () => {
          if (gone.has(current)) current = await launch(peer.endpoint);
          return (await peer.receivedContents()).includes('held');
        }, waitMs));
      await peer.setup(current.endpoint!);
      if (!present) throw new RuleFailed(`${held.name} was deleted from the outbox while the peer was down: it was never accepted, so it is lost`);
      if (!delivered) throw new RuleFailed(`${held.name} did not reach the peer within ${waitMs} ms of the peer coming back`);
    });

    await rule('atomic-inbox', async () => {
      const seen: string[] = [];
      const problems: string[] = [];
      const watcher = watch(inboxDir, { ignoreInitial: true, depth: 0, ignored: (path) => path !== inboxDir && basename(path).startsWith('.') });
      watcher.on('add', (path) => {
        const name = basename(path);
        readFile(path, 'utf8').then(
          (text) => {
            if (classifyFileName(name).kind !== 'message') problems.push(`${name} is not an agtalk message name (000042--<id>.<ext>)`);
            try {
              seen.push(String((JSON.parse(text) as { content?: unknown }).content));
            } catch {
              problems.push(`${name} was visible before it was complete (${text.length} bytes, not yet JSON): write under a dot-name, then rename`);
            }
          },
          (error: unknown) => problems.push(`${name} could not be read: ${String(error)}`),
        );
      });
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
      try {
        const expected = Array.from({ length: count }, (_, n) => `inbound-${n}`);
        for (const content of expected) await peer.sendMessage(content);
        await waitUntil(() => seen.length + problems.length >= count, waitMs);
        if (problems.length > 0) throw new RuleFailed(problems.slice(0, 3).join('; '));
        if (seen.length < count) throw new RuleFailed(`${seen.length} of ${count} messages the peer sent appeared in the inbox within ${waitMs} ms`);
        const files = (await messageFiles(inboxDir)).sort();
        const contents = await Promise.all(files.map(async (file) => String((JSON.parse(await readFile(join(inboxDir, file), 'utf8')) as { content?: unknown }).content)));
        const inOrder = contents.filter((content) => content.startsWith('inbound-'));
        const wrong = expected.findIndex((content, index) => inOrder[index] !== content);
        if (wrong >= 0) throw new RuleFailed(`inbox ordinals are not in arrival order: position ${wrong} holds ${inOrder[wrong]}, expected ${expected[wrong]}`);
      } finally {
        await watcher.close();
      }
    });

    await rule('no-loss-on-restart', async () => {
      await peer.setup(current.endpoint!);
      const expected = Array.from({ length: 2 * count }, (_, n) => `restart-${n}`);
      for (const content of expected.slice(0, count)) await outbox.write(basicMessage(content), 'dm');
      // Killed while it works through the batch, so some files are sent, some in flight, some not.
      await waitUntil(async () => (await messageFiles(outboxDir)).length < count || gone.has(current), waitMs);
      if (!gone.has(current)) process.kill(current.pid, 'SIGKILL');
      await current.exited;
      for (const content of expected.slice(count)) await outbox.write(basicMessage(content), 'dm');
      const before = await peer.receivedContents();
      current = await launch(peer.endpoint);
      await peer.setup(current.endpoint!);
      let after: string[] = [];
      const all = () => new Set([...before, ...after]);
      await waitUntil(async () => {
        after = await peer.receivedContents();
        return expected.every((content) => all().has(content));
      }, waitMs);
      const lost = expected.filter((content) => !all().has(content));
      if (lost.length > 0) throw new RuleFailed(`${lost.length} of ${expected.length} messages never reached the peer after the restart (e.g. ${lost.slice(0, 3).join(', ')})`);
    });

    await rule('sigterm', async () => {
      if (gone.has(current)) throw new RuleFailed(`the adapter had already exited (${(await current.exited).exitCode}) before SIGTERM`);
      process.kill(current.pid, 'SIGTERM');
      const exit = await within(current.exited, waitMs);
      if (!exit) throw new RuleFailed(`still running ${waitMs} ms after SIGTERM`);
      if (exit.exitCode !== 0) throw new RuleFailed(`exited ${exit.signal ?? `with code ${exit.exitCode}`} after SIGTERM, expected 0`);
    });

    await rule('bad-target', async () => {
      const badOutbox = join(root, 'bad-target', 'outbox');
      const target = peer.endpointOnPort(await closedPort());
      let exit;
      try {
        const bad = await launch(target, badOutbox, join(root, 'bad-target', 'inbox'));
        const file = await (await createMessageWriter(badOutbox)).write(basicMessage('unreachable'), 'dm');
        exit = await within(bad.exited, waitMs);
        if (!exit) throw new RuleFailed(`still running ${waitMs} ms after every connection to ${target} was refused, with no error`);
        if (!(await messageFiles(badOutbox)).includes(file.name)) throw new RuleFailed(`${file.name} is gone from the outbox, though it was never delivered`);
      } catch (error) {
        // Refusing the target at start is as good as failing on the first send.
        if (!isAgtestError(error) || error.code !== 'AGTEST_ADAPTER_START_FAILED') throw error;
        exit = error.cause as { exitCode?: number; stderrTail?: string } | undefined;
        if (!exit) throw new RuleFailed(error.message);
      }
      const last = exit.stderrTail?.trim().split('\n').at(-1) ?? '';
      if (exit.exitCode === 0) throw new RuleFailed(`exited 0 although it could not deliver to ${target}`);
      if (!/^\S+ adapter: \S/.test(last)) throw new RuleFailed(`the last stderr line does not say why as "<name> adapter: <reason>": ${JSON.stringify(last)}`);
    });
    return results;
  } finally {
    await Promise.all(launched.map((adapter) => adapter.stop()));
    await peer.stop();
    await rm(root, { recursive: true, force: true });
  }
}
