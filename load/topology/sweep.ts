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
import { inShard, NO_SHARD, type Shard } from '../engine/shard.js';
import { createAgentPool } from './pool.js';
import { buildTopologyReport, runResult, type RunResult, type TopologyReport } from './report.js';
import { openRouter } from './router.js';
import { topologyScenario } from './scenario.js';
import { ShardExchange } from './shard-exchange.js';
import { directedPairs, topologyEdges, type Topology } from './topologies.js';
import { peerFromDid, type Peer, type VirtualAgent } from './virtual-agent.js';

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
  /**
   * Shard i of N: this process sets up agents whose number ≡ i (mod N) and sends only their pings;
   * the other shards' agents are reached through the one mediator (--router), by the DIDs every
   * shard writes to `shardDir`, where the shards also wait for one another before each run.
   */
  shard?: Shard;
  shardDir?: string;
  /** How long a shard waits for the others at each meeting point (default 60 s). */
  shardWaitMs?: number;
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

/** A sharded sweep: every shard runs the same one (by the same mediator), and needs a directory to meet in. */
function shardExchange(options: TopologySweepOptions, signal: AbortSignal): ShardExchange | undefined {
  const shard = options.shard ?? NO_SHARD;
  if (shard.count === 1) return undefined;
  if (options.router === undefined) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', '--shard needs --router: the shards\' agents reach one another through one mediator, and each shard would start a built-in one of its own');
  if (options.shardDir === undefined) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', '--shard needs --shard-dir: a directory every shard sees, where they exchange their agents\' DIDs and wait for one another');
  if (shard.count > Math.min(...options.agentCounts)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${shard.count} shards need at least ${shard.count} agents in every run; the smallest --agents is ${Math.min(...options.agentCounts)}`);
  const sweep = JSON.stringify({ agents: options.agentCounts, messages: options.messageCounts, topologies: options.topologies, intervals: options.intervalsMs, repeat: options.repeat, fanout: options.fanout, timeout: options.timeoutMs, maxInFlight: options.maxInFlight, unregistered: options.unregistered ?? 0, router: options.router, shards: shard.count });
  return new ShardExchange(options.shardDir, shard, sweep, options.shardWaitMs ?? 60_000, signal);
}

export async function runTopologySweep(options: TopologySweepOptions): Promise<TopologyReport> {
  validateSweep(options);
  const shard = options.shard ?? NO_SHARD;
  const startedAt = new Date().toISOString();
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  let stoppedEarly: string | undefined;
  const onAbort = () => {
    stoppedEarly ??= `stopped: ${String(options.signal?.reason ?? 'aborted')}`;
    stop.abort();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exchange = shardExchange(options, stop.signal);
  await exchange?.claim();
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
    const mine = Array.from({ length: largest }, (_, agent) => agent).filter((agent) => inShard(agent, shard));
    const slice = exchange ? ` (shard ${shard.index + 1}/${shard.count}: agents ≡ ${shard.index} mod ${shard.count})` : '';
    options.log(`setting up ${mine.length} virtual agents${slice} with ${router.name} (${router.invitation.endpoint})`);
    const pool = await createAgentPool(largest, router.invite, options.setupTimeoutMs ?? 10_000, options.log, stop.signal, options.unregistered ?? 0, mine).catch((error: unknown) => {
      // The first agent connected and a later one did not: a single-use invitation is the likely cause.
      if (router.shared && error instanceof AgtestError && /virtual agent [1-9]\d*: DID exchange failed/.test(error.message)) {
        throw new AgtestError('AGTEST_LOAD_ROUTER_FAILED', `${error.message} (every agent uses the one invitation --router names: is it multi-use? An HTTP URL that answers with invitations gets one per agent)`, { cause: error });
      }
      throw error;
    });
    options.log(`${mine.length} agents mediated in ${pool.setupS} s`);
    try {
      const local: (VirtualAgent | undefined)[] = [];
      for (const agent of pool.agents) local[agent.index] = agent;
      const peers: (Peer | undefined)[] = [...local];
      if (exchange) {
        // Every shard publishes its agents' DIDs and learns the others': a ping to another shard's agent goes by its DID, through the mediator.
        const published = await exchange.meet('setup', pool.agents.map((agent) => ({ index: agent.index, did: agent.did })));
        for (const [index, agents] of published.entries()) {
          if (index === shard.index) continue;
          for (const { index: agent, did } of agents) {
            const peer = peerFromDid(agent, did);
            peers[agent] = peer;
            pool.directory.set(peer.route!.recipientKey, peer.route!);
          }
        }
        options.log(`shard ${shard.index + 1}/${shard.count}: ${peers.filter(Boolean).length} agents known, ${mine.length} of them here`);
      }
      const cells = options.agentCounts.flatMap((agentCount) => options.messageCounts.flatMap((messageCount) => options.topologies.flatMap((topology) => options.intervalsMs.flatMap((intervalMs) => Array.from({ length: options.repeat }, (_, repeat) => ({ agentCount, messageCount, topology, intervalMs, repeat }))))));
      for (const [number, cell] of cells.entries()) {
        if (stop.signal.aborted) break;
        const edges = topologyEdges(cell.topology, cell.agentCount, options.fanout);
        const pairs = directedPairs(edges);
        // A shard sends the pings of its own agents (message i goes along pair i mod pairs, from its first agent).
        const owns = (message: number) => inShard(pairs[message % pairs.length]![0], shard);
        const expected = Array.from({ length: cell.messageCount }, (_, message) => message).filter(owns).length;
        // The shards start each run together (the run's schedule is the same in all).
        await exchange?.meet(`run-${number + 1}`, null);
        const before = pool.events();
        const result = await runLoad({
          scenario: topologyScenario(local.slice(0, cell.agentCount), pairs, router.invitation.endpoint, router.agent?.pid, peers.slice(0, cell.agentCount)),
          ...(exchange ? { owns } : {}),
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
        const run = runResult({ ...cell, expected, edgeCount: edges.length, events, durationS: result.elapsedS, recorder: result.recorder, health: result.health, ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}) });
        results.push(run);
        options.onRun?.(run, results.length, cells.length);
      }
      // No shard closes its agents while another may still ping them.
      if (!stop.signal.aborted) await exchange?.meet('end', null);
    } finally {
      pool.close();
    }
    return buildTopologyReport({
      router: router.name,
      startedAt,
      endedAt: new Date().toISOString(),
      ...(stoppedEarly ? { stoppedEarly } : {}),
      ...(exchange ? { shard: { index: shard.index + 1, count: shard.count } } : {}),
      setup: { agents: mine.length, duration_s: pool.setupS, heap_kb_per_agent: pool.heapKbPerAgent, rss_kb_per_agent: pool.rssKbPerAgent },
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
