/**
 * Generator health: is agtest itself able to drive the load it was asked for? Event-loop delay
 * (monitorEventLoopDelay), agtest's CPU and memory, the watched processes' (pidusage) and the
 * host's, sampled once a second. A run whose event loop or CPU went past a stated bound is suspect:
 * its latencies may be the generator's, not the agent's.
 */
import { loadavg, freemem, totalmem, availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import pidusage from 'pidusage';

export interface HealthBounds {
  /** Event-loop delay p99 above this (ms) makes the run suspect. */
  maxEventLoopP99Ms: number;
  /** agtest's CPU (percent of one core, averaged over the run) above this makes the run suspect. */
  maxCpuPercent: number;
  /**
   * Event-loop utilization (0-1: the share of the run the loop was busy) above this makes the run
   * suspect. It catches a generator starved of CPU by other processes, which its CPU share misses.
   */
  maxEventLoopUtilization?: number;
}

export const DEFAULT_HEALTH_BOUNDS: HealthBounds = { maxEventLoopP99Ms: 50, maxCpuPercent: 90, maxEventLoopUtilization: 0.95 };

export interface ProcessUsage {
  role: 'receiver' | 'agent';
  processes: number;
  cpu_percent_max: number;
  cpu_percent_mean: number;
  memory_mb_max: number;
}

export interface HealthSample {
  t_s: number;
  cpu_percent: number;
  rss_mb: number;
  event_loop_max_ms: number;
}

export interface HealthReport {
  bounds: HealthBounds;
  event_loop: { p50_ms: number; p99_ms: number; max_ms: number; mean_ms: number; utilization: number };
  generator: { cpu_percent_mean: number; cpu_percent_max: number; rss_mb_max: number; heap_mb_max: number };
  watched: ProcessUsage[];
  host: { cpus: number; loadavg_1m_max: number; free_mb_min: number; total_mb: number };
  samples: HealthSample[];
  suspect: boolean;
  suspect_reasons: string[];
}

export interface HealthMonitor {
  watch(pid: number, role: 'receiver' | 'agent'): void;
  stop(): Promise<HealthReport>;
}

const MB = 1024 * 1024;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
/** Watched processes are sampled in batches of at most this many pids a second (bounded cost). */
const MAX_PIDS_PER_SAMPLE = 256;

interface RoleStats {
  pids: Set<number>;
  cpuMax: number;
  cpuSum: number;
  cpuSamples: number;
  memMax: number;
}

/** The event-loop monitor's timer period, ms: every value it records includes it. */
const LOOP_RESOLUTION_MS = 10;

export function startHealthMonitor(bounds: HealthBounds = DEFAULT_HEALTH_BOUNDS, intervalMs = 1000): HealthMonitor {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  // Its values are whole timer periods (≈ 10 ms when idle): the delay is what exceeds the period.
  const delayMs = (ns: number) => (loop.count > 0 ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0);
  loop.enable();
  const startCpu = process.cpuUsage();
  const startWall = performance.now();
  const startElu: EventLoopUtilization = performance.eventLoopUtilization();
  let lastCpu = process.cpuUsage();
  let lastWall = startWall;
  let loopMaxSeen = 0;
  const samples: HealthSample[] = [];
  let cpuMax = 0;
  let rssMax = 0;
  let heapMax = 0;
  let loadMax = loadavg()[0] ?? 0;
  let freeMin = freemem();
  const live = new Map<number, 'receiver' | 'agent'>();
  const roles = new Map<'receiver' | 'agent', RoleStats>();
  let sampling: Promise<void> | undefined;

  const sampleWatched = async () => {
    const pids = [...live.keys()].slice(0, MAX_PIDS_PER_SAMPLE);
    if (pids.length === 0) return;
    const usage = await pidusage(pids).catch(() => ({}) as Record<number, pidusage.Status>);
    for (const pid of pids) {
      const status = (usage as Record<number, pidusage.Status | undefined>)[pid];
      const role = live.get(pid)!;
      // A pid with no answer has exited: stop asking about it.
      if (!status) {
        live.delete(pid);
        continue;
      }
      const stats = roles.get(role)!;
      stats.cpuMax = Math.max(stats.cpuMax, status.cpu);
      stats.cpuSum += status.cpu;
      stats.cpuSamples += 1;
      stats.memMax = Math.max(stats.memMax, status.memory);
    }
  };

  const sample = () => {
    const wall = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, wall - lastWall)) * 100;
    lastCpu = process.cpuUsage();
    lastWall = wall;
    const memory = process.memoryUsage();
    const loopMax = delayMs(loop.max);
    samples.push({ t_s: round((wall - startWall) / 1000, 3), cpu_percent: round(cpuPercent), rss_mb: round(memory.rss / MB), event_loop_max_ms: round(Math.max(0, loopMax - loopMaxSeen), 3) });
    loopMaxSeen = Math.max(loopMaxSeen, loopMax);
    cpuMax = Math.max(cpuMax, cpuPercent);
    rssMax = Math.max(rssMax, memory.rss);
    heapMax = Math.max(heapMax, memory.heapUsed);
    loadMax = Math.max(loadMax, loadavg()[0] ?? 0);
    freeMin = Math.min(freeMin, freemem());
    if (!sampling && live.size > 0) sampling = sampleWatched().finally(() => (sampling = undefined));
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();

  return {
    watch(pid, role) {
      live.set(pid, role);
      let stats = roles.get(role);
      if (!stats) roles.set(role, (stats = { pids: new Set(), cpuMax: 0, cpuSum: 0, cpuSamples: 0, memMax: 0 }));
      stats.pids.add(pid);
      // pidusage's first reading of a pid measures nothing (two reads a moment apart): take it now,
      // so the first sample reports the CPU since this call rather than 0 % (runs of a second or two).
      void pidusage(pid).catch(() => undefined);
    },
    async stop() {
      clearInterval(timer);
      sample();
      await sampling;
      loop.disable();
      const wallMs = Math.max(1, performance.now() - startWall);
      const cpu = process.cpuUsage(startCpu);
      const cpuMean = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
      const eventLoop = {
        p50_ms: round(delayMs(loop.percentile(50)), 3),
        p99_ms: round(delayMs(loop.percentile(99)), 3),
        max_ms: round(delayMs(loop.max), 3),
        mean_ms: round(Number.isFinite(loop.mean) ? delayMs(loop.mean) : 0, 3),
        utilization: round(performance.eventLoopUtilization(startElu).utilization, 3),
      };
      const reasons: string[] = [];
      if (eventLoop.p99_ms > bounds.maxEventLoopP99Ms) reasons.push(`event-loop delay p99 ${eventLoop.p99_ms} ms > ${bounds.maxEventLoopP99Ms} ms: agtest could not start or time iterations on time`);
      const maxElu = bounds.maxEventLoopUtilization ?? DEFAULT_HEALTH_BOUNDS.maxEventLoopUtilization!;
      if (wallMs >= 1000 && eventLoop.utilization > maxElu) reasons.push(`event-loop utilization ${eventLoop.utilization} > ${maxElu}: agtest was busy all the time (or starved of CPU), so it may have started and timed iterations late`);
      // Under a second of load, process start-up and JIT dominate the CPU figure: judged from 1 s on.
      if (wallMs >= 1000 && cpuMean > bounds.maxCpuPercent) reasons.push(`agtest CPU ${round(cpuMean)}% of a core > ${bounds.maxCpuPercent}%: the generator was saturated`);
      return {
        bounds,
        event_loop: eventLoop,
        generator: { cpu_percent_mean: round(cpuMean), cpu_percent_max: round(cpuMax), rss_mb_max: round(rssMax / MB), heap_mb_max: round(heapMax / MB) },
        watched: [...roles].map(([role, s]) => ({ role, processes: s.pids.size, cpu_percent_max: round(s.cpuMax), cpu_percent_mean: round(s.cpuSamples ? s.cpuSum / s.cpuSamples : 0), memory_mb_max: round(s.memMax / MB) })),
        host: { cpus: availableParallelism(), loadavg_1m_max: round(loadMax, 2), free_mb_min: round(freeMin / MB), total_mb: round(totalmem() / MB) },
        samples,
        suspect: reasons.length > 0,
        suspect_reasons: reasons,
      };
    },
  };
}
