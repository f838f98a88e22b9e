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
}

export async function createAgentPool(count: number, invitation: ReadInvitation, stepTimeoutMs: number, log: (line: string) => void, signal?: AbortSignal): Promise<AgentPool> {
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
      const batch = Array.from({ length: Math.min(SETUP_CONCURRENCY, count - first) }, (_, i) => new VirtualAgent(first + i, directory, invitation.endpoint, stepTimeoutMs, log));
      agents.push(...batch);
      await Promise.all(batch.map((agent) => agent.setUp(invitation)));
    }
  } catch (error) {
    closeAll();
    if (error instanceof SetupError) throw new AgtestError('AGTEST_LOAD_ROUTER_FAILED', `the mediator could not mediate for the virtual agents: ${error.message}`, { cause: error });
    throw error;
  }
  const after = process.memoryUsage();
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    agents,
    setupS: round((performance.now() - started) / 1000),
    heapKbPerAgent: round((after.heapUsed - before.heapUsed) / 1024 / count),
    rssKbPerAgent: round((after.rss - before.rss) / 1024 / count),
    close: closeAll,
  };
}
