/**
 * The reference agent: a small DIDComm v1 plaintext agent over HTTP that agtest's suites certify
 * as interoperable, with named faults that break one rule each. It is "just another agent": it
 * uses nothing of agtest, only node built-ins.
 */
import { Agent } from './agent.js';
import { createBackchannelHandler } from './backchannel.js';
import { validateFaults, type Fault } from './faults.js';
import { close, listen } from './http-util.js';
import { createInboundHandler } from './inbound-http.js';
import { createOutbound } from './outbound.js';

export { FAULTS, isFault } from './faults.js';
export type { Fault } from './faults.js';
export { ReferenceAgentError, type ReferenceAgentErrorCode } from './errors.js';

export const AGENT_NAME = 'agtest-reference-agent';
export const AGENT_VERSION = '0.1.0';

export interface ReferenceAgentOptions {
  /** Names from FAULTS; an unknown one rejects with ReferenceAgentError code UNKNOWN_FAULT. */
  faults?: readonly string[];
  /** Interface both servers listen on (default 127.0.0.1). */
  host?: string;
  /** DIDComm endpoint port (default 0: any free port). */
  port?: number;
  /** Backchannel port (default 0: any free port). */
  backchannelPort?: number;
  /** Prefixes log lines (default agtest-reference-agent). */
  name?: string;
  /** Receives one line per notable event (drops, refusals, failed sends); default: discarded. */
  log?: (line: string) => void;
}

export interface RunningReferenceAgent {
  name: string;
  /** Where peers POST DIDComm messages, e.g. http://127.0.0.1:4100/ */
  endpoint: string;
  /** Where agact-http POSTs actions. */
  backchannel: string;
  faults: Fault[];
  /** Stops both servers and drops open connections. */
  close(): Promise<void>;
}

export async function startReferenceAgent(options: ReferenceAgentOptions = {}): Promise<RunningReferenceAgent> {
  const faults = validateFaults(options.faults ?? []);
  const name = options.name ?? AGENT_NAME;
  const sink = options.log;
  const log = sink ? (line: string) => sink(`${name}: ${line}`) : () => undefined;
  const host = options.host ?? '127.0.0.1';

  const agent = new Agent(new Set(faults), log);
  const outbound = createOutbound(agent);
  const inbound = await listen(createInboundHandler(agent, outbound), host, options.port ?? 0, log);
  const backchannel = await listen(createBackchannelHandler(agent, outbound), host, options.backchannelPort ?? 0, log).catch(async (error: unknown) => {
    await close(inbound.server);
    throw error;
  });
  return {
    name,
    endpoint: inbound.url,
    backchannel: backchannel.url,
    faults,
    async close() {
      await Promise.all([close(inbound.server), close(backchannel.server)]);
    },
  };
}
