/**
 * npm run bench [-- --count N --warmup N]
 * How much agtalk + the HTTP adapter add to a DIDComm round trip: trust pings to the reference
 * agent through the folders and the adapter process, then straight over HTTP, same agent, same run.
 */
import { parseArgs } from 'node:util';
import { startReferenceAgent } from '../reference-agent/index.js';
import { measureAgtalkRoundTrips } from './agtalk-round-trip.js';
import { measureDirectRoundTrips } from './direct-round-trip.js';
import { formatTable, LatencyRecorder } from './stats.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '300' }, warmup: { type: 'string', default: '20' } } });
const count = Number(values.count);
const warmup = Number(values.warmup);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(warmup) || warmup < 0) {
  process.stderr.write('usage: node dist/bench/run.js [--count N (≥ 1, default 300)] [--warmup N (default 20)]\n');
  process.exit(2);
}

const agent = await startReferenceAgent({ faults: [] });
try {
  const viaAgtalk = new LatencyRecorder('agtalk+http adapter');
  const direct = new LatencyRecorder('direct http');
  await measureAgtalkRoundTrips(agent, viaAgtalk, count, warmup);
  await measureDirectRoundTrips(agent, direct, count, warmup);
  const a = viaAgtalk.summary();
  const d = direct.summary();
  process.stdout.write(`trust ping round trips to the reference agent (${count} each after ${warmup} warm-up)\n`);
  process.stdout.write(`${formatTable([a, d])}\n`);
  process.stdout.write(`ratio agtalk/direct p50=${(a.p50Ms / d.p50Ms).toFixed(1)}x p99=${(a.p99Ms / d.p99Ms).toFixed(1)}x\n`);
} finally {
  await agent.close();
}
