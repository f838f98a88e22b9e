/**
 * Virtual agents at scale (issue 18, Scale): N agents mediated by the built-in reference mediator
 * (a child process), set up once, then ring-topology runs at rising offered rates. Reports the
 * memory per virtual agent (agtest's heap and RSS growth over the setup, divided by N), the
 * mediator's memory, and per rate the answered pings per second, p50/p99 from the intended send,
 * agtest's and the mediator's CPU, and whether the run was suspect (agtest the bottleneck).
 */
import { runTopologySweep, type TopologyReport } from '../load/index.js';

export interface TopologyScale {
  report: TopologyReport;
  rows: { offered: number; perSecond: number; p50Ms: number; p99Ms: number; errors: number; dropped: number; generatorCpu: number; mediatorCpu: number; mediatorMb: number; suspect: string[] }[];
}

export async function measureTopologyScale(agents: number, rates: readonly number[], messages: number): Promise<TopologyScale> {
  const report = await runTopologySweep({
    agentCounts: [agents],
    messageCounts: [messages],
    topologies: ['ring'],
    // Offered rate = agents × 1000 / interval.
    intervalsMs: rates.map((rate) => Math.max(1, Math.round((agents * 1000) / rate))),
    repeat: 1,
    fanout: 2,
    timeoutMs: 10_000,
    maxInFlight: 2000,
    allowRemote: false,
    log: () => undefined,
  });
  const rows = report.results.map((run, i) => {
    const mediator = run.health.watched.find((w) => w.role === 'agent');
    return {
      offered: rates[i]!,
      perSecond: run.throughput_msg_per_sec,
      p50Ms: run.p50_latency_ms,
      p99Ms: run.p99_latency_ms,
      errors: run.errors,
      dropped: run.dropped,
      generatorCpu: run.health.generator.cpu_percent_mean,
      mediatorCpu: mediator?.cpu_percent_mean ?? 0,
      mediatorMb: mediator?.memory_mb_max ?? 0,
      suspect: run.suspect_reasons,
    };
  });
  return { report, rows };
}

export function formatTopologyScale(agents: number, scale: TopologyScale): string {
  const setup = scale.report.setup;
  const lines = [
    `${agents} virtual agents mediated in ${setup.duration_s} s; memory per virtual agent: heap ${setup.heap_kb_per_agent} KB, RSS ${setup.rss_kb_per_agent} KB (agtest's growth over the setup / ${agents}${typeof global.gc === 'function' ? '' : '; heap without a collection at both ends: run node --expose-gc dist/bench/run.js for an exact figure'})`,
    'offered/s  answered/s  p50 ms  p99 ms  errors  dropped  agtest CPU %  mediator CPU %  mediator MB  suspect',
  ];
  for (const r of scale.rows) {
    lines.push(`${String(r.offered).padStart(9)}  ${String(r.perSecond).padStart(10)}  ${r.p50Ms.toFixed(1).padStart(6)}  ${r.p99Ms.toFixed(1).padStart(6)}  ${String(r.errors).padStart(6)}  ${String(r.dropped).padStart(7)}  ${String(r.generatorCpu).padStart(12)}  ${String(r.mediatorCpu).padStart(14)}  ${String(r.mediatorMb).padStart(11)}  ${r.suspect.length ? `yes (${r.suspect[0]})` : 'no'}`);
  }
  return lines.join('\n');
}
