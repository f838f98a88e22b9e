/**
 * A minimal HTTP/1.1 keep-alive client for the `http` scenario's hot path: each endpoint's request
 * is serialized once, written to a pooled socket, and the answer parsed just enough to know its
 * status and where it ends (Content-Length, chunked, or close). A general client (undici) spends
 * most of a loopback request's time on generality; this is what lets the generator, not the
 * client, set the pace. Plain http: only; https goes through undici.
 */
import { connect, type LookupFunction, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** The first bytes of the body (for error examples), only when asked for. */
  excerpt?: string;
}

const MAX_HEAD = 64 * 1024;
const EXCERPT = 200;
const CRLF2 = Buffer.from('\r\n\r\n');

export class ProtocolError extends Error {
  readonly code = 'AGTEST_HTTP_PROTOCOL';
}

/** Serializes a request once: request line, Host, the given headers, Content-Length, body. */
export function serializeRequest(url: URL, method: string, headers: Record<string, string>, body?: string): Buffer {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`];
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!names.has('host')) lines.push(`Host: ${url.host}`);
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new RangeError(`header ${JSON.stringify(name)} contains a line break`);
    lines.push(`${name}: ${value}`);
  }
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  if (payload || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method)) lines.push(`Content-Length: ${payload?.length ?? 0}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return payload ? Buffer.concat([head, payload]) : head;
}

interface Pending {
  resolve(response: RawResponse): void;
  reject(error: Error): void;
  wantBody: boolean;
  head: boolean;
}

type Phase = { kind: 'head' } | { kind: 'length'; left: number } | { kind: 'chunked'; left: number; trailer: boolean } | { kind: 'close' };

class RawConnection {
  private buffer: Buffer | undefined;
  private phase: Phase = { kind: 'head' };
  private pending: Pending | undefined;
  private status = 0;
  private excerpt: Buffer[] = [];
  private excerptLength = 0;
  private closeAfter = false;
  dead = false;

  constructor(
    readonly socket: Socket,
    private readonly onFree: (connection: RawConnection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      if (this.pending && this.phase.kind === 'close') return this.finish();
      const error = Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' });
      this.fail(error);
    });
  }

  send(request: Buffer, pending: Pending): void {
    this.pending = pending;
    this.phase = { kind: 'head' };
    this.excerpt = [];
    this.excerptLength = 0;
    this.socket.write(request);
  }

  fail(error: Error): void {
    this.dead = true;
    const pending = this.pending;
    this.pending = undefined;
    this.socket.destroy();
    pending?.reject(error);
  }

  private keep(bytes: Buffer): void {
    if (!this.pending?.wantBody || this.excerptLength >= EXCERPT) return;
    this.excerpt.push(bytes.subarray(0, EXCERPT - this.excerptLength));
    this.excerptLength += Math.min(bytes.length, EXCERPT - this.excerptLength);
  }

  private finish(): void {
    if (this.buffer && this.buffer.length > 0) return this.fail(new ProtocolError('the server sent bytes after the end of its answer'));
    const pending = this.pending!;
    this.pending = undefined;
    pending.resolve({ status: this.status, ...(pending.wantBody ? { excerpt: Buffer.concat(this.excerpt).toString('utf8') } : {}) });
    if (this.closeAfter) {
      this.dead = true;
      this.socket.destroy();
    }
    this.onFree(this);
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return this.fail(new ProtocolError('the server sent bytes with no request outstanding'));
    if (this.phase.kind === 'close') return this.keep(chunk);
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      this.parse();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private parse(): void {
    for (;;) {
      const buffer = this.buffer;
      if (!buffer || !this.pending) return;
      const phase = this.phase;
      if (phase.kind === 'head') {
        const end = buffer.indexOf(CRLF2);
        if (end < 0) {
          if (buffer.length > MAX_HEAD) throw new ProtocolError('response head over 64 KiB');
          return;
        }
        this.buffer = buffer.subarray(end + 4);
        this.readHead(buffer.toString('latin1', 0, end));
        if (this.phase.kind === 'length' && this.phase.left === 0) {
          this.buffer = this.buffer.length ? this.buffer : undefined;
          return this.finish();
        }
        continue;
      }
      if (phase.kind === 'length') {
        const take = Math.min(phase.left, buffer.length);
        this.keep(buffer.subarray(0, take));
        phase.left -= take;
        this.buffer = take < buffer.length ? buffer.subarray(take) : undefined;
        if (phase.left === 0) return this.finish();
        return;
      }
      if (phase.kind === 'chunked') {
        if (phase.left > 0) {
          const take = Math.min(phase.left, buffer.length);
          this.keep(buffer.subarray(0, take));
          phase.left -= take;
          this.buffer = take < buffer.length ? buffer.subarray(take) : undefined;
          if (phase.left > 0) return;
          continue;
        }
        // Expecting: CRLF after a chunk's data (left === 0 after data), a size line, or the trailer.
        if (phase.trailer) {
          const end = buffer.indexOf('\r\n');
          if (end < 0) return;
          this.buffer = buffer.subarray(end + 2);
          if (end === 0) {
            this.buffer = this.buffer.length ? this.buffer : undefined;
            return this.finish();
          }
          continue;
        }
        let start = 0;
        if (buffer[0] === 0x0d && buffer[1] === 0x0a) start = 2;
        const end = buffer.indexOf('\r\n', start);
        if (end < 0) return;
        const size = Number.parseInt(buffer.toString('latin1', start, end).split(';')[0]!.trim(), 16);
        if (!Number.isSafeInteger(size) || size < 0) throw new ProtocolError('bad chunk size');
        this.buffer = buffer.subarray(end + 2);
        if (size === 0) phase.trailer = true;
        else phase.left = size;
        continue;
      }
      // Read to the close: everything is body.
      this.keep(buffer);
      this.buffer = undefined;
      return;
    }
  }

  private readHead(head: string): void {
    const lines = head.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!match) throw new ProtocolError(`not an HTTP/1.1 status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const status = Number(match[1]);
    let length: number | undefined;
    let chunked = false;
    let close = /^HTTP\/1\.0/.test(lines[0]!);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').map((v) => v.trim()).includes('chunked');
      else if (name === 'connection') close = value.split(',').map((v) => v.trim()).includes('close') ? true : value.includes('keep-alive') ? false : close;
    }
    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
    if (status >= 100 && status < 200 && status !== 101) {
      this.phase = { kind: 'head' };
      return;
    }
    this.status = status;
    this.closeAfter = close;
    if (this.pending!.head || status === 204 || status === 304) this.phase = { kind: 'length', left: 0 };
    else if (chunked) this.phase = { kind: 'chunked', left: 0, trailer: false };
    else if (length !== undefined) {
      if (!Number.isSafeInteger(length) || length < 0) throw new ProtocolError('bad Content-Length');
      this.phase = { kind: 'length', left: length };
    } else {
      this.phase = { kind: 'close' };
      this.closeAfter = true;
    }
  }
}

/** Keep-alive connections to one origin, at most `max` of them; requests wait for a free one. */
export class RawHttpPool {
  private readonly idle: RawConnection[] = [];
  private readonly waiting: ((connection: RawConnection | Error) => void)[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly max: number,
    /** Where the host name connects to (http.resolve); DNS when absent. */
    private readonly lookup?: LookupFunction,
  ) {}

  async request(request: Buffer, options: { signal: AbortSignal; wantBody: boolean; head: boolean }): Promise<RawResponse> {
    options.signal.throwIfAborted();
    const connection = await this.acquire(options.signal);
    return new Promise<RawResponse>((resolve, reject) => {
      const onAbort = () => connection.fail(options.signal.reason as Error);
      options.signal.addEventListener('abort', onAbort, { once: true });
      connection.send(request, {
        wantBody: options.wantBody,
        head: options.head,
        resolve: (response) => {
          options.signal.removeEventListener('abort', onAbort);
          resolve(response);
        },
        reject: (error) => {
          options.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
    });
  }

  private acquire(signal: AbortSignal): Promise<RawConnection> {
    let connection = this.idle.pop();
    while (connection?.dead) connection = this.idle.pop();
    if (connection) return Promise.resolve(connection);
    if (this.open < this.max) return this.connect();
    return new Promise((resolve, reject) => {
      const waiter = (next: RawConnection | Error) => {
        signal.removeEventListener('abort', onAbort);
        if (next instanceof Error) reject(next);
        else resolve(next);
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private connect(): Promise<RawConnection> {
    this.open += 1;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, ...(this.lookup ? { lookup: this.lookup } : {}) });
      const onError = (error: Error) => {
        this.open -= 1;
        reject(error);
        // A freed slot lets a waiting request try its own connection.
        const waiter = this.waiting.shift();
        if (waiter) this.connect().then(waiter, waiter);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        const connection = new RawConnection(socket, (free) => this.release(free));
        socket.once('close', () => {
          this.open -= 1;
          connection.dead = true;
          const waiter = this.waiting.shift();
          if (waiter && !this.closed) this.connect().then(waiter, waiter);
        });
        resolve(connection);
      });
    });
  }

  private release(connection: RawConnection): void {
    if (connection.dead || this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter(connection);
    else this.idle.push(connection);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(new Error('the pool closed'));
    for (const connection of this.idle.splice(0)) connection.socket.destroy();
  }
}
