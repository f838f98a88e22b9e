/**
 * The sweep: agent counts × message counts × topologies × intervals × repeats, each a bounded run
 * of the load engine (open model, a count of messages, a per-message timeout, a graceful stop)
 * over one pool of virtual agents mediated by the router. Stops early, with what it measured, on
 * a signal or when the built-in mediator exits.
 */
import { setMaxListeners } from 'node:events';
import { AgtestError } from '../../common/index.js';
import { runLoad } from '../engine/run-load.js';
import { DEFAULT_HEALTH_BOUNDS, type HealthBounds } from '../health/monitor.js';
import { createAgentPool } from './pool.js';
import { buildTopologyReport, runResult, type RunResult, type TopologyReport } from './report.js';
import { openRouter } from './router.js';
import { topologyScenario } from './scenario.js';
import { directedPairs, topologyEdges, type Topology } from './topologies.js';

export interface TopologySweepOptions {
  agentCounts: readonly number[];
  messageCounts: readonly number[];
  topologies: readonly Topology[];
  intervalsMs: readonly number[];
  repeat: number;
  fanout: number;
  /** Per message: a ping not answered by then counts as a timeout (lost). */
  timeoutMs: number;
  /** Per setup step of an agent (DID exchange, mediate-request, …): default 10 s. */
  setupTimeoutMs?: number;
  /** Pings in flight at most; an arrival past it is dropped (counted), never silently delayed. */
  maxInFlight: number;
  router?: string;
  /** Built-in reference mediator only. */
  faults?: readonly string[];
  /** Agents 1..K do not register their key (keylist-update): every ping to or from them must be lost. */
  unregistered?: number;
  allowRemote: boolean;
  health?: HealthBounds;
  signal?: AbortSignal;
  log(line: string): void;
  /** Called after each run (progress). */
  onRun?(result: RunResult, done: number, total: number): void;
}

const positiveIntegers = (values: readonly number[], flag: string, min = 1) => {
  if (values.length === 0 || values.some((v) => !Number.isSafeInteger(v) || v < min)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${flag} takes integers of at least ${min}, comma-separated; got ${values.join(',') || 'nothing'}`);
};

export function validateSweep(options: Pick<TopologySweepOptions, 'agentCounts' | 'messageCounts' | 'intervalsMs' | 'repeat' | 'fanout' | 'timeoutMs' | 'maxInFlight' | 'topologies' | 'unregistered'>): void {
  positiveIntegers(options.agentCounts, '--agents', 2);
  positiveIntegers(options.messageCounts, '--messages');
  positiveIntegers(options.intervalsMs, '--intervals');
  positiveIntegers([options.repeat], '--repeat');
  positiveIntegers([options.fanout], '--fanout');
  positiveIntegers([options.maxInFlight], '--max-in-flight');
  if (options.unregistered !== undefined && (!Number.isSafeInteger(options.unregistered) || options.unregistered < 0 || options.unregistered >= Math.min(...options.agentCounts))) {
    throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `--unregistered takes an integer from 0 to the smallest agent count minus 1 (agents 1..K skip keylist-update); got ${options.unregistered}`);
  }
  if (!(options.timeoutMs > 0)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', '--timeout must be positive');
  if (options.topologies.length === 0) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', '--topologies names none');
}

export async function runTopologySweep(options: TopologySweepOptions): Promise<TopologyReport> {
  validateSweep(options);
  const startedAt = new Date().toISOString();
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  let stoppedEarly: string | undefined;
  const onAbort = () => {
    stoppedEarly ??= `stopped: ${String(options.signal?.reason ?? 'aborted')}`;
    stop.abort();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const router = await openRouter({ ...(options.router === undefined ? {} : { router: options.router }), ...(options.faults ? { faults: options.faults } : {}), allowRemote: options.allowRemote, log: options.log });
  let routerStopping = false;
  void router.agent?.exited.then((how) => {
    if (routerStopping) return;
    stoppedEarly ??= `the built-in reference mediator exited (${how}) during the sweep`;
    stop.abort();
  });
  const results: RunResult[] = [];
  try {
    const largest = Math.max(...options.agentCounts);
    options.log(`setting up ${largest} virtual agents with ${router.name} (${router.invitation.endpoint})`);
    const pool = await createAgentPool(largest, router.invite, options.setupTimeoutMs ?? 10_000, options.log, stop.signal, options.unregistered ?? 0).catch((error: unknown) => {
      // The first agent connected and a later one did not: a single-use invitation is the likely cause.
      if (router.shared && error instanceof AgtestError && /virtual agent [1-9]\d*: DID exchange failed/.test(error.message)) {
        throw new AgtestError('AGTEST_LOAD_ROUTER_FAILED', `${error.message} (every agent uses the one invitation --router names: is it multi-use? An HTTP URL that answers with invitations gets one per agent)`, { cause: error });
      }
      throw error;
    });
    options.log(`${largest} agents mediated in ${pool.setupS} s`);
    try {
      const cells = options.agentCounts.flatMap((agentCount) => options.messageCounts.flatMap((messageCount) => options.topologies.flatMap((topology) => options.intervalsMs.flatMap((intervalMs) => Array.from({ length: options.repeat }, (_, repeat) => ({ agentCount, messageCount, topology, intervalMs, repeat }))))));
      for (const cell of cells) {
        if (stop.signal.aborted) break;
        const edges = topologyEdges(cell.topology, cell.agentCount, options.fanout);
        const agents = pool.agents.slice(0, cell.agentCount);
        const before = pool.events();
        const result = await runLoad({
          scenario: topologyScenario(agents, directedPairs(edges), router.invitation.endpoint, router.agent?.pid),
          // Each agent sends on average once per interval.
          model: { type: 'open', rate: (cell.agentCount * 1000) / cell.intervalMs, maxInFlight: options.maxInFlight, maxStartDelayMs: 0 },
          iterations: cell.messageCount,
          timeoutMs: options.timeoutMs,
          // Every ping settles as answered or timed out (a loss), none cut off as interrupted.
          gracefulStopMs: options.timeoutMs + 500,
          health: options.health ?? DEFAULT_HEALTH_BOUNDS,
          allowRemote: options.allowRemote,
          signal: stop.signal,
          log: options.log,
        });
        const after = pool.events();
        const events = { reconnects: after.reconnects - before.reconnects, pickedUp: after.pickedUp - before.pickedUp, misdelivered: after.misdelivered - before.misdelivered, unanswered: after.unanswered - before.unanswered };
        const run = runResult({ ...cell, edgeCount: edges.length, events, durationS: result.elapsedS, recorder: result.recorder, health: result.health, ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}) });
        results.push(run);
        options.onRun?.(run, results.length, cells.length);
      }
    } finally {
      pool.close();
    }
    return buildTopologyReport({
      router: router.name,
      startedAt,
      endedAt: new Date().toISOString(),
      ...(stoppedEarly ? { stoppedEarly } : {}),
      setup: { agents: largest, duration_s: pool.setupS, heap_kb_per_agent: pool.heapKbPerAgent, rss_kb_per_agent: pool.rssKbPerAgent },
      results,
      config: {
        agent_counts: [...options.agentCounts],
        message_counts: [...options.messageCounts],
        topologies: [...options.topologies],
        message_intervals_ms: [...options.intervalsMs],
        repeat_count: options.repeat,
        fanout: options.fanout,
        timeout_ms: options.timeoutMs,
        max_in_flight: options.maxInFlight,
        unregistered: options.unregistered ?? 0,
        router: router.name,
      },
    });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    routerStopping = true;
    await router.close();
  }
}
