import t from 'tap';
import { formatEventLine, parseAdapterArgs, parseEventLine } from '../../adapters/index.js';

t.test('argv: the three folder/target flags are required; other flags pass through without a spec', async (t) => {
  const parsed = parseAdapterArgs(['--verbose', '--outbox', 'o', '--inbox=i', '--target', 'smtp://x', '--rate', '-5']);
  t.same(parsed, { ok: true, args: { outbox: 'o', inbox: 'i', target: 'smtp://x', flags: { verbose: true, rate: '-5' } } });
  t.same(parseAdapterArgs(['--outbox', 'o', '--inbox', 'i']), { ok: false, problem: 'missing --target' });
  t.same(parseAdapterArgs(['--outbox', 'o', 'stray']), { ok: false, problem: 'unexpected argument "stray"' });
});

t.test('argv with a spec: unknown flags and missing values are usage errors', async (t) => {
  const spec = { retries: { type: 'string' }, dry: { type: 'boolean' } } as const;
  const base = ['--outbox', 'o', '--inbox', 'i', '--target', 'http://x/'];
  t.same(parseAdapterArgs([...base, '--retries', '3', '--dry'], spec), { ok: true, args: { outbox: 'o', inbox: 'i', target: 'http://x/', flags: { retries: '3', dry: true } } });
  t.same(parseAdapterArgs([...base, '--retry', '3'], spec), { ok: false, problem: 'unknown flag --retry' });
  t.same(parseAdapterArgs([...base, '--retries'], spec), { ok: false, problem: '--retries needs a value' });
  t.same(parseAdapterArgs([...base, '--dry=yes'], spec), { ok: false, problem: '--dry takes no value' });
});

t.test('event lines: one JSON object per line; malformed events are rejected, not trusted', async (t) => {
  const ready = { type: 'ready', adapter: 'http', endpoint: 'http://127.0.0.1:1/' } as const;
  t.equal(formatEventLine(ready), `${JSON.stringify(ready)}\n`);
  t.same(parseEventLine(JSON.stringify(ready)), ready);
  t.same(parseEventLine('{"type":"sent","file":"000001--a.dm","durationMs":3}'), { type: 'sent', file: '000001--a.dm', durationMs: 3 });
  for (const bad of ['not json', '[]', '{"type":"ready"}', '{"type":"sent","file":"x"}', '{"type":"received","file":"x","contentType":"a","via":"carrier-pigeon"}', '{"type":"exploded"}', '{"type":"undeliverable","file":"x","status":"404","reason":"r"}']) {
    t.equal(parseEventLine(bad), undefined, bad);
  }
});
