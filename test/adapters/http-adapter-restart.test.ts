import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createMessageWriter } from '../../agtalk/index.js';
import { startHttpAdapter, type RunningHttpAdapter } from './helpers/http-adapter-process.js';
import { startPeer, type PeerHandler } from './helpers/http-peer.js';
import { sleep, waitFor, withTempDir } from './helpers/wait.js';

const TOTAL = 300;
const messageFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((name) => !name.startsWith('.'));

/**
 * 300 outbox files, a peer that takes a few ms per request, the adapter killed with SIGKILL
 * around the 100th, then restarted on the same folders. `killAt` picks the moment.
 */
async function killAndRestart(dir: string, killAt: 'request-in-flight' | 'just-after-2xx') {
  let first: RunningHttpAdapter | undefined;
  let killed = false;
  const kill = (): void => {
    if (killed || !first) return;
    killed = true;
    process.kill(first.pid, 'SIGKILL');
  };
  const handler: PeerHandler = async (_request, response, index) => {
    // The 101st request reaches the agent, which never gets to answer it: in flight at the kill.
    if (killAt === 'request-in-flight' && index === 100) kill();
    await sleep(2);
    response.writeHead(202).end();
    // The 100th was answered; the adapter may or may not have journaled it before dying.
    if (killAt === 'just-after-2xx' && index === 99) response.once('finish', kill);
  };
  const peer = await startPeer(handler);
  try {
    const outbox = join(dir, 'outbox');
    const writer = await createMessageWriter(outbox);
    const names: string[] = [];
    for (let n = 0; n < TOTAL; n++) names.push((await writer.write(JSON.stringify({ '@type': 'https://example.org/seq/1.0/n', n }), 'dm')).name);

    first = await startHttpAdapter(dir, peer.url);
    const firstExit = await first.exited;
    const deliveredBeforeKill = peer.requests.length;
    const second = await startHttpAdapter(dir, peer.url);
    try {
      await waitFor('every message at the peer', () => new Set(peer.requests.map((r) => r.body.toString())).size === TOTAL, 20_000);
      await waitFor('the outbox to empty', async () => (await messageFiles(outbox)).length === 0);
    } finally {
      await second.stop();
    }
    const received = peer.requests.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n);
    return { names, received, firstExit, deliveredBeforeKill, first, second, outbox };
  } finally {
    await peer.close();
  }
}

/** Received sequence → the n's that arrived more than once, and the sequence with repeats dropped. */
function analyse(received: number[]) {
  const seen = new Set<number>();
  const duplicates: number[] = [];
  const firsts: number[] = [];
  received.forEach((n) => {
    if (seen.has(n)) duplicates.push(n);
    else firsts.push(n);
    seen.add(n);
  });
  return { duplicates, firsts };
}

t.test('kill -9 with a POST in flight: after a restart every message arrives in order; the one repeat is reported', (t) =>
  withTempDir(async (dir) => {
    const run = await killAndRestart(dir, 'request-in-flight');
    t.equal(run.firstExit.signal, 'SIGKILL', 'the first adapter was killed');
    t.equal(run.deliveredBeforeKill, 101, 'killed while the 101st was at the agent');
    const { duplicates, firsts } = analyse(run.received);
    t.same(firsts, Array.from({ length: TOTAL }, (_, n) => n), 'all 300, in order, none lost');
    t.same(duplicates, [100], 'only the in-flight message came twice');
    t.same(run.received.slice(99, 103), [99, 100, 100, 101], 'and it came again right away, before the next');
    t.same(run.second.eventsOf('possible-duplicate').map((e) => e.file), [run.names[100]], 'reported as a possible duplicate');
    t.equal(run.first.eventsOf('sent').length, 100);
    t.equal(run.second.eventsOf('sent').length, TOTAL - 100);
    t.equal(await readFile(join(run.outbox, '.http-adapter-journal'), 'utf8'), '', 'journal truncated once the outbox is empty');
  }),
);

t.test('kill -9 right after a 2xx: no message lost, and a repeat happens only if it was reported', (t) =>
  withTempDir(async (dir) => {
    const run = await killAndRestart(dir, 'just-after-2xx');
    t.equal(run.firstExit.signal, 'SIGKILL');
    const { duplicates, firsts } = analyse(run.received);
    t.same(firsts, Array.from({ length: TOTAL }, (_, n) => n), 'all 300, in order, none lost');
    const reported = run.second.eventsOf('possible-duplicate').map((e) => e.file);
    t.same(reported, duplicates.map((n) => run.names[n]), 'every repeat reported, nothing else reported');
    t.ok(duplicates.length <= 1, `at most the message cut off by the kill came twice (got ${JSON.stringify(duplicates)})`);
  }),
);
