import t from 'tap';
import { classifyFileName, type MessageFileName } from '../../agtalk/index.js';
import { PendingFiles } from '../../agtalk/pending-files.js';

const file = (ordinal: number, id = 'a'): MessageFileName => {
  const verdict = classifyFileName(`${String(ordinal).padStart(6, '0')}--${id}.dm`);
  if (verdict.kind !== 'message') throw new Error('not a message name');
  return verdict.file;
};
const drain = (pending: PendingFiles): number[] => {
  const out: number[] = [];
  for (let next = pending.take(); next; next = pending.take()) out.push(next.ordinal);
  return out;
};

t.test('files added in order come out in order', (t) => {
  const pending = new PendingFiles();
  for (let n = 0; n < 3000; n++) pending.add(file(n));
  t.same(drain(pending), Array.from({ length: 3000 }, (_, n) => n));
  t.end();
});

t.test('files added out of order, and again after some were taken, still come out lowest first', (t) => {
  const pending = new PendingFiles();
  for (const n of [5, 1, 9, 3]) pending.add(file(n));
  t.equal(pending.take()?.ordinal, 1);
  for (const n of [2, 8, 0]) pending.add(file(n));
  t.same(drain(pending), [0, 2, 3, 5, 8, 9]);
  t.end();
});

t.test('a name added twice is taken once; equal ordinals are ordered by name', (t) => {
  const pending = new PendingFiles();
  pending.add(file(4, 'b'));
  pending.add(file(4, 'a'));
  pending.add(file(4, 'b'));
  t.same([pending.take()?.name, pending.take()?.name, pending.take()], ['000004--a.dm', '000004--b.dm', undefined]);
  t.end();
});

t.test('after many takes (the taken prefix is dropped) order and contents hold', (t) => {
  const pending = new PendingFiles();
  for (let n = 0; n < 5000; n += 2) pending.add(file(n));
  const first = Array.from({ length: 2000 }, () => pending.take()!.ordinal);
  for (let n = 4001; n < 5000; n += 2) pending.add(file(n));
  const rest = drain(pending);
  t.same(first, Array.from({ length: 2000 }, (_, i) => i * 2));
  t.same(rest, Array.from({ length: 1000 }, (_, i) => 4000 + i));
  t.end();
});
