/**
 * One run of a sweep as a load-engine scenario: message i is a trust ping along directed pair
 * i mod pairs, sent at its intended time by the open model (arrivals at agents × 1000 / interval
 * per second, so each agent sends on average once per interval). Latency is the engine's: from the
 * intended send time to the ping_response, so a mediator that queues is not hidden.
 */
import type { Scenario } from '../scenario.js';
import type { Edge } from './topologies.js';
import type { VirtualAgent } from './virtual-agent.js';

export function topologyScenario(agents: readonly VirtualAgent[], pairs: readonly Edge[], endpoint: string, mediatorPid?: number): Scenario {
  return {
    name: 'topology',
    steps: [],
    targets: () => [endpoint],
    async open(ctx) {
      if (mediatorPid !== undefined) ctx.watchProcess(mediatorPid, 'agent');
    },
    async iterate(it) {
      const [from, to] = pairs[it.index % pairs.length]!;
      await agents[from]!.ping(agents[to]!, it.signal);
    },
  };
}
