import { readdir } from 'node:fs/promises';
import t from 'tap';
import { createMessageWriter, watchMessages, type AgtalkError } from '../../agtalk/index.js';
import { waitFor, withTempDir } from './helpers.js';

const BURST = 4_000;

t.test(`${BURST} writes queued at once while the reader runs: each delivered once, in ordinal order`, (t) =>
  withTempDir(async (dir) => {
    const seen: number[] = [];
    const errors: AgtalkError[] = [];
    // A handler that takes a turn of the event loop, so files pile up behind the one being handled.
    const reader = await watchMessages(dir, {
      onMessage: async (file) => {
        seen.push((file.json as { n: number }).n);
        await new Promise((resolve) => setImmediate(resolve));
      },
      onError: (e) => void errors.push(e),
    });
    const writer = await createMessageWriter(dir);
    const written = await Promise.all(Array.from({ length: BURST }, (_, n) => writer.write(JSON.stringify({ n }), 'dm')));
    await waitFor(`${BURST} deliveries`, () => seen.length >= BURST, 60_000);
    await reader.settled();
    await reader.close();
    t.same(written.map((w) => w.ordinal), Array.from({ length: BURST }, (_, n) => n), 'ordinals follow the call order');
    t.equal(seen.length, BURST, 'each delivered exactly once');
    t.equal(seen.findIndex((n, i) => n !== i), -1, 'in order');
    t.same(errors, []);
    t.same(await readdir(dir), [], 'every file removed after handling');
  }),
);

t.test('files that came while no reader watched (no notification) go before a newer one that was notified', (t) =>
  withTempDir(async (dir) => {
    const seen: number[] = [];
    const reader = await watchMessages(dir, { onMessage: (file) => void seen.push((file.json as { n: number }).n) });
    const writer = await createMessageWriter(dir);
    await writer.write(JSON.stringify({ n: 0 }), 'dm');
    await waitFor('the first message', () => seen.length === 1);
    await reader.close();
    // Two files appear while nobody watches; then a reader starts and sees them only by listing.
    await writer.write(JSON.stringify({ n: 1 }), 'dm');
    await writer.write(JSON.stringify({ n: 2 }), 'dm');
    const second = await watchMessages(dir, { onMessage: (file) => void seen.push((file.json as { n: number }).n) });
    await writer.write(JSON.stringify({ n: 3 }), 'dm');
    await waitFor('the newer message', () => seen.length === 4);
    await second.settled();
    await second.close();
    t.same(seen, [0, 1, 2, 3]);
  }),
);
