import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapterCommand, launchAdapter } from '../adapters/index.js';
import { createMessageWriter } from '../agtalk/index.js';
import { LatencyRecorder, type LatencySummary } from './stats.js';

export interface ThroughputResult {
  label: string;
  messages: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  lost: number;
  outOfOrder: number;
  duplicates: number;
}

/** Messages written but not yet at the receiver, at most (the pipeline's depth). */
const WINDOW = 512;

/**
 * Messages pipelined through agtalk and the HTTP adapter process to a loopback receiver: the
 * writer keeps up to WINDOW messages in flight (or paces itself at `ratePerSecond`), the
 * receiver checks that each carries the next sequence number. Latency is write → receipt.
 */
export async function measureThroughput(label: string, count: number, ratePerSecond?: number, env?: Record<string, string>): Promise<ThroughputResult> {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-bench-rate-'));
  const writtenAt: number[] = new Array<number>(count);
  const latency = new LatencyRecorder(label);
  let received = 0;
  let expected = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  const arrived = new Set<number>();
  let wake: (() => void) | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      response.writeHead(202).end();
      const { n } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { n: number };
      if (arrived.has(n)) duplicates++;
      else {
        arrived.add(n);
        received++;
        latency.recordMs(at - writtenAt[n]!);
      }
      if (n !== expected) outOfOrder++;
      expected = n + 1;
      wake?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const outbox = join(dir, 'outbox');
  const adapter = await launchAdapter({ name: 'http', command: builtinAdapterCommand('http'), outbox, inbox: join(dir, 'inbox'), target, ...(env ? { env } : {}) });
  try {
    const writer = await createMessageWriter(outbox);
    const until = (condition: () => boolean, timeoutMs = 60_000): Promise<void> =>
      new Promise((resolve, reject) => {
        if (condition()) return resolve();
        const timer = setTimeout(() => reject(new Error(`${label}: ${received} of ${count} arrived; gave up after ${timeoutMs} ms`)), timeoutMs);
        wake = () => {
          if (!condition()) return;
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    const started = performance.now();
    for (let n = 0; n < count; n++) {
      if (ratePerSecond) {
        const due = started + (n * 1000) / ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      if (n - received >= WINDOW) await until(() => n - received < WINDOW);
      writtenAt[n] = performance.now();
      void writer.write(JSON.stringify({ '@type': 'https://example.org/seq/1.0/n', n }), 'dm');
    }
    await until(() => received >= count);
    const seconds = (performance.now() - started) / 1000;
    // Whatever is late or doubled shows up here, before the count is taken.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const left = (await readdir(outbox)).filter((name) => !name.startsWith('.'));
    if (left.length > 0) throw new Error(`${label}: ${left.length} files left in the outbox`);
    return { label, messages: count, seconds, perSecond: count / seconds, latency: latency.summary(), lost: count - received, outOfOrder, duplicates };
  } finally {
    await adapter.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatThroughput(result: ThroughputResult): string {
  const { latency } = result;
  return `${result.label}: ${result.messages} messages in ${result.seconds.toFixed(2)} s = ${Math.round(result.perSecond)} msg/s sustained; write→receipt p50 ${latency.p50Ms.toFixed(3)} ms p99 ${latency.p99Ms.toFixed(3)} ms; lost ${result.lost}, out of order ${result.outOfOrder}, duplicates ${result.duplicates}`;
}
