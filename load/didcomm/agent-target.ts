/**
 * The agent a DIDComm load scenario drives, and how to ask it for invitations: the built-in
 * reference agent (started by agtest when nothing else is configured), an agent command agtest
 * starts (its ready line fills `${ready.KEY}`), or an agent already running (invite given, no
 * agent). An agent agtest started is watched: its exit ends the run (exit 2) with what was measured.
 */
import { AgtestError } from '../../common/index.js';
import { FAULTS, isFault } from '../../reference-agent/index.js';
import type { ScenarioContext } from '../scenario.js';
import { fillReady, referenceAgentCommand, startAgent, type StartedAgent } from './agent-process.js';
import { agactInvite, httpInvite, type HttpInvite, type Invite } from './invite.js';

export interface AgentConfig {
  /** Argument array of an agent that prints a JSON ready line; absent with no invite: the built-in reference agent. */
  command?: string[];
  /** Built-in reference agent only: named faults (its transport is the scenario's `transport`). */
  faults?: string[];
}

export interface InviteConfig {
  http?: HttpInvite;
  /** agact command (argument array); `create-invitation` and its params are appended. */
  agact?: string[];
  /** agact call timeout (default 10 s). */
  agact_timeout_ms?: number;
}

export const agentSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    command: { type: 'array', minItems: 1, items: { type: 'string' } },
    faults: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
} as const;

export const inviteSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', minLength: 1 },
        method: { type: 'string', pattern: '^[A-Za-z]+$' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
        invitation_url_path: { type: 'string', minLength: 1 },
      },
    },
    agact: { type: 'array', minItems: 1, items: { type: 'string' } },
    agact_timeout_ms: { type: 'integer', minimum: 1 },
  },
} as const;

export interface AgentTarget {
  invite: Invite;
  agent?: StartedAgent;
  close(): Promise<void>;
}

export function isBuiltin(agent: AgentConfig | undefined, invite: InviteConfig | undefined): boolean {
  return !agent?.command && !invite;
}

/** Checks what can be checked before anything starts (targets of an external agent are the engine's). */
export function validateTarget(agent: AgentConfig | undefined, invite: InviteConfig | undefined, block: string): void {
  if (invite?.http && invite.agact) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${block}.invite: give http or agact, not both`);
  if (agent?.command && agent.faults) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${block}.agent.faults is for the built-in reference agent; with ${block}.agent.command, start your agent as you want it`);
  const unknown = (agent?.faults ?? []).filter((fault) => !isFault(fault));
  if (unknown.length > 0) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${block}.agent.faults: unknown fault(s): ${unknown.join(', ')}; known: ${Object.keys(FAULTS).join(', ')}`);
  if (invite?.http && !invite.http.url.includes('${') && !URL.canParse(invite.http.url)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${block}.invite.http.url ${JSON.stringify(invite.http.url)} is not a URL`);
}

/** Starts the agent if it is ours to start, and makes the invite function. */
export async function openTarget(agentConfig: AgentConfig | undefined, inviteConfig: InviteConfig | undefined, transport: 'ws' | 'http', ctx: ScenarioContext, block: string): Promise<AgentTarget> {
  let agent: StartedAgent | undefined;
  if (agentConfig?.command || isBuiltin(agentConfig, inviteConfig)) {
    const command = agentConfig?.command ?? referenceAgentCommand(transport, agentConfig?.faults ?? []);
    agent = await startAgent(command, ctx.log);
    ctx.watchProcess(agent.pid, 'agent');
    let stopping = false;
    void agent.exited.then((how) => {
      if (!stopping) ctx.stopRun(`the agent exited (${how}) during the run`);
    });
    const stop = agent.stop;
    agent.stop = () => {
      stopping = true;
      return stop();
    };
  }
  const ready = agent?.ready;
  try {
    if (inviteConfig?.agact) {
      const command = inviteConfig.agact.map((part) => fillReady(part, ready, `${block}.invite.agact`));
      return { invite: agactInvite(command, inviteConfig.agact_timeout_ms ?? 10_000), ...(agent ? { agent } : {}), close: async () => agent?.stop() };
    }
    const http: HttpInvite = inviteConfig?.http ?? { url: '${ready.backchannel}' };
    const url = fillReady(http.url, ready, `${block}.invite.http.url`);
    if (!URL.canParse(url)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${block}.invite.http.url is ${JSON.stringify(url)}, not a URL`);
    const made = httpInvite({ ...http, url });
    return {
      invite: made.invite,
      ...(agent ? { agent } : {}),
      async close() {
        await made.close();
        await agent?.stop();
      },
    };
  } catch (error) {
    await agent?.stop();
    throw error;
  }
}
