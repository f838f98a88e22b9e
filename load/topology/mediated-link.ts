/**
 * A virtual agent's WebSocket to its mediator (Aries RFC 0025): everything it sends to the mediator
 * asks for the return route (RFC 0092), so the mediator answers, and delivers forwarded messages,
 * on this socket. Unlike a receiver's one-conversation channel, a lost socket does not fail what
 * waits: the link reconnects (bounded in attempts) and the agent picks up what the mediator queued
 * meanwhile (RFC 0685), so a message late by an outage counts its delay, and a lost one times out.
 */
import { WebSocket } from 'ws';
import { LoadStepError } from '../scenario.js';
import { Channel, type Message } from '../didcomm/channel.js';

const RECONNECT_ATTEMPTS = 20;
const RECONNECT_MAX_DELAY_MS = 1000;

export interface LinkEvents {
  /** A message on the socket no one waits for: a peer's own message, forwarded by the mediator. */
  onMessage(message: Message, sender: string | undefined): void;
  /** The socket came back after a loss: turn live mode on again and pick up (errors are the agent's to count). */
  onReconnect(): Promise<void>;
  log(line: string): void;
}

export class MediatedLink extends Channel {
  private socket: WebSocket | undefined;
  private closing = false;
  /** Set while the socket is down and the link tries to get it back. */
  private reconnecting: Promise<void> | undefined;
  private gone: Error | undefined;
  reconnects = 0;
  /** The first reconnect waits 2× this, doubling each attempt up to 1 s (tests lengthen it to hold an agent away). */
  reconnectBaseMs = 50;
  /** Envelopes that arrived but do not open with this agent's keys (a misdelivery). */
  undecodableCount = 0;

  constructor(
    endpoint: string,
    private readonly events: LinkEvents,
  ) {
    super(endpoint);
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.connect(signal);
  }

  private async connect(signal?: AbortSignal): Promise<void> {
    const socket = new WebSocket(this.endpoint, { perMessageDeflate: false });
    socket.on('message', (data) => this.deliver(String(data)));
    socket.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason as Error);
        signal?.addEventListener('abort', onAbort, { once: true });
        socket.once('open', () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        socket.once('error', reject);
        socket.once('unexpected-response', (_request, response) => reject(new LoadStepError('http-status', `the WebSocket upgrade at ${this.endpoint} was answered ${response.statusCode}`, { status: response.statusCode })));
      });
    } catch (error) {
      socket.terminate();
      throw error instanceof LoadStepError ? error : new LoadStepError('transport', `WebSocket ${this.endpoint}: ${(error as Error)?.message ?? String(error)}`);
    }
    this.socket = socket;
    socket.once('close', () => {
      if (this.socket !== socket || this.closing) return;
      this.socket = undefined;
      this.reconnecting ??= this.reconnect().finally(() => (this.reconnecting = undefined));
    });
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 1; attempt <= RECONNECT_ATTEMPTS && !this.closing; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(RECONNECT_MAX_DELAY_MS, this.reconnectBaseMs * 2), this.reconnectBaseMs * 2 ** attempt)));
      if (this.closing) return;
      try {
        await this.connect();
      } catch (error) {
        this.events.log(`reconnect ${attempt} to ${this.endpoint} failed: ${(error as Error).message}`);
        continue;
      }
      this.reconnects += 1;
      const socket = this.socket!;
      // Lost again while recovering (a mediator that keeps dropping): what recovery waits for will not
      // come on this socket, so reconnect again rather than hold every send until recovery times out.
      const lost = new Promise<void>((resolve) => (socket.readyState === WebSocket.OPEN ? socket.once('close', () => resolve()) : resolve()));
      try {
        await Promise.race([this.events.onReconnect(), lost]);
      } catch (error) {
        this.events.log(`after reconnecting to ${this.endpoint}: ${(error as Error).message}`);
      }
      if (this.socket === socket && socket.readyState === WebSocket.OPEN) return;
    }
    if (!this.closing) this.gone = new LoadStepError('transport', `the WebSocket to ${this.endpoint} was lost and ${RECONNECT_ATTEMPTS} reconnects failed`);
  }

  protected async transmit(body: string, signal: AbortSignal): Promise<undefined> {
    // A send during an outage waits for the socket (its latency counts the wait), bounded by its signal.
    while (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      if (this.gone) throw this.gone;
      if (this.closing) throw new LoadStepError('transport', `the link to ${this.endpoint} is closed`);
      if (signal.aborted) throw signal.reason as Error;
      await (this.reconnecting ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
    const socket = this.socket;
    return new Promise((resolve, reject) => socket.send(body, (error) => (error ? reject(new LoadStepError('transport', `WebSocket ${this.endpoint}: ${error.message}`)) : resolve(undefined))));
  }

  /** An envelope that came inside a pickup delivery (RFC 0685 attachment): handled as if it came on the socket. */
  deliverEnvelope(text: string): void {
    this.deliver(text);
  }

  /** The mediator dropping the socket on purpose (tests): as a network failure would. */
  dropSocket(): void {
    this.socket?.terminate();
  }

  protected override undecodable(error: Error): void {
    // One envelope that is not ours (a mediator delivering to the wrong client) is counted, not fatal to the link.
    this.undecodableCount += 1;
    this.events.log(`an envelope on ${this.endpoint} does not open with this agent's keys: ${error.message}`);
  }

  protected override unclaimed(message: Message, sender: string | undefined): void {
    this.events.onMessage(message, sender);
  }

  close(): void {
    this.closing = true;
    this.socket?.terminate();
    this.socket = undefined;
  }
}
