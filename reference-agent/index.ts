/**
 * The reference agent: a small DIDComm v1 agent (plaintext or envelopes, out-of-band + DID exchange) over HTTP, WS or SMTP that agtest's suites certify
 * as interoperable, with named faults that break one rule each. It is "just another agent": of
 * agtest it uses only the public `profiles` library, as any agent answering agent-metadata would.
 */
import { createKeyPair } from '../envelopes/index.js';
import type { InteropProfile } from '../profiles/index.js';
import { Agent } from './agent.js';
import { createBackchannelHandler } from './backchannel.js';
import { validateFaults, type Fault } from './faults.js';
import { close, listen } from './http-util.js';
import { createInboundHandler } from './inbound-http.js';
import { createOutbound, type Outbound } from './outbound.js';
import { ReferenceAgentError } from './errors.js';
import { createMediator, type MediatorLoadFaults, type MediatorStats } from './mediator/index.js';

export { FAULTS, isFault } from './faults.js';
export type { Fault } from './faults.js';
export { ReferenceAgentError, type ReferenceAgentErrorCode } from './errors.js';
export { MEDIATOR_LOAD_FAULTS, validateMediatorLoadFaults, parseLoadFaultEntry, loadFaultFlag } from './mediator/index.js';
export type { MediatorLoadFaults, MediatorStats } from './mediator/index.js';

export const AGENT_NAME = 'agtest-reference-agent';
export const AGENT_VERSION = '0.1.0';

/** The transports the agent's DIDComm endpoint can speak. */
export const REFERENCE_AGENT_TRANSPORTS = ['http', 'ws', 'smtp'] as const;
export type ReferenceAgentTransport = (typeof REFERENCE_AGENT_TRANSPORTS)[number];

export interface ReferenceAgentOptions {
  /** What its DIDComm endpoint speaks (default http); the backchannel is always HTTP. */
  transport?: ReferenceAgentTransport;
  /** Names from FAULTS; an unknown one rejects with ReferenceAgentError code UNKNOWN_FAULT. */
  faults?: readonly string[];
  /** Interface both servers listen on (default 127.0.0.1). */
  host?: string;
  /** DIDComm endpoint port (default 0: any free port). */
  port?: number;
  /**
   * The endpoint its invitations and DID documents name, when peers reach it through another
   * address (a proxy, NAT); default: where it listens.
   */
  publicUrl?: string;
  /** Backchannel port (default 0: any free port). */
  backchannelPort?: number;
  /** Interop profiles it self-reports when asked (agent-metadata 1.0); default none. */
  profiles?: readonly InteropProfile[];
  /** Prefixes log lines (default agtest-reference-agent). */
  name?: string;
  /** Receives one line per notable event (drops, refusals, failed sends); default: discarded. */
  log?: (line: string) => void;
  /** What its mediator role does wrong under load (MEDIATOR_LOAD_FAULTS); out of bounds rejects with INVALID_OPTION. */
  mediatorFaults?: MediatorLoadFaults;
}

export interface RunningReferenceAgent {
  name: string;
  /** Where peers send DIDComm messages, e.g. http://127.0.0.1:4100/ or ws://127.0.0.1:4100/ */
  endpoint: string;
  /** Where agact-http POSTs actions. */
  backchannel: string;
  faults: Fault[];
  /** What its mediator role did with the forwards it got (also the backchannel action mediator-stats). */
  mediatorStats(): MediatorStats;
  /** Stops both servers and drops open connections. */
  close(): Promise<void>;
}

export async function startReferenceAgent(options: ReferenceAgentOptions = {}): Promise<RunningReferenceAgent> {
  const faults = validateFaults(options.faults ?? []);
  const name = options.name ?? AGENT_NAME;
  const sink = options.log;
  const log = sink ? (line: string) => sink(`${name}: ${line}`) : () => undefined;
  const host = options.host ?? '127.0.0.1';

  // The mediator role is plugged in: it reaches the wire only through the outbound it is handed.
  // (`outbound` is made below, before any message can reach the mediator.)
  const keys = await createKeyPair();
  const mediator = createMediator(
    { send: (endpoint, body) => outbound.sendEnvelope(endpoint, body), dropConnections: () => dropConnections() },
    await createKeyPair(),
    options.mediatorFaults,
  );
  const agent = new Agent(new Set(faults), log, keys, [mediator]);
  agent.profiles = [...(options.profiles ?? [])];
  const outbound = createOutbound(agent);
  const inbound = await startInbound(options.transport ?? 'http', agent, outbound, host, options.port ?? 0, log);
  agent.endpoint = options.publicUrl ?? inbound.url;
  const dropConnections = () => {
    inbound.dropConnections();
    outbound.dropConnections();
  };
  const backchannel = await listen(createBackchannelHandler(agent, outbound, dropConnections, () => mediator.stats()), host, options.backchannelPort ?? 0, log).catch(async (error: unknown) => {
    await inbound.close();
    throw error;
  });
  return {
    name,
    endpoint: inbound.url,
    backchannel: backchannel.url,
    faults,
    mediatorStats: () => mediator.stats(),
    async close() {
      outbound.close();
      await Promise.all([inbound.close(), close(backchannel.server)]);
    },
  };
}

async function startInbound(transport: ReferenceAgentTransport, agent: Agent, outbound: Outbound, host: string, port: number, log: (line: string) => void) {
  switch (transport) {
    // Loaded only for their transport: ws and the SMTP libraries are most of the agent's start-up.
    case 'ws':
      return (await import('./inbound-ws.js')).listenWs(agent, outbound, host, port);
    case 'smtp':
      return (await import('./inbound-smtp.js')).listenSmtp(agent, outbound, host, port);
    case 'http': {
      const { server, url } = await listen(createInboundHandler(agent, outbound), host, port, log);
      return { url, dropConnections: () => server.closeAllConnections(), close: () => close(server) };
    }
    default:
      throw new ReferenceAgentError('INVALID_OPTION', `unknown transport ${JSON.stringify(transport)}; known: ${REFERENCE_AGENT_TRANSPORTS.join(', ')}`);
  }
}

export { A2A_FAULTS, isA2aFault } from './a2a/a2a-faults.js';
export type { A2aFault } from './a2a/a2a-faults.js';
export { startReferenceA2aAgent, A2A_AGENT_NAME } from './a2a/start-a2a-agent.js';
export type { ReferenceA2aAgentOptions, RunningReferenceA2aAgent } from './a2a/start-a2a-agent.js';
