/**
 * The virtual agents of a sweep, set up once (the largest agent count) and shared by its runs: a
 * run of N agents uses agents 0..N-1. Setup is bounded: a few agents at a time, each step with its
 * timeout; the first failure stops it and names the agent and the step.
 */
import { AgtestError } from '../../common/index.js';
import { loadCrypto } from '../../envelopes/index.js';
import type { ReadInvitation } from '../didcomm/invitation.js';
import { SetupError, VirtualAgent, type Directory } from './virtual-agent.js';

/** Agents set up at once: enough to be quick, few enough not to look like a flood to a mediator. */
const SETUP_CONCURRENCY = 16;

export interface AgentPool {
  agents: VirtualAgent[];
  setupS: number;
  /** JS heap growth per set-up agent, KB (keys, link, waiters; sockets' buffers are outside the heap). */
  heapKbPerAgent: number;
  /** Resident set growth per set-up agent, KB. */
  rssKbPerAgent: number;
  close(): void;
  /** What the agents saw so far, summed: for per-run deltas. */
  events(): AgentEvents;
}

export interface AgentEvents {
  reconnects: number;
  pickedUp: number;
  /** Envelopes an agent got that do not open with its keys: a mediator delivering to the wrong client. */
  misdelivered: number;
  /** Pings an agent could not answer (a sender it does not know, a send that failed). */
  unanswered: number;
}

/** `unregistered`: agents 1..K skip keylist-update (never the hub, agent 0). */
export async function createAgentPool(count: number, invite: () => Promise<ReadInvitation>, stepTimeoutMs: number, log: (line: string) => void, signal?: AbortSignal, unregistered = 0): Promise<AgentPool> {
  await loadCrypto();
  const directory: Directory = new Map();
  const agents: VirtualAgent[] = [];
  const closeAll = () => agents.forEach((agent) => agent.close());
  global.gc?.();
  const before = process.memoryUsage();
  const started = performance.now();
  try {
    for (let first = 0; first < count; first += SETUP_CONCURRENCY) {
      if (signal?.aborted) throw new AgtestError('AGTEST_INTERRUPTED', 'stopped while setting up the virtual agents');
      const invitations = await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, count - first) }, () => invite()));
      const batch = invitations.map((invitation, i) => ({ agent: new VirtualAgent(first + i, directory, invitation.endpoint, stepTimeoutMs, log), invitation }));
      agents.push(...batch.map((b) => b.agent));
      await Promise.all(batch.map(({ agent, invitation }) => agent.setUp(invitation, { register: !(agent.index >= 1 && agent.index <= unregistered) })));
    }
  } catch (error) {
    closeAll();
    if (error instanceof SetupError) throw new AgtestError('AGTEST_LOAD_ROUTER_FAILED', `the mediator could not mediate for the virtual agents: ${error.message}`, { cause: error });
    throw error;
  }
  // With --expose-gc both ends are measured after a collection; without it the heap figure is rough.
  global.gc?.();
  const after = process.memoryUsage();
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    agents,
    setupS: round((performance.now() - started) / 1000),
    heapKbPerAgent: round((after.heapUsed - before.heapUsed) / 1024 / count),
    rssKbPerAgent: round((after.rss - before.rss) / 1024 / count),
    close: closeAll,
    events: () => ({
      reconnects: agents.reduce((n, a) => n + a.link.reconnects, 0),
      pickedUp: agents.reduce((n, a) => n + a.counters.pickedUp, 0),
      misdelivered: agents.reduce((n, a) => n + a.link.undecodableCount, 0),
      unanswered: agents.reduce((n, a) => n + a.counters.answerFailures, 0),
    }),
  };
}
