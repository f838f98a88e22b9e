import { close } from '../http-util.js';
import { validateA2aFaults, type A2aFault } from './a2a-faults.js';
import { createA2aAgent, listenA2a } from './a2a-agent.js';

export const A2A_AGENT_NAME = 'agtest-reference-a2a-agent';

export interface ReferenceA2aAgentOptions {
  /** Names from A2A_FAULTS; an unknown one rejects with ReferenceAgentError UNKNOWN_FAULT. */
  faults?: readonly string[];
  /** Claim (and serve) neither streaming nor push notifications. */
  minimal?: boolean;
  host?: string;
  port?: number;
  /** Require `Authorization: Bearer <requireToken>` on every JSON-RPC call, declared in the card. */
  requireToken?: string;
  log?: (line: string) => void;
}

export interface RunningReferenceA2aAgent {
  /** Base URL: the card is at `${endpoint}/.well-known/agent-card.json`. */
  endpoint: string;
  faults: A2aFault[];
  close(): Promise<void>;
}

export async function startReferenceA2aAgent(options: ReferenceA2aAgentOptions = {}): Promise<RunningReferenceA2aAgent> {
  const faults = validateA2aFaults(options.faults ?? []);
  const sink = options.log;
  const log = sink ? (line: string) => sink(`${A2A_AGENT_NAME}: ${line}`) : () => undefined;
  const agent = createA2aAgent({ faults: new Set(faults), minimal: options.minimal ?? false, log, ...(options.requireToken !== undefined ? { requireToken: options.requireToken } : {}) });
  const { server, url } = await listenA2a(agent, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    endpoint: url,
    faults,
    async close() {
      agent.closeStreams();
      await close(server);
    },
  };
}
