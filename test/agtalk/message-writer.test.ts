import { readdirSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { classifyFileName, createMessageWriter } from '../../agtalk/index.js';
import { withTempDir } from './helpers.js';

t.test('a writer restarted over unread files continues after the highest ordinal', (t) =>
  withTempDir(async (dir) => {
    const first = await createMessageWriter(dir);
    const written = [];
    for (let n = 0; n < 3; n++) written.push(await first.write(`{"n":${n}}`, 'dm'));
    t.same(written.map((w) => w.ordinal), [0, 1, 2]);
    const second = await createMessageWriter(dir);
    t.equal((await second.write('{"n":3}', 'dm')).ordinal, 3, 'continues after the unread ones');
    await writeFile(join(dir, '000041--stray.dee'), '{}');
    const third = await createMessageWriter(dir);
    const next = await third.write('{"n":4}', 'dcpm');
    t.equal(next.ordinal, 42, 'after the highest present, whatever its extension');
    t.match(next.name, /^000042--[A-Za-z0-9_-]+\.dcpm$/);
    const names = (await readdir(dir)).sort();
    t.equal(names.length, 6);
    t.ok(names.every((name) => classifyFileName(name).kind === 'message'), 'no temporary left behind');
  }),
);

t.test('concurrent writes from one writer get distinct ordinals in call order', (t) =>
  withTempDir(async (dir) => {
    const writer = await createMessageWriter(dir);
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => writer.write(`{"n":${n}}`, 'json')));
    t.same(results.map((r) => r.ordinal), Array.from({ length: 50 }, (_, n) => n));
    t.equal((await readdir(dir)).length, 50);
  }),
);

t.test('beforePublish learns the final name before any reader can see the file', (t) =>
  withTempDir(async (dir) => {
    const writer = await createMessageWriter(dir);
    let named: string | undefined;
    let visibleWhenNamed: string[] | undefined;
    const written = await writer.write('{"a":1}', 'dm', {
      beforePublish: (name) => {
        named = name;
        visibleWhenNamed = readdirSync(dir).filter((file) => !file.startsWith('.'));
      },
    });
    t.equal(named, written.name, 'the hook gets the name the file is published under');
    t.same(visibleWhenNamed, [], 'at that moment no reader could see it yet');
    t.same(readdirSync(dir), [written.name]);
  }),
);

t.test('close: the writes already asked for are published, later ones are refused, and nothing else appears', (t) =>
  withTempDir(async (dir) => {
    const writer = await createMessageWriter(dir);
    const before = [writer.write('{"n":0}', 'dm'), writer.write('{"n":1}', 'dm')];
    const closing = writer.close();
    await t.rejects(writer.write('{"n":2}', 'dm'), { code: 'AGTALK_CLOSED' }, 'a write after close is refused');
    await closing;
    t.same((await Promise.all(before)).map((w) => w.ordinal), [0, 1], 'the writes asked for before close complete');
    t.same((await readdir(dir)).filter((name) => !name.startsWith('.')).length, 2, 'after close resolves the folder holds exactly them');
  }),
);
