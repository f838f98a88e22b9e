/**
 * The headless receiver (seed 000): given an invitation URL, accept it, connect by DID exchange,
 * run the flow, and say how it went in one outcome. Used inline by the oob-flow scenario's process
 * receivers through `agtest receive` / `agtest-receive`, and by anyone as a library.
 */
import type { Pool } from 'undici';
import { loadCrypto } from '../../envelopes/index.js';
import { classifyError } from '../engine/classify.js';
import { LoadStepError } from '../scenario.js';
import { HttpChannel, WsChannel, type Channel } from './channel.js';
import { readInvitationUrl, type DidcommTransport } from './invitation.js';
import { connect, runFlow, type FlowStep } from './peer.js';

/**
 * A link to `endpoint`: WebSocket for ws(s)://, HTTP POSTs for http(s):// (a pool per origin).
 * undici is loaded only for HTTP: a receiver process over WebSocket starts a third cheaper without it.
 */
export async function createChannel(endpoint: string, pools: Map<string, Pool>): Promise<Channel> {
  if (/^wss?:/.test(endpoint)) return new WsChannel(endpoint);
  const origin = new URL(endpoint).origin;
  let pool = pools.get(origin);
  if (!pool) {
    const { Pool: HttpPool } = await import('undici');
    pool = pools.get(origin) ?? new HttpPool(origin, { keepAliveTimeout: 10_000 });
    pools.set(origin, pool);
  }
  return new HttpChannel(endpoint, pool);
}

export interface ReceiveOptions {
  flow: readonly FlowStep[];
  /** Which of the invitation's services to use when it offers both (default ws). */
  transport?: DidcommTransport;
  timeoutMs: number;
  /** Told when the connection is made (the process receiver prints it for the orchestrator's step timing). */
  onConnected?(): void;
}

export interface ReceiveOutcome {
  ok: boolean;
  invitation_id?: string;
  endpoint?: string;
  their_did?: string;
  /** Where it failed: reading the invitation, connecting or the flow. */
  step?: 'invitation' | 'connect' | 'flow';
  error_class?: string;
  message?: string;
  /** The receiver's own view of its time (the load engine measures independently). */
  ms: { connect?: number; flow?: number; total: number };
}

export async function receive(url: string, options: ReceiveOptions): Promise<ReceiveOutcome> {
  const started = performance.now();
  const ms = (from: number) => Math.round((performance.now() - from) * 1000) / 1000;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let step: ReceiveOutcome['step'] = 'invitation';
  let channel: Channel | undefined;
  const pools = new Map<string, Pool>();
  const outcome: Partial<ReceiveOutcome> = {};
  try {
    await loadCrypto();
    const invitation = readInvitationUrl(url, options.transport ?? 'ws');
    outcome.invitation_id = invitation.id;
    outcome.endpoint = invitation.endpoint;
    step = 'connect';
    const connectStart = performance.now();
    channel = await createChannel(invitation.endpoint, pools);
    await channel.open(signal);
    const connection = await connect(channel, invitation, signal);
    outcome.their_did = connection.theirDid;
    const connectMs = ms(connectStart);
    options.onConnected?.();
    step = 'flow';
    const flowStart = performance.now();
    await runFlow(connection, options.flow, signal);
    return { ok: true, ...outcome, ms: { connect: connectMs, flow: ms(flowStart), total: ms(started) } };
  } catch (error) {
    const timedOut = signal.aborted;
    const classified = timedOut ? { errorClass: 'timeout', message: `no outcome within ${options.timeoutMs} ms` } : classifyError(error instanceof LoadStepError || error instanceof Error ? error : new Error(String(error)));
    return { ok: false, ...outcome, step, error_class: classified.errorClass, message: classified.message, ms: { total: ms(started) } };
  } finally {
    channel?.close();
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  }
}
