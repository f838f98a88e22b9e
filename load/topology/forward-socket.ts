/**
 * How a virtual agent puts a forward on the wire to a recipient's mediator (the endpoint of the
 * recipient's DID service): not on its own mediated socket, as a sender with no relation to that
 * mediator would. Over WebSocket, one socket kept open; a mediator that closes the socket after a
 * message with no return route (Credo does: the forward is Anoncrypt, it has no session to keep)
 * gets, from then on, a socket per message. Over HTTP, a POST per message (Aries RFC 0025).
 */
import { WebSocket } from 'ws';
import { request } from 'undici';
import { LoadStepError } from '../scenario.js';

const ENVELOPE = 'application/didcomm-envelope-enc';

export class ForwardSocket {
  private socket: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  /** Set when the mediator closed a socket this sender kept open: a socket per message since. */
  private closesAfterMessage = false;
  private closed = false;

  constructor(readonly endpoint: string) {}

  async send(body: string, signal: AbortSignal): Promise<void> {
    if (this.closed) throw new LoadStepError('transport', `the sender to ${this.endpoint} is closed`);
    if (/^https?:/.test(this.endpoint)) return this.post(body, signal);
    if (this.closesAfterMessage) {
      const socket = await this.open(signal);
      await this.write(socket, body);
      socket.close();
      return;
    }
    await this.write(await this.kept(signal), body);
  }

  /** Opens the kept socket ahead of the first message (set-up time, not a ping's); nothing to do over HTTP. */
  async warm(signal: AbortSignal): Promise<void> {
    if (/^wss?:/.test(this.endpoint) && !this.closesAfterMessage) await this.kept(signal);
  }

  private async kept(signal: AbortSignal): Promise<WebSocket> {
    const socket = this.socket?.readyState === WebSocket.OPEN ? this.socket : await (this.opening ??= this.open(signal).finally(() => (this.opening = undefined)));
    if (this.socket !== socket) {
      this.socket = socket;
      socket.once('close', (code) => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        // A close the mediator chose (a close frame), not a lost connection (1006): it closes after each message.
        if (!this.closed && code !== 1006) this.closesAfterMessage = true;
      });
    }
    return socket;
  }

  private async open(signal: AbortSignal): Promise<WebSocket> {
    const socket = new WebSocket(this.endpoint, { perMessageDeflate: false });
    socket.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('open', () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
        socket.once('error', reject);
        socket.once('unexpected-response', (_request, response) => reject(new LoadStepError('http-status', `the WebSocket upgrade at ${this.endpoint} was answered ${response.statusCode}`, { status: response.statusCode })));
      });
    } catch (error) {
      socket.terminate();
      if (signal.aborted) throw error;
      throw error instanceof LoadStepError ? error : new LoadStepError('transport', `WebSocket ${this.endpoint}: ${(error as Error).message}`);
    }
    return socket;
  }

  private write(socket: WebSocket, body: string): Promise<void> {
    return new Promise((resolve, reject) => socket.send(body, (error) => (error ? reject(new LoadStepError('transport', `WebSocket ${this.endpoint}: ${error.message}`)) : resolve())));
  }

  private async post(body: string, signal: AbortSignal): Promise<void> {
    let response;
    try {
      response = await request(this.endpoint, { method: 'POST', headers: { 'content-type': ENVELOPE }, body, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new LoadStepError('transport', `POST ${this.endpoint}: ${(error as Error).message}`);
    }
    await response.body.dump();
    if (response.statusCode < 200 || response.statusCode > 299) throw new LoadStepError('http-status', `POST ${this.endpoint} answered ${response.statusCode}`, { status: response.statusCode });
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
    this.socket = undefined;
  }
}
