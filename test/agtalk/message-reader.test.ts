import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createMessageWriter, watchMessages, type AgtalkError, type GarbageFile } from '../../agtalk/index.js';
import { sleep, waitFor, withTempDir } from './helpers.js';

// 5,000 one after another; test/agtalk/pipelined-burst.test.ts queues its writes all at once.
const COUNT = 5_000;

t.test(`${COUNT} messages: in order, none lost, none duplicated, folder empty after`, (t) =>
  withTempDir(async (dir) => {
    const seen: number[] = [];
    const errors: AgtalkError[] = [];
    const reader = await watchMessages(dir, { onMessage: (file) => void seen.push((file.json as { n: number }).n), onError: (e) => void errors.push(e) });
    const writer = await createMessageWriter(dir);
    for (let n = 0; n < COUNT; n++) await writer.write(JSON.stringify({ n }), 'dm');
    await waitFor(`${COUNT} deliveries`, () => seen.length >= COUNT, 180_000);
    await reader.settled();
    await sleep(200); // a late duplicate would show up here
    await reader.close();
    t.equal(seen.length, COUNT, 'each delivered exactly once');
    t.equal(new Set(seen).size, COUNT, 'no duplicates');
    const outOfOrder = seen.findIndex((n, i) => n !== i);
    t.equal(outOfOrder, -1, `in order (first misplaced index: ${outOfOrder})`);
    t.same(errors, []);
    t.same(await readdir(dir), [], 'every file removed after handling');
  }),
);

t.test('garbage is reported by name with a reason, moved aside, and delivery goes on', (t) =>
  withTempDir(async (dir) => {
    const inbox = join(dir, 'inbox');
    const garbageDir = join(dir, 'garbage');
    await mkdir(inbox);
    await writeFile(join(inbox, 'hello.dm'), '{"@type":"x"}');
    await writeFile(join(inbox, '000001--abc.dm'), '{not json');
    await writeFile(join(inbox, '000002--x.txt'), 'unknown extension: not ours');
    await writeFile(join(inbox, '.000003--tmp.dm'), 'dot-file: a temporary or state');
    await writeFile(join(inbox, '000004--good.dm'), '{"ok":1}');
    const garbage: GarbageFile[] = [];
    const delivered: string[] = [];
    const reader = await watchMessages(inbox, { garbageDir, onGarbage: (g) => void garbage.push(g), onMessage: (f) => void delivered.push(f.name) });
    await reader.settled();
    const writer = await createMessageWriter(inbox);
    const later = await writer.write('{"later":true}', 'dm');
    await waitFor('the later message', () => delivered.includes(later.name));
    await reader.close();

    t.same(delivered, ['000004--good.dm', later.name], 'valid files before and after the garbage are delivered, in order');
    t.same(garbage.map((g) => g.name).sort(), ['000001--abc.dm', 'hello.dm']);
    t.match(garbage.find((g) => g.name === 'hello.dm')?.reason, /file name is not <ordinal>--<id>\.dm/);
    t.match(garbage.find((g) => g.name === '000001--abc.dm')?.reason, /not valid JSON/);
    t.same((await readdir(garbageDir)).sort(), ['000001--abc.dm', 'hello.dm'], 'garbage moved to garbageDir, not lost');
    t.equal(await readFile(join(garbageDir, '000001--abc.dm'), 'utf8'), '{not json');
    t.same((await readdir(inbox)).sort(), ['.000003--tmp.dm', '000002--x.txt'], 'unknown extensions and dot-files are neither delivered nor garbage, and stay');
  }),
);

t.test('without garbageDir, garbage stays in place and is reported once', (t) =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, '000001--abc.dm'), '{not json');
    const garbage: string[] = [];
    const delivered: string[] = [];
    const reader = await watchMessages(dir, { onGarbage: (g) => void garbage.push(g.name), onMessage: (f) => void delivered.push(f.name) });
    const writer = await createMessageWriter(dir);
    for (let n = 0; n < 5; n++) await writer.write(`{"n":${n}}`, 'dm');
    await waitFor('five deliveries', () => delivered.length === 5);
    await reader.settled();
    await reader.close();
    t.same(garbage, ['000001--abc.dm'], 'reported once despite later listings');
    t.same(await readdir(dir), ['000001--abc.dm']);
  }),
);

t.test('archiveDir keeps handled files; a handler that throws leaves its file and reports', (t) =>
  withTempDir(async (dir) => {
    const inbox = join(dir, 'inbox');
    const archive = join(dir, 'archive');
    const writer = await createMessageWriter(inbox);
    const failing = await writer.write('{"n":1}', 'dm');
    const fine = await writer.write('{"n":2}', 'dm');
    const errors: AgtalkError[] = [];
    const reader = await watchMessages(inbox, {
      archiveDir: archive,
      onError: (e) => void errors.push(e),
      onMessage: (file) => {
        if (file.name === failing.name) throw new Error('handler exploded');
      },
    });
    await reader.settled();
    await reader.close();
    t.same(await readdir(inbox), [failing.name], 'the failed file stays');
    t.same(await readdir(archive), [fine.name], 'the handled file is archived');
    t.equal(await readFile(join(archive, fine.name), 'utf8'), '{"n":2}', 'with its bytes');
    t.equal(errors.length, 1);
    t.equal(errors[0]?.code, 'AGTALK_READ_FAILED');
    t.equal(errors[0]?.file, join(inbox, failing.name));
    t.match(errors[0]?.message, /handler failed for .*handler exploded/);
  }),
);
