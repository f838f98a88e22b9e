import { once } from 'node:events';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createMessageWriter, watchMessages, type MessageReader, type ReceivedFile } from '../../agtalk/index.js';
import type { Adapter, AdapterContext } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { OutboundJournal } from '../outbound-journal.js';
import { createFrameInbox } from './frame-inbox.js';
import { isTextKind } from './frame-kind.js';
import { resolveWsAdapterOptions, type ResolvedWsAdapterOptions, type WsAdapterOptions } from './options.js';

/** Where refused files go (as with HTTP): a dot-folder, so agtalk readers skip it. */
const UNDELIVERABLE_DIR = '.undeliverable';

/** Thrown from the reader's handler to leave a file in the outbox on purpose. */
class Halted extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DIDComm over WebSocket (Aries RFC 0025): one connection to the agent, kept open because the
 * agent may answer on it (duplex), and a server of our own for agents that connect to agtest.
 * Each outbox file is one frame, in ordinal order, deleted once the agent confirmed reading it
 * (a ping after the frame, answered). A dropped connection is reopened with backoff; a file whose frame was cut off is sent
 * again and reported as a possible duplicate. Past the retries the adapter stops with an error.
 */
export function createWsAdapter(options: WsAdapterOptions = {}): Adapter {
  const resolved = resolveWsAdapterOptions(options);
  let server: WebSocketServer | undefined;
  let reader: MessageReader | undefined;
  let connection: Connection | undefined;
  let journal: OutboundJournal | undefined;

  return {
    name: 'ws',
    async start(context) {
      if (!URL.canParse(context.target) || !/^wss?:$/.test(new URL(context.target).protocol)) {
        throw new AdapterError('ADAPTER_INVALID_OPTION', `--target must be a ws:// or wss:// URL, got ${JSON.stringify(context.target)}`);
      }
      const inbox = await createMessageWriter(context.inbox);
      const fileFrame = createFrameInbox(context, inbox);
      server = new WebSocketServer({ host: resolved.listenHost, port: resolved.listenPort, maxPayload: resolved.maxFrameBytes });
      server.on('connection', (socket) => socket.on('message', (data) => void fileFrame(data, 'inbound')));
      try {
        await once(server, 'listening');
      } catch (cause) {
        throw new AdapterError('ADAPTER_START_FAILED', `cannot listen on ${resolved.listenHost}:${resolved.listenPort}: ${String(cause)}`, { cause });
      }
      const { port } = server.address() as AddressInfo;
      const host = resolved.listenHost.includes(':') ? `[${resolved.listenHost}]` : resolved.listenHost;

      connection = new Connection(context, resolved, (data) => void fileFrame(data, 'return-route'));
      journal = new OutboundJournal(context.outbox, 'ws');
      await journal.load();
      await journal.compact();
      const sent = journal;
      const open = connection;
      let halted = false;
      const halt = (error: AdapterError): never => {
        if (!halted) context.fatal(error);
        halted = true;
        throw new Halted(error.message);
      };

      const send = async (file: ReceivedFile): Promise<void> => {
        const before = sent.stateOf(file.name);
        // Deleting it was all that was left: it is not sent twice.
        if (before === 'sent') return;
        await sent.mark('sending', file.name);
        const started = performance.now();
        let repeated = false;
        for (let attempt = 0; ; attempt++) {
          if (halted) throw new Halted('stopped');
          if (attempt > resolved.retries) {
            // The agent takes the connection but never confirms this frame: refused, not unreachable.
            await sent.mark('rejected', file.name);
            await mkdir(join(context.outbox, UNDELIVERABLE_DIR), { recursive: true });
            await rename(file.path, join(context.outbox, UNDELIVERABLE_DIR, file.name));
            context.emit({ type: 'undeliverable', file: file.name, reason: `the agent dropped the connection ${attempt} times without confirming the frame` });
            return;
          }
          const socket = await open.socket().catch((error: unknown) => halt(error instanceof AdapterError ? error : new AdapterError('ADAPTER_TARGET_UNREACHABLE', String(error))));
          try {
            await sendFrame(socket, file);
            break;
          } catch (error) {
            // The connection broke under the frame: whether the agent got it is unknown.
            repeated = true;
            context.log(`ws adapter: sending ${file.name} failed (${String(error)}); reconnecting`);
          }
        }
        if (before === 'sending' || repeated) context.emit({ type: 'possible-duplicate', file: file.name });
        await sent.mark('sent', file.name);
        context.emit({ type: 'sent', file: file.name, durationMs: Math.round(performance.now() - started) });
      };

      reader = await watchMessages(context.outbox, {
        decodeJson: false,
        onMessage: send,
        onGarbage: (garbage) => context.emit({ type: 'warning', message: `outbox file ${garbage.name} was left unsent: ${garbage.reason}` }),
        onError: (error) => {
          if (error.cause instanceof Halted) return;
          halt(new AdapterError('ADAPTER_IO_FAILED', error.message, { file: error.file, cause: error }));
        },
      });
      return { endpoint: `ws://${host}:${port}/` };
    },
    async stop() {
      connection?.close();
      await reader?.close();
      await journal?.compact().catch(() => undefined);
      if (server) {
        for (const client of server.clients) client.terminate();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
    },
  };
}

/** How long the agent's WebSocket stack may take to answer the ping that confirms a frame. */
const CONFIRM_TIMEOUT_MS = 10_000;

/**
 * Sends one frame and resolves once the agent has read it. WebSocket has no per-message
 * acknowledgement and a written frame can die in a dropped connection, so the frame is followed
 * by a ping: pongs come back in order (RFC 6455 §5.5.3), so the pong proves the frame was read.
 */
function sendFrame(socket: WebSocket, file: ReceivedFile): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.off('pong', onPong);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onPong = () => done();
    const onClose = () => done(new Error('the connection closed before the agent confirmed the frame'));
    const timer = setTimeout(() => {
      done(new Error(`no pong within ${CONFIRM_TIMEOUT_MS} ms`));
      socket.terminate();
    }, CONFIRM_TIMEOUT_MS);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    socket.send(file.bytes, { binary: !isTextKind(file.extension) }, (error) => {
      if (error) done(error);
      else socket.ping();
    });
  });
}

/** The one connection to the agent: opened on demand, reopened with backoff after a drop. */
class Connection {
  private current: Promise<WebSocket> | undefined;
  private live: WebSocket | undefined;
  private closed = false;

  constructor(
    private readonly context: AdapterContext,
    private readonly options: ResolvedWsAdapterOptions,
    private readonly onFrame: (data: WebSocket.RawData) => void,
  ) {}

  socket(): Promise<WebSocket> {
    // A peer that went away leaves the socket CLOSING before its 'close' event: a frame written to
    // it would fail at once, and every retry with it, burning the attempts meant for reconnecting.
    if (this.live && this.live.readyState !== WebSocket.OPEN) this.forget(this.live);
    this.current ??= this.connect().then((socket) => (this.live = socket));
    return this.current;
  }

  private forget(socket: WebSocket): void {
    if (this.live !== socket) return;
    this.live = undefined;
    this.current = undefined;
  }

  close(): void {
    this.closed = true;
    void this.current?.then((socket) => socket.terminate(), () => undefined);
  }

  private async connect(): Promise<WebSocket> {
    const { retries, retryDelayMs } = this.options;
    let reason = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (this.closed) throw new Error('stopping');
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
      try {
        const socket = await this.open();
        socket.once('close', (code) => {
          this.forget(socket);
          if (!this.closed) this.context.log(`ws adapter: the connection to ${this.context.target} closed (${code}); it is reopened for the next message`);
        });
        return socket;
      } catch (error) {
        reason = (error as NodeJS.ErrnoException).code ?? String(error);
        if (attempt < retries) this.context.log(`ws adapter: cannot connect to ${this.context.target} (${reason}); retrying (attempt ${attempt + 2} of ${retries + 1})`);
      }
    }
    this.current = undefined;
    throw new AdapterError('ADAPTER_TARGET_UNREACHABLE', `cannot reach ${this.context.target} (${reason}) after ${retries + 1} attempts; the outbox keeps what was not sent`);
  }

  private open(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.context.target, { maxPayload: this.options.maxFrameBytes });
      socket.on('message', this.onFrame);
      socket.once('open', () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.context.log(`ws adapter: connection error: ${error.message}`));
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }
}
