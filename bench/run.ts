/**
 * npm run bench [-- --count N --warmup N]
 * How much agtalk + an adapter add to a DIDComm round trip: trust pings to the reference agent
 * through the folders and each built-in adapter process (HTTP, WebSocket, SMTP), then straight
 * over HTTP to the same agent, in the same run; then what an RFC 0019 envelope costs per message;
 * then a DID exchange connection set-up; then A2A SendMessage through agtalk + the A2A adapter vs a
 * direct POST; then the agtalk overhead per adapter (`overhead <adapter>: p50 <x> ms p99 <y> ms`,
 * the difference of the two sides' percentiles), with where each round trip's time goes; then
 * messages/s sustained through agtalk and the HTTP adapter; then the load engine (`--only load` runs
 * that part alone): the most iterations/s its http scenario drives against a trivial loopback
 * server, and its overhead per iteration; then oob-flow flows/s and the cost of a receiver process
 * (`--only oob` runs that alone); then virtual agents through the reference mediator, a short row
 * (`--only topology [--agents N]`: 1,000 agents at rising rates, with memory per agent). The folders live in the system's temporary folder:
 * TMPDIR=/dev/shm measures them on tmpfs.
 */
import { parseArgs } from 'node:util';
import { startReferenceAgent } from '../reference-agent/index.js';
import { openAgtalkPath, type AgentUnderTest } from './agtalk-round-trip.js';
import { openDirectPath } from './direct-round-trip.js';
import { measureA2aRoundTrips } from './a2a-round-trip.js';
import { measureEnvelopeCost } from './envelope-cost.js';
import { measureDidExchange } from './did-exchange-cost.js';
import { formatBreakdown, StageTimeline, type StageStep } from './stage-breakdown.js';
import { formatTable, LatencyRecorder, type LatencySummary } from './stats.js';
import { formatThroughput, measureThroughput } from './throughput.js';
import { setupAgent } from './trust-ping.js';
import { formatEngineTable, measureEngineOverhead, measureHttpThroughput } from './load-engine.js';
import { formatOobTable, measureOobInline, measureOobProcess } from './oob-flow.js';
import { formatTopologyScale, measureTopologyScale } from './topology-scale.js';

/** Round trips per side before switching to the other. */
const BLOCK = 10;
/** Round trips traced stage by stage, apart from the timed ones. */
const TRACED = 200;
const HTTP_STEPS: StageStep[] = [
  { source: 'bench', stage: 'writer.renamed', label: 'bench: outbox write (temp file + rename)' },
  { source: 'adapter', stage: 'reader.event', label: 'adapter: watch event' },
  { source: 'adapter', stage: 'reader.found', label: 'adapter: from event to file picked (listing, ordering)' },
  { source: 'adapter', stage: 'reader.read', label: 'adapter: read file' },
  { source: 'adapter', stage: 'http.journaled', label: "adapter: journal 'sending'" },
  { source: 'adapter', stage: 'http.inbound', label: 'agent: POST, handling, reply POST back (the direct path has this too)' },
  { source: 'adapter', stage: 'writer.renamed', label: 'adapter: inbox write (temp file + rename)' },
  { source: 'bench', stage: 'reader.event', label: 'bench: watch event' },
  { source: 'bench', stage: 'reader.found', label: 'bench: from event to file picked (listing, ordering)' },
  { source: 'bench', stage: 'reader.read', label: 'bench: read + parse file' },
];
const A2A_STEPS: StageStep[] = [
  { source: 'bench', stage: 'writer.renamed', label: 'bench: outbox write (temp file + rename)' },
  { source: 'adapter', stage: 'reader.event', label: 'adapter: watch event' },
  { source: 'adapter', stage: 'reader.found', label: 'adapter: from event to file picked (listing, ordering)' },
  { source: 'adapter', stage: 'reader.read', label: 'adapter: read file' },
  { source: 'adapter', stage: 'a2a.parsed', label: 'adapter: parse request file' },
  { source: 'adapter', stage: 'a2a.response', label: 'agent: request to response headers (the direct path has this too)' },
  { source: 'adapter', stage: 'a2a.body', label: 'adapter: response body' },
  { source: 'adapter', stage: 'writer.renamed', label: 'adapter: inbox write (temp file + rename)' },
  { source: 'bench', stage: 'reader.event', label: 'bench: watch event' },
  { source: 'bench', stage: 'reader.found', label: 'bench: from event to file picked (listing, ordering)' },
  { source: 'bench', stage: 'reader.read', label: 'bench: read + parse file' },
];
let httpBreakdown: { label: string; p50Ms: number }[] = [];

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, warmup: { type: 'string', default: '20' }, only: { type: 'string' }, agents: { type: 'string' } } });
const count = Number(values.count);
const warmup = Number(values.warmup);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(warmup) || warmup < 0) {
  process.stderr.write('usage: node dist/bench/run.js [--count N (≥ 1, default 1000)] [--warmup N (default 20)] [--only load|oob|topology [--agents N (default 1000)]]\n');
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

async function benchOobFlow(): Promise<void> {
  process.stdout.write(`\noob-flow: inline receivers against the built-in reference agent (WebSocket; a fresh agent per row), ${OOB_FLOWS_PER_VU} flows per VU (at most ${OOB_MAX_FLOWS}); latency per step from the intended start\n`);
  const rows = await measureOobInline([1, 8, 32], OOB_FLOWS_PER_VU, OOB_MAX_FLOWS);
  process.stdout.write(`${formatOobTable(rows)}\n`);
  const cost = await measureOobProcess(4, 40);
  process.stdout.write(`${formatOobTable([cost.row])}\n`);
  const inline = rows.at(-1)!;
  process.stdout.write(
    `process receivers: ${cost.cpuMsPerReceiver.toFixed(0)} ms of CPU per agtest-receive process (${cost.receivers} processes, children's user + system time), peak RSS ${cost.memoryMbMax.toFixed(0)} MB; ` +
      `an inline flow costs agtest ${inline.generatorCpuMsPerFlow.toFixed(2)} ms of CPU (${inline.label})\n`,
  );
}

const OOB_FLOWS_PER_VU = 40;
const OOB_MAX_FLOWS = 1000;

/** Virtual agents through the reference mediator: `--only topology` (1,000 agents by default), or a short row in the default run. */
async function benchTopology(agents: number, rates: readonly number[], messages: number): Promise<void> {
  if (!Number.isSafeInteger(agents) || agents < 3) {
    process.stderr.write('--agents must be an integer of at least 3\n');
    process.exit(2);
  }
  process.stdout.write(`\nvirtual agents (ring topology) through the built-in reference mediator, ${messages} trust pings per row, latency from the intended send\n`);
  process.stdout.write(`${formatTopologyScale(agents, await measureTopologyScale(agents, rates, messages))}\n`);
}

if (values.only === 'topology') {
  await benchTopology(Number(values.agents ?? 1000), [100, 200, 400], 1000);
  process.exit(0);
}

if (values.only === 'load' || values.only === 'oob') {
  if (values.only === 'load') await benchLoadEngine();
  await benchOobFlow();
  process.exit(0);
}

const summaries: LatencySummary[] = [];
let httpPair: [LatencySummary, LatencySummary] | undefined;
for (const transport of ['http', 'ws', 'smtp'] as const) {
  const agent = await startReferenceAgent({ faults: [], transport });
  try {
    if (transport === 'http') {
      httpPair = await measureSideBySide(agent);
      httpBreakdown = await traceAgtalkHttp(agent);
      summaries.push(httpPair[0]);
    } else {
      const path = await openAgtalkPath(agent, transport);
      const recorder = new LatencyRecorder(`agtalk+${transport} adapter`);
      try {
        await setupAgent(agent.backchannel, path.endpoint);
        for (let i = 0; i < warmup + count; i++) {
          const ms = await path.roundTrip();
          if (i >= warmup) recorder.recordMs(ms);
        }
      } finally {
        await path.close();
      }
      summaries.push(recorder.summary());
    }
  } finally {
    await agent.close();
  }
}
const [http, direct] = httpPair!;
process.stdout.write(`trust ping round trips to the reference agent (${count} each after ${warmup} warm-up; http and direct alternate in blocks of ${BLOCK})\n`);
process.stdout.write(`${formatTable([...summaries, direct])}\n`);
process.stdout.write(`ratio agtalk+http/direct p50=${(http.p50Ms / direct.p50Ms).toFixed(1)}x p99=${(http.p99Ms / direct.p99Ms).toFixed(1)}x\n`);
process.stdout.write(`where an agtalk+http round trip goes (p50 per stage, ${TRACED} more trips with stage tracing on):\n${formatBreakdown(httpBreakdown)}\n`);
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
const a2aTimeline = new StageTimeline();
await measureA2aRoundTrips(TRACED, warmup, a2aTimeline);
a2aTimeline.close();
process.stdout.write(`${formatTable(a2a)}\n`);
process.stdout.write(`ratio agtalk+a2a/direct p50=${(a2a[0]!.p50Ms / a2a[1]!.p50Ms).toFixed(1)}x\n`);
process.stdout.write(`where an agtalk+a2a round trip goes (p50 per stage, ${TRACED} more trips with stage tracing on):\n${formatBreakdown(a2aTimeline.breakdown(A2A_STEPS, 'bench: handler resolves'))}\n`);

process.stdout.write(`\n${overheadLine('http', http, direct)}\n${overheadLine('a2a', a2a[0]!, a2a[1]!)}\n`);

process.stdout.write(`\nsustained throughput: agtalk → HTTP adapter process → loopback receiver (order and loss checked)\n`);
const rates = [
  await measureThroughput('pipelined, at most 512 in flight', 10_000),
  await measureThroughput('paced at 2,000 msg/s', 6_000, 2_000),
  // Below the ceiling, latency is the path's own rather than time spent queued.
  await measureThroughput('paced at 1,000 msg/s', 3_000, 1_000),
];
for (const rate of rates) process.stdout.write(`${formatThroughput(rate)}\n`);
if (rates.some((rate) => rate.lost > 0 || rate.outOfOrder > 0 || rate.duplicates > 0)) {
  process.stderr.write('throughput run lost, reordered or doubled messages\n');
  process.exitCode = 1;
}

await benchLoadEngine();
await benchTopology(100, [100], 300);

/**
 * agtalk+http and direct, in alternating blocks (the agent's reply endpoint is switched between
 * blocks), so that a burst of load from another process falls on both sides alike.
 */
async function measureSideBySide(agent: AgentUnderTest): Promise<[LatencySummary, LatencySummary]> {
  const viaAgtalk = await openAgtalkPath(agent, 'http');
  const straight = await openDirectPath(agent);
  const recorders = [new LatencyRecorder('agtalk+http adapter'), new LatencyRecorder('direct http')] as const;
  try {
    for (let done = -warmup; done < count; done += BLOCK) {
      for (const [k, path] of [viaAgtalk, straight].entries()) {
        await setupAgent(agent.backchannel, path.endpoint);
        for (let i = done; i < Math.min(done + BLOCK, count); i++) {
          const ms = await path.roundTrip();
          if (i >= 0) recorders[k].recordMs(ms);
        }
      }
    }
  } finally {
    await viaAgtalk.close();
    await straight.close();
  }
  return [recorders[0].summary(), recorders[1].summary()];
}

/**
 * Where the time goes, in a run of its own: tracing costs a stderr line per stage in the adapter
 * process, which the timed runs above must not pay.
 */
async function traceAgtalkHttp(agent: AgentUnderTest): Promise<{ label: string; p50Ms: number }[]> {
  const timeline = new StageTimeline();
  const path = await openAgtalkPath(agent, 'http', timeline);
  try {
    await setupAgent(agent.backchannel, path.endpoint);
    for (let i = 0; i < TRACED; i++) await path.roundTrip();
  } finally {
    await path.close();
    timeline.close();
  }
  return timeline.breakdown(HTTP_STEPS, 'bench: handler resolves');
}

function overheadLine(adapter: string, through: LatencySummary, straight: LatencySummary): string {
  return `overhead ${adapter}: p50 ${(through.p50Ms - straight.p50Ms).toFixed(3)} ms p99 ${(through.p99Ms - straight.p99Ms).toFixed(3)} ms`;
}

