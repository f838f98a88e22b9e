/**
 * One DIDComm v1 link to an agent's endpoint, as a receiver without an endpoint of its own uses it:
 * every message asks for `~transport.return_route: "all"` (Aries RFC 0092), so answers come back
 * on the WebSocket it opened (RFC 0025: one frame per message) or in the HTTP response to its POST.
 * Frames are opened with the link's key and handed to whoever waits for their thread.
 */
import { WebSocket } from 'ws';
import type { Pool } from 'undici';
import { unpackRfc0019, type KeyPair } from '../../envelopes/index.js';
import { classifyError } from '../engine/classify.js';
import { LoadStepError } from '../scenario.js';

export type Message = Record<string, unknown>;

interface Waiter {
  resolve(message: Message): void;
  reject(error: Error): void;
}

const ENVELOPE = 'application/didcomm-envelope-enc';

function threadOf(message: Message): unknown {
  const thread = message['~thread'];
  return typeof thread === 'object' && thread !== null ? (thread as Record<string, unknown>)['thid'] : undefined;
}

function failure(error: unknown, what: string): LoadStepError {
  if (error instanceof LoadStepError) return error;
  const classified = classifyError(error);
  return new LoadStepError(classified.errorClass === 'other' ? 'transport' : classified.errorClass, `${what}: ${classified.message}`, classified.detail);
}

/** Waits for the signal as a rejection (the engine turns its reason into timeout or interruption). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

export abstract class Channel {
  private readonly waiters = new Map<string, Waiter>();
  protected keys: KeyPair[] = [];

  constructor(readonly endpoint: string) {}

  /** Keys envelopes on this link may be for (one per DIDComm connection it carries). */
  addKey(keys: KeyPair): void {
    if (!this.keys.includes(keys)) this.keys.push(keys);
  }

  abstract open(signal: AbortSignal): Promise<void>;
  /** Puts a packed message on the wire; returns what came back in the same exchange (HTTP). */
  protected abstract transmit(body: string, signal: AbortSignal): Promise<string | undefined>;
  abstract close(): void;

  /**
   * Sends `body` and, when `thid` is given, resolves the message that answers that thread (a
   * problem-report on it is the agent's refusal).
   */
  async exchange(body: string, thid: string | undefined, signal: AbortSignal): Promise<Message | undefined> {
    const answer = thid === undefined ? undefined : this.wait(thid);
    answer?.catch(() => undefined);
    try {
      const back = await Promise.race([this.transmit(body, signal), aborted(signal)]);
      if (back !== undefined) this.deliver(back);
      if (!answer) return undefined;
      return await Promise.race([answer, aborted(signal)]);
    } finally {
      if (thid !== undefined) this.waiters.delete(thid);
    }
  }

  /**
   * Sends by `send` (another connection: a forward to a mediator) and resolves the message that
   * answers thread `thid` when it comes back on this link.
   */
  async answerTo(thid: string, send: () => Promise<void>, signal: AbortSignal): Promise<Message> {
    const answer = this.wait(thid);
    answer.catch(() => undefined);
    try {
      await Promise.race([send(), aborted(signal)]);
      return await Promise.race([answer, aborted(signal)]);
    } finally {
      this.waiters.delete(thid);
    }
  }

  private wait(thid: string): Promise<Message> {
    return new Promise((resolve, reject) => this.waiters.set(thid, { resolve, reject }));
  }

  /** An envelope (or plaintext message) that came back: to the waiter of its thread. */
  protected deliver(text: string): void {
    let message: Message;
    let sender: string | undefined;
    try {
      const value: unknown = JSON.parse(text);
      let plain = text;
      if (typeof value === 'object' && value !== null && 'ciphertext' in value) {
        const opened = unpackRfc0019(value, this.keys);
        plain = opened.message;
        sender = opened.senderVerkey;
      }
      message = JSON.parse(plain) as Message;
    } catch (error) {
      this.undecodable(error as Error);
      return;
    }
    const thid = threadOf(message);
    const waiter = typeof thid === 'string' ? this.waiters.get(thid) : undefined;
    if (!waiter) {
      this.unclaimed(message, sender);
      return;
    }
    this.waiters.delete(thid as string);
    if (/\/problem[-_]report$/.test(String(message['@type']))) {
      waiter.reject(new LoadStepError('problem-report', `the agent answered with a problem report: ${String(message['problem-code'] ?? '')} ${JSON.stringify(message['explain'] ?? (message['description'] as Record<string, unknown> | undefined)?.['en'] ?? '')}`.trim(), { type: message['@type'] }));
      return;
    }
    waiter.resolve(message);
  }

  /** Something that does not open or parse: every waiter fails (a receiver's link is one conversation). */
  protected undecodable(error: Error): void {
    this.failAll(new LoadStepError('protocol', `the agent sent something that is not a DIDComm message for this receiver: ${error.message}`));
  }

  /** A message no one waits for (a peer's own message on a mediated link); ignored by default. */
  protected unclaimed(_message: Message, _sender: string | undefined): void {}

  protected failAll(error: Error): void {
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}

/** RFC 0025 over WebSocket: one socket, frames both ways. */
export class WsChannel extends Channel {
  private socket: WebSocket | undefined;

  async open(signal: AbortSignal): Promise<void> {
    const socket = new WebSocket(this.endpoint, { perMessageDeflate: false });
    this.socket = socket;
    socket.on('message', (data) => this.deliver(String(data)));
    socket.on('close', (code) => this.failAll(new LoadStepError('transport', `the agent closed the WebSocket (code ${code}) before it answered`, { code })));
    socket.on('error', () => undefined);
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
          socket.once('unexpected-response', (_request, response) => reject(new LoadStepError('http-status', `the WebSocket upgrade at ${this.endpoint} was answered ${response.statusCode}`, { status: response.statusCode })));
        }),
        aborted(signal),
      ]);
    } catch (error) {
      socket.terminate();
      if (signal.aborted) throw error;
      throw failure(error, `WebSocket ${this.endpoint}`);
    }
  }

  protected transmit(body: string): Promise<undefined> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new LoadStepError('transport', `the WebSocket to ${this.endpoint} is not open`));
    return new Promise((resolve, reject) => socket.send(body, (error) => (error ? reject(failure(error, `WebSocket ${this.endpoint}`)) : resolve(undefined))));
  }

  close(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }
}

/** RFC 0025 over HTTP: a POST per message; with the return route, the answer is the response body. */
export class HttpChannel extends Channel {
  constructor(
    endpoint: string,
    private readonly pool: Pool,
  ) {
    super(endpoint);
  }

  async open(): Promise<void> {}

  protected async transmit(body: string, signal: AbortSignal): Promise<string | undefined> {
    const url = new URL(this.endpoint);
    let response;
    try {
      response = await this.pool.request({ path: `${url.pathname}${url.search}`, method: 'POST', headers: { 'content-type': ENVELOPE }, body, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw failure(error, `POST ${this.endpoint}`);
    }
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) throw new LoadStepError('http-status', `POST ${this.endpoint} answered ${response.statusCode}`, { status: response.statusCode, body: text.slice(0, 200) });
    return response.statusCode === 200 && text.trim() !== '' ? text : undefined;
  }

  close(): void {}
}
