import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { watchMessages, type ReceivedFile } from '../../agtalk/index.js';
import { waitFor, withTempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/write-large.mjs', import.meta.url));

/** Reads while another process writes 1 MiB files; returns the names that arrived incomplete. */
async function raceReader(dir: string, mode: 'atomic' | 'torn', count: number) {
  const writer = execa(process.execPath, [fixture, dir, String(count), mode], { reject: false });
  // Start reading only once the writer is visibly at work, so the two really overlap.
  await waitFor('the writer to start', async () => (await readdir(dir).catch(() => [])).length > 0);
  const partial: string[] = [];
  const names: string[] = [];
  const reader = await watchMessages(dir, {
    decodeJson: false,
    onMessage(file: ReceivedFile) {
      names.push(file.name);
      const newline = file.bytes.indexOf(10);
      const header = newline > 0 ? (JSON.parse(file.bytes.subarray(0, newline).toString()) as { length: number; sha256: string }) : undefined;
      const body = file.bytes.subarray(newline + 1);
      if (!header || body.length !== header.length || createHash('sha256').update(body).digest('hex') !== header.sha256) partial.push(file.name);
    },
  });
  const result = await writer;
  await reader.settled();
  await reader.close();
  return { result, partial, names };
}

t.test('a reader racing another process that writes 1 MiB files never sees a partial file', (t) =>
  withTempDir(async (dir) => {
    const { result, partial, names } = await raceReader(dir, 'atomic', 40);
    t.equal(result.exitCode, 0, String(result.stderr));
    t.equal(names.length, 40, 'every file read once');
    t.same(names, [...names].sort(), 'in ordinal order');
    t.same(partial, [], 'every file was complete when read');
  }),
);

t.test('control: the same check does catch files written in place', (t) =>
  withTempDir(async (dir) => {
    const { result, partial } = await raceReader(dir, 'torn', 3);
    t.equal(result.exitCode, 0, String(result.stderr));
    t.ok(partial.length > 0, `partial reads detected (${partial.length} of 3)`);
  }),
);
