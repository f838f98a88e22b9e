import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createMessageWriter } from '../../agtalk/index.js';
import { startHttpAdapter } from './helpers/http-adapter-process.js';
import { startPeer } from './helpers/http-peer.js';
import { waitFor, withTempDir } from './helpers/wait.js';

const BURST = 3_000;
const seq = (n: number): string => JSON.stringify({ '@type': 'https://example.org/seq/1.0/n', n });
const messageFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((name) => !name.startsWith('.'));

/** What the peer got, against 0..total-1 in order: the missing, the repeated, the first misplaced. */
function analyse(received: readonly number[], total: number) {
  const counts = new Map<number, number>();
  for (const n of received) counts.set(n, (counts.get(n) ?? 0) + 1);
  const lost = Array.from({ length: total }, (_, n) => n).filter((n) => !counts.has(n));
  const duplicates = [...counts].filter(([, count]) => count > 1).map(([n]) => n);
  const firstMisplaced = received.findIndex((n, i) => n !== i);
  return { lost, duplicates, firstMisplaced };
}

const bodies = (peer: { requests: { body: Buffer }[] }): number[] => peer.requests.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n);

t.test(`a pipelined burst of ${BURST} messages written while the adapter sends: all arrive, once, in order`, (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer();
    const adapter = await startHttpAdapter(dir, peer.url);
    try {
      const writer = await createMessageWriter(adapter.outbox);
      // Not awaited one by one: the writes queue up while the adapter is reading and sending.
      await Promise.all(Array.from({ length: BURST }, (_, n) => writer.write(seq(n), 'dm')));
      await waitFor(`${BURST} messages at the peer`, () => peer.requests.length >= BURST, 60_000);
      await waitFor('the outbox to empty', async () => (await messageFiles(adapter.outbox)).length === 0);
    } finally {
      await adapter.stop();
      await peer.close();
    }
    const { lost, duplicates, firstMisplaced } = analyse(bodies(peer), BURST);
    t.same(lost, [], 'none lost');
    t.same(duplicates, [], 'none twice');
    t.equal(firstMisplaced, -1, 'in the order written');
    t.equal(peer.requests.length, BURST);
    t.equal(adapter.eventsOf('sent').length, BURST, 'each reported sent');
    t.same(adapter.eventsOf('possible-duplicate'), []);
  }),
);

t.test('control: the same analysis reports a file lost from the outbox and files sent against their order', (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer();
    const total = 200;
    const outbox = join(dir, 'outbox');
    const writer = await createMessageWriter(outbox);
    // Written with descending content, so ordinal order (the order the adapter must keep) runs against n.
    const names: string[] = [];
    for (let n = total - 1; n >= 0; n--) names.push((await writer.write(seq(n), 'dm')).name);
    await rm(join(outbox, names[50]!)); // carried n = 149
    const adapter = await startHttpAdapter(dir, peer.url);
    try {
      await waitFor(`${total - 1} messages at the peer`, () => peer.requests.length >= total - 1);
    } finally {
      await adapter.stop();
      await peer.close();
    }
    const { lost, duplicates, firstMisplaced } = analyse(bodies(peer), total);
    t.same(lost, [149], 'the removed file is reported lost');
    t.same(duplicates, []);
    t.equal(firstMisplaced, 0, 'sending in ordinal order shows as out of order against n');
    t.same(bodies(peer).slice(0, 3), [199, 198, 197], 'and the adapter did keep ordinal order');
  }),
);
