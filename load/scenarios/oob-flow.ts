/**
 * The `oob-flow` scenario (seed 000): per flow, ask the agent for an out-of-band invitation
 * (`invite`), hand its URL to a receiver that accepts it, connects by DID exchange (`connect`:
 * WebSocket when the invitation's endpoint is ws://, HTTP when it is http://) and runs the flow
 * (`flow`: trust ping and basic message round trips by default). Receivers: `inline` (virtual,
 * inside agtest, for scale), `process` (`agtest-receive` per flow, with a `spawn` step) or the
 * user's own command with `${invitation_url}`.
 */
import type { Pool } from 'undici';
import { AgtestError } from '../../common/index.js';
import { loadCrypto } from '../../envelopes/index.js';
import { durationSchema, parseDurationMs } from '../config/duration.js';
import { agentSchema, inviteSchema, isBuiltin, openTarget, validateTarget, type AgentConfig, type AgentTarget, type InviteConfig } from '../didcomm/agent-target.js';
import { checkInvitationTarget, readInvitationUrl } from '../didcomm/invitation.js';
import { connect, FLOW_STEPS, runFlow, type FlowStep } from '../didcomm/peer.js';
import { createChannel } from '../didcomm/receive.js';
import type { Channel } from '../didcomm/channel.js';
import { defaultReceiverCommand, runReceiverProcess, type ReceiverCommand } from '../didcomm/receiver-process.js';
import { LoadStepError, type IterationContext, type Scenario, type ScenarioContext, type ScenarioFactory } from '../scenario.js';

export interface OobFlowConfig {
  agent?: AgentConfig;
  invite?: InviteConfig;
  /**
   * The receivers' transport among the invitation's services (default ws; an invitation offering only
   * the other is used as it is), and the built-in reference agent's.
   */
  transport?: 'ws' | 'http';
  /**
   * inline (default), process (agtest-receive per flow), or {command: [...]} with ${invitation_url}
   * (events: it prints the {"event": "started" | "connected"} lines that time spawn and connect).
   */
  receiver?: 'inline' | 'process' | { command: string[]; events?: boolean };
  /** How long a receiver process may run before it is killed (default 10 s). */
  receiver_timeout?: string | number;
  /** What runs on the new connection (default ["ping", "message"]). */
  flow?: FlowStep[];
}

export const oobFlowConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    agent: agentSchema,
    invite: inviteSchema,
    transport: { enum: ['ws', 'http'] },
    receiver: {
      oneOf: [
        { enum: ['inline', 'process'] },
        { type: 'object', additionalProperties: false, required: ['command'], properties: { command: { type: 'array', minItems: 1, items: { type: 'string' } }, events: { type: 'boolean' } } },
      ],
    },
    receiver_timeout: durationSchema,
    flow: { type: 'array', maxItems: 100, items: { enum: FLOW_STEPS } },
  },
} as const;

export function createOobFlowScenario(config: OobFlowConfig = {}): Scenario {
  validateTarget(config.agent, config.invite, 'oob-flow');
  const flow = config.flow ?? ['ping', 'message'];
  const transport = config.transport ?? 'ws';
  const receiverTimeoutMs = parseDurationMs(config.receiver_timeout ?? '10s');
  if (!(receiverTimeoutMs > 0)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', 'oob-flow.receiver_timeout must be positive');
  const kind = config.receiver === undefined || config.receiver === 'inline' ? 'inline' : 'process';
  let receiver: ReceiverCommand | undefined;
  if (typeof config.receiver === 'object') {
    if (!config.receiver.command.some((part) => part.includes('${invitation_url}'))) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', 'oob-flow.receiver.command must pass ${invitation_url} in one of its arguments');
    receiver = { command: config.receiver.command, timeoutMs: receiverTimeoutMs, events: config.receiver.events === true };
  } else if (config.receiver === 'process') receiver = { command: defaultReceiverCommand(flow, transport, receiverTimeoutMs), timeoutMs: receiverTimeoutMs, events: true };
  let target: AgentTarget | undefined;
  let context: ScenarioContext | undefined;
  const pools = new Map<string, Pool>();

  const inline = async (it: IterationContext, url: string) => {
    const invitation = readInvitationUrl(url, transport);
    checkInvitationTarget(invitation, context!);
    let channel: Channel | undefined;
    try {
      const connection = await it.step('connect', async () => {
        channel = await createChannel(invitation.endpoint, pools);
        await channel.open(it.signal);
        return connect(channel, invitation, it.signal);
      });
      await it.step('flow', () => runFlow(connection, flow, it.signal));
    } finally {
      channel?.close();
    }
  };

  return {
    name: 'oob-flow',
    steps: kind === 'inline' ? ['invite', 'connect', 'flow'] : ['invite', 'spawn', 'connect', 'flow'],
    targets: () => (config.invite?.http && URL.canParse(config.invite.http.url) ? [config.invite.http.url] : []),
    async open(ctx) {
      context = ctx;
      await loadCrypto();
      target = await openTarget(config.agent, config.invite, config.transport ?? 'ws', ctx, 'oob-flow');
      if (isBuiltin(config.agent, config.invite)) ctx.log(`oob-flow: the built-in reference agent (pid ${target.agent?.pid}) at ${String(target.agent?.ready['endpoint'])}`);
    },
    async iterate(it) {
      const url = await it.step('invite', () => target!.invite(it.signal));
      if (receiver) {
        // A receiver of the user's may take URLs agtest cannot read (shortened ones): only a readable one is checked here.
        let readable;
        try {
          readable = readInvitationUrl(url, transport);
        } catch (error) {
          if (!(error instanceof LoadStepError)) throw error;
        }
        if (readable) checkInvitationTarget(readable, context!);
        await runReceiverProcess(it, url, receiver);
      }
      else await inline(it, url);
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      await target?.close();
    },
  };
}

export const oobFlowScenario: ScenarioFactory<OobFlowConfig> = {
  name: 'oob-flow',
  configSchema: oobFlowConfigSchema,
  create: createOobFlowScenario,
};
