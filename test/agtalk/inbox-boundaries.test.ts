import { execa } from 'execa';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createMessageWriter, watchMessages, type GarbageFile } from '../../agtalk/index.js';
import { waitFor, withTempDir } from './helpers.js';

// The inbox reads only regular files directly in it (issue 23): a link is never followed, a
// FIFO never opened for reading, and quarantined garbage is bounded.

t.test('a symbolic link and a FIFO in the inbox are findings, never read; delivery goes on', (t) =>
  withTempDir(async (dir) => {
    const inbox = join(dir, 'inbox');
    await mkdir(inbox);
    const secret = join(dir, 'secret.json');
    await writeFile(secret, '{"@type":"https://didcomm.org/trust_ping/1.0/ping","secret":"outside the inbox"}');
    await symlink(secret, join(inbox, '000001--link.dm'));
    await execa('mkfifo', [join(inbox, '000002--fifo.dm')]);
    const garbage: GarbageFile[] = [];
    const delivered: { name: string; body: string }[] = [];
    const reader = await watchMessages(inbox, { garbageDir: join(dir, 'garbage'), onGarbage: (g) => void garbage.push(g), onMessage: (f) => void delivered.push({ name: f.name, body: f.bytes.toString() }) });
    const writer = await createMessageWriter(inbox);
    const good = await writer.write('{"ok":1}', 'dm');
    await waitFor('the good message', () => delivered.some((d) => d.name === good.name));
    await reader.close();
    t.same(delivered.map((d) => d.name), [good.name], 'only the regular file is delivered');
    t.notOk(delivered.some((d) => d.body.includes('outside the inbox')), 'the link target was never read');
    t.same(garbage.map((g) => [g.name, g.reason]), [
      ['000001--link.dm', 'not a regular file (symbolic link); not read'],
      ['000002--fifo.dm', 'not a regular file (FIFO); not read'],
    ]);
    t.equal(await readFile(secret, 'utf8'), '{"@type":"https://didcomm.org/trust_ping/1.0/ping","secret":"outside the inbox"}', 'the target is untouched');
    t.notOk((await readdir(inbox)).includes('000001--link.dm'), 'the link itself is removed from the inbox');
  }),
);

t.test('quarantined garbage is capped per file and in total; the overflow is counted, not stored', (t) =>
  withTempDir(async (dir) => {
    const inbox = join(dir, 'inbox');
    const garbageDir = join(dir, 'garbage');
    await mkdir(inbox);
    // 6 × 50 bytes and one of 200: per file ≤ 100, total ≤ 250 → five small ones kept.
    for (let i = 1; i <= 6; i++) await writeFile(join(inbox, `00000${i}--g.dm`), 'x'.repeat(50));
    await writeFile(join(inbox, '000007--big.dm'), 'y'.repeat(200));
    const garbage: GarbageFile[] = [];
    const reader = await watchMessages(inbox, { garbageDir, garbageCap: { perFileBytes: 100, totalBytes: 250 }, onGarbage: (g) => void garbage.push(g), onMessage: () => undefined });
    await reader.settled();
    await reader.close();
    t.equal(garbage.length, 7, 'every garbage file is reported');
    t.equal((await readdir(garbageDir)).length, 5, 'five kept, within the total cap');
    t.same(reader.quarantineOverflow, { files: 2, bytes: 250 }, 'the sixth small one (total) and the big one (per file) counted');
    t.same(await readdir(inbox), [], 'nothing left in the inbox');
  }),
);
