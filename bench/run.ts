/**
 * npm run bench [-- --count N --warmup N]
 * How much agtalk + an adapter add to a DIDComm round trip: trust pings to the reference agent
 * through the folders and each built-in adapter process (HTTP, WebSocket, SMTP), then straight
 * over HTTP to the same agent, in the same run; then what an RFC 0019 envelope costs per message;
 * then a DID exchange connection set-up; then A2A SendMessage through agtalk + the A2A adapter vs a
 * direct POST; then the load engine (`--only load` runs that part alone): the most iterations/s its
 * http scenario drives against a trivial loopback server, and its overhead per iteration.
 */
import { parseArgs } from 'node:util';
import { startReferenceAgent } from '../reference-agent/index.js';
import { measureAgtalkRoundTrips } from './agtalk-round-trip.js';
import { measureDirectRoundTrips } from './direct-round-trip.js';
import { measureA2aRoundTrips } from './a2a-round-trip.js';
import { measureEnvelopeCost } from './envelope-cost.js';
import { measureDidExchange } from './did-exchange-cost.js';
import { formatTable, LatencyRecorder } from './stats.js';
import { formatEngineTable, measureEngineOverhead, measureHttpThroughput } from './load-engine.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '300' }, warmup: { type: 'string', default: '20' }, only: { type: 'string' } } });
const count = Number(values.count);
const warmup = Number(values.warmup);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(warmup) || warmup < 0) {
  process.stderr.write('usage: node dist/bench/run.js [--count N (≥ 1, default 300)] [--warmup N (default 20)] [--only load]\n');
  process.exit(2);
}

async function benchLoadEngine(): Promise<void> {
  process.stdout.write(`\nload engine: http scenario (raw client, then undici) and autocannon against a trivial loopback server (another process), 3 s per row\n`);
  const { rows, autocannon } = await measureHttpThroughput(3000, [1, 8, 32, 128]);
  process.stdout.write(`${formatEngineTable(rows)}\n`);
  for (const [i, cannon] of autocannon.entries()) {
    const [raw, undici] = [rows[2 * i]!, rows[2 * i + 1]!];
    process.stdout.write(`autocannon ${cannon.connections} connections: ${cannon.perSecond.toFixed(0)} req/s (p50 ${cannon.p50Ms} ms, p99 ${cannon.p99Ms} ms); agtest/autocannon ${((raw.perSecond / cannon.perSecond) * 100).toFixed(0)}% (undici client ${((undici.perSecond / cannon.perSecond) * 100).toFixed(0)}%)\n`);
  }
  const overhead = await measureEngineOverhead(50_000);
  process.stdout.write(
    `engine overhead: ${overhead.engineUsPerIteration.toFixed(2)} µs per no-op iteration through the engine vs ${overhead.bareUsPerIteration.toFixed(2)} µs in a bare loop: ` +
      `${overhead.overheadUsPerIteration.toFixed(2)} µs per iteration (${overhead.iterations} iterations, 1 VU)\n`,
  );
}

if (values.only === 'load') {
  await benchLoadEngine();
  process.exit(0);
}

const summaries = [];
let direct;
for (const transport of ['http', 'ws', 'smtp'] as const) {
  const agent = await startReferenceAgent({ faults: [], transport });
  try {
    const recorder = new LatencyRecorder(`agtalk+${transport} adapter`);
    await measureAgtalkRoundTrips(agent, recorder, count, warmup, transport);
    summaries.push(recorder.summary());
    if (transport === 'http') {
      const recorderDirect = new LatencyRecorder('direct http');
      await measureDirectRoundTrips(agent, recorderDirect, count, warmup);
      direct = recorderDirect.summary();
    }
  } finally {
    await agent.close();
  }
}
const [http] = summaries;
process.stdout.write(`trust ping round trips to the reference agent (${count} each after ${warmup} warm-up)\n`);
process.stdout.write(`${formatTable([...summaries, direct!])}\n`);
process.stdout.write(`ratio agtalk+http/direct p50=${(http!.p50Ms / direct!.p50Ms).toFixed(1)}x p99=${(http!.p99Ms / direct!.p99Ms).toFixed(1)}x\n`);
process.stdout.write(`\nenvelope cost per message, no transport (${count} each after ${warmup} warm-up)\n`);
process.stdout.write(`${formatTable(await measureEnvelopeCost(count, warmup))}\n`);
process.stdout.write(`\nconnection set-up with the reference agent over HTTP, direct (${count} each after ${warmup} warm-up)\n`);
const exchangeAgent = await startReferenceAgent({ faults: [], transport: 'http' });
try {
  process.stdout.write(`${formatTable(await measureDidExchange(exchangeAgent, count, warmup))}\n`);
} finally {
  await exchangeAgent.close();
}
process.stdout.write(`\nA2A SendMessage (non-blocking) round trips to the reference A2A agent (${count} each after ${warmup} warm-up)\n`);
const a2a = await measureA2aRoundTrips(count, warmup);
process.stdout.write(`${formatTable(a2a)}\n`);
process.stdout.write(`ratio agtalk+a2a/direct p50=${(a2a[0]!.p50Ms / a2a[1]!.p50Ms).toFixed(1)}x\n`);
await benchLoadEngine();
