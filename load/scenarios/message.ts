/**
 * The `message` scenario: steady messages to one agent. DIDComm (default): one connection made
 * before the load (an invitation, DID exchange over WebSocket or HTTP), then a trust ping round
 * trip per iteration on it (`ping`). A2A (`a2a` block): a blocking JSON-RPC SendMessage per
 * iteration (`send`), v1.0 (`SendMessage`, A2A-Version 1.0) or v0.3 (`message/send`). With no
 * agent configured, agtest starts its reference agent (DIDComm or A2A) and stops it after.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { AgtestError, builtinCommand } from '../../common/index.js';
import { loadCrypto } from '../../envelopes/index.js';
import { classifyError } from '../engine/classify.js';
import { agentSchema, inviteSchema, openTarget, validateTarget, type AgentConfig, type AgentTarget, type InviteConfig } from '../didcomm/agent-target.js';
import { startAgent, type StartedAgent } from '../didcomm/agent-process.js';
import type { Channel } from '../didcomm/channel.js';
import { checkInvitationTarget, readInvitationUrl } from '../didcomm/invitation.js';
import { connect, trustPing, type DidcommConnection } from '../didcomm/peer.js';
import { createChannel } from '../didcomm/receive.js';
import { LoadStepError, type Scenario, type ScenarioContext, type ScenarioFactory } from '../scenario.js';

export interface A2aMessageConfig {
  /** The agent's JSON-RPC URL; absent: the built-in reference A2A agent. */
  url?: string;
  version?: '1.0' | '0.3';
  text?: string;
  headers?: Record<string, string>;
}

export interface MessageConfig {
  agent?: AgentConfig;
  invite?: InviteConfig;
  /**
   * The receivers' transport among the invitation's services (default ws; an invitation offering only
   * the other is used as it is), and the built-in reference agent's.
   */
  transport?: 'ws' | 'http';
  a2a?: A2aMessageConfig;
}

export const messageConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    agent: agentSchema,
    invite: inviteSchema,
    transport: { enum: ['ws', 'http'] },
    a2a: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string', pattern: '^https?://' },
        version: { enum: ['1.0', '0.3'] },
        text: { type: 'string' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
} as const;

const BODY_EXCERPT = 200;

function watchAgent(agent: StartedAgent, ctx: ScenarioContext): () => Promise<void> {
  let stopping = false;
  ctx.watchProcess(agent.pid, 'agent');
  void agent.exited.then((how) => {
    if (!stopping) ctx.stopRun(`the agent exited (${how}) during the run`);
  });
  return () => {
    stopping = true;
    return agent.stop();
  };
}

function createA2aScenario(config: A2aMessageConfig): Scenario {
  const version = config.version ?? '1.0';
  let pool: Pool | undefined;
  let url: URL | undefined;
  let stopAgent: (() => Promise<void>) | undefined;
  let sequence = 0;
  const method = version === '1.0' ? 'SendMessage' : 'message/send';
  return {
    name: 'message',
    steps: ['send'],
    targets: () => (config.url ? [config.url] : []),
    async open(ctx) {
      let target = config.url;
      if (!target) {
        const agent = await startAgent(builtinCommand('agtest-reference-a2a-agent'), ctx.log);
        stopAgent = watchAgent(agent, ctx);
        target = `${String(agent.ready['endpoint']).replace(/\/$/, '')}/a2a/jsonrpc`;
        ctx.log(`message: the built-in reference A2A agent (pid ${agent.pid}) at ${target}`);
      }
      url = new URL(target);
      pool = new Pool(url.origin, { keepAliveTimeout: 10_000 });
    },
    async iterate(it) {
      await it.step('send', async () => {
        const part = version === '1.0' ? { text: config.text ?? 'agtest load' } : { kind: 'text', text: config.text ?? 'agtest load' };
        const message = { messageId: randomUUID(), role: version === '1.0' ? 'ROLE_USER' : 'user', parts: [part], ...(version === '0.3' ? { kind: 'message' } : {}) };
        const body = JSON.stringify({ jsonrpc: '2.0', id: (sequence += 1), method, params: { message } });
        const where = `${method} ${url!.href}`;
        let response;
        try {
          response = await pool!.request({ path: `${url!.pathname}${url!.search}`, method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': version, ...(config.headers ?? {}) }, body, signal: it.signal });
        } catch (error) {
          if (it.signal.aborted) throw error;
          const classified = classifyError(error);
          throw new LoadStepError(classified.errorClass, `${where}: ${classified.message}`, classified.detail);
        }
        const text = await response.body.text();
        if (response.statusCode !== 200) throw new LoadStepError('http-status', `${where} answered ${response.statusCode}`, { status: response.statusCode, body: text.slice(0, BODY_EXCERPT) });
        let answer: Record<string, unknown>;
        try {
          answer = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new LoadStepError('protocol', `${where}: the answer is not JSON`, { body: text.slice(0, BODY_EXCERPT) });
        }
        const error = answer['error'] as { code?: unknown; message?: unknown } | undefined;
        if (error) throw new LoadStepError('refused', `${where}: JSON-RPC error ${String(error.code)} ${String(error.message ?? '')}`.trim(), { code: error.code });
        if (typeof answer['result'] !== 'object' || answer['result'] === null) throw new LoadStepError('protocol', `${where}: the answer has neither result nor error (JSON-RPC 2.0 §5)`, { body: text.slice(0, BODY_EXCERPT) });
      });
    },
    async close() {
      await pool?.close();
      await stopAgent?.();
    },
  };
}

function createDidcommScenario(config: MessageConfig): Scenario {
  validateTarget(config.agent, config.invite, 'message');
  let target: AgentTarget | undefined;
  let channel: Channel | undefined;
  let connection: DidcommConnection | undefined;
  const pools = new Map<string, Pool>();
  return {
    name: 'message',
    steps: ['ping'],
    targets: () => (config.invite?.http && URL.canParse(config.invite.http.url) ? [config.invite.http.url] : []),
    async open(ctx) {
      await loadCrypto();
      target = await openTarget(config.agent, config.invite, config.transport ?? 'ws', ctx, 'message');
      // One connection, made before the load: the iterations measure messages, not handshakes.
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(30_000)]);
      const invitation = readInvitationUrl(await target.invite(signal), config.transport ?? 'ws');
      checkInvitationTarget(invitation, ctx);
      channel = await createChannel(invitation.endpoint, pools);
      await channel.open(signal);
      connection = await connect(channel, invitation, signal);
      ctx.log(`message: connected to ${invitation.endpoint} (${connection.theirDid.slice(0, 32)}…)`);
    },
    iterate: (it) => it.step('ping', () => trustPing(connection!, it.signal)),
    async close() {
      channel?.close();
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      await target?.close();
    },
  };
}

export function createMessageScenario(config: MessageConfig = {}): Scenario {
  if (config.a2a) {
    if (config.agent || config.invite) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', 'message.a2a sends A2A SendMessage; message.agent and message.invite are for DIDComm: give one or the other');
    return createA2aScenario(config.a2a);
  }
  return createDidcommScenario(config);
}

export const messageScenario: ScenarioFactory<MessageConfig> = {
  name: 'message',
  configSchema: messageConfigSchema,
  create: createMessageScenario,
};
