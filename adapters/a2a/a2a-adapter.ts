/**
 * The A2A adapter: each outbox `.json` file is one HTTP request to the agent (JSON-RPC POST or
 * card GET); the answer comes back as inbox records, an SSE stream as one record per event. Its
 * endpoint takes the agent's own HTTP requests (push notifications) into the inbox.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createParser } from 'eventsource-parser';
import { createMessageWriter, traceStage, watchMessages, type MessageReader, type MessageWriter, type ReceivedFile } from '../../agtalk/index.js';
import type { Adapter, AdapterContext } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { connectGuardFromEnv } from '../../common/index.js';
import { parseA2aRequestFile, type A2aInboxRecord } from './exchange-format.js';

export interface A2aAdapterOptions {
  /** How long a request may wait for the agent's response headers (default 30 s). */
  timeoutMs?: number;
  /** How long an SSE stream may stay open before the adapter closes it (default 30 s). */
  streamTimeoutMs?: number;
  /** Largest response or push body kept (default 10 MiB); a longer one is cut and said so. */
  maxBodyBytes?: number;
  listenHost?: string;
  listenPort?: number;
  /**
   * Credentials (`Authorization: Bearer …`, an API key header): added to every request to the
   * target's origin that does not set the header itself, never to another origin (a card that
   * points elsewhere cannot collect them). The response record names the headers added, never
   * their values.
   */
  credentials?: Readonly<Record<string, string>>;
  /**
   * A 429 (Too Many Requests) with a Retry-After of at most this many seconds is waited out and
   * the request sent again, up to RATE_LIMIT_ATTEMPTS times (default 10 s). The agent did not act
   * on it (RFC 6585 §4), so repeating it is safe; a rate limit is no A2A fault. 0: never.
   */
  maxRetryAfterSeconds?: number;
}

/** How many times one request is sent again after a 429. */
export const RATE_LIMIT_ATTEMPTS = 5;

/** The environment variable agtest hands the credentials to an A2A adapter in (JSON object, name → value): not argv, which `ps` shows. */
export const A2A_CREDENTIALS_ENV = 'AGTEST_A2A_HEADERS';

/** Reads (and removes, so nothing the adapter starts inherits it) the credentials agtest passed in A2A_CREDENTIALS_ENV. */
export function takeCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  const text = env[A2A_CREDENTIALS_ENV];
  delete env[A2A_CREDENTIALS_ENV];
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AdapterError('ADAPTER_INVALID_OPTION', `${A2A_CREDENTIALS_ENV} must be a JSON object of header names to values (it is not JSON)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new AdapterError('ADAPTER_INVALID_OPTION', `${A2A_CREDENTIALS_ENV} must be a JSON object of header names to string values`);
  }
  return parsed as Record<string, string>;
}

export function createA2aAdapter(options: A2aAdapterOptions = {}): Adapter {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const streamTimeoutMs = options.streamTimeoutMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const credentials = Object.entries(options.credentials ?? {});
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 10;
  const waits = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wait = { timer: setTimeout(() => (waits.delete(wait), resolve()), ms), done: resolve };
      waits.add(wait);
    });
  let outbox: MessageReader | undefined;
  let server: Server | undefined;
  const open = new Set<IncomingMessage>();
  let inbox: MessageWriter | undefined;
  // Records of one exchange must land in the order they happened; one chain keeps every write ordered.
  let writes: Promise<unknown> = Promise.resolve();
  let context: AdapterContext | undefined;
  let stopping = false;

  const record = (value: A2aInboxRecord): Promise<void> => {
    const next = writes.then(async () => {
      const written = await inbox!.write(JSON.stringify(value), 'json');
      context?.emit({ type: 'received', file: written.name, contentType: 'application/json', via: value.a2a === 'push' ? 'inbound' : 'return-route' });
    });
    writes = next.catch((error: unknown) => context?.log(`could not write an inbox record: ${String(error)}`));
    return next;
  };

  /** Sends one request file; resolves once the response headers are in (the file is then done). */
  async function send(file: ReceivedFile, target: string): Promise<void> {
    const started = performance.now();
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(file.bytes.toString('utf8'));
    } catch {
      parsedJson = undefined;
    }
    const parsed = parseA2aRequestFile(parsedJson);
    const refuse = async (reason: string) => {
      context!.emit({ type: 'undeliverable', file: file.name, reason });
      await record({ a2a: 'failed', request: file.name, reason });
    };
    if (typeof parsed === 'string') return refuse(`not an A2A request file: ${parsed}`);
    let url: URL;
    try {
      url = new URL(parsed.http.url, target);
    } catch {
      return refuse(`http.url ${JSON.stringify(parsed.http.url)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse(`http.url must be http(s), got ${url.protocol}`);

    // Under agtest serve: the target allowlist and the checked addresses hold for every request (connect-guard.ts).
    const guard = connectGuardFromEnv();
    const offList = guard?.refusal(url);
    if (offList) return refuse(offList);
    traceStage('a2a.parsed', file.name);
    const body = parsed.body === undefined ? undefined : Buffer.from(parsed.body, 'utf8');
    const headers: Record<string, string> = { ...(parsed.http.headers ?? {}) };
    if (body) headers['content-length'] = String(body.length);
    // A header the request sets itself is the test's own (a wrong token on purpose, say): it wins.
    const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
    const added = url.origin === new URL(target).origin && parsed.http.credentials !== false ? credentials.filter(([name]) => !given.has(name.toLowerCase())) : [];
    for (const [name, value] of added) headers[name] = value;
    const attempt = () => new Promise<IncomingMessage | string>((resolve) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: parsed.http.method, headers, ...(guard ? { lookup: guard.lookup } : {}) });
      const timer = setTimeout(() => {
        request.destroy();
        resolve(`no response within ${timeoutMs} ms`);
      }, timeoutMs);
      request.on('response', (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve(`${url.origin}: ${error.code ?? error.message}`);
      });
      request.end(body);
    });
    let response = await attempt();
    for (let retry = 1; retry <= RATE_LIMIT_ATTEMPTS && typeof response !== 'string' && response.statusCode === 429; retry += 1) {
      const seconds = Number(response.headers['retry-after']);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > maxRetryAfter) break;
      response.resume();
      const delayMs = Math.max(seconds * 1000, 100);
      context!.emit({ type: 'retrying', file: file.name, status: 429, reason: `the agent answered 429 Too Many Requests, Retry-After ${seconds}`, attempt: retry, delayMs });
      await pause(delayMs);
      if (stopping) return refuse('the adapter stopped while waiting out a 429');
      response = await attempt();
    }
    if (typeof response === 'string') return refuse(response);
    traceStage('a2a.response', file.name);
    context!.emit({ type: 'sent', file: file.name, status: response.statusCode, durationMs: Math.round(performance.now() - started) });
    const head = { request: file.name, status: response.statusCode ?? 0, headers: flatHeaders(response.headers), ...(credentials.length > 0 ? { credentials: added.map(([name]) => name.toLowerCase()) } : {}) };
    if ((response.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream')) {
      await record({ a2a: 'response', ...head, body: '', stream: true });
      void readStream(file.name, response);
    } else {
      void readBody(response).then((text) => {
        traceStage('a2a.body', file.name);
        return record({ a2a: 'response', ...head, body: text });
      });
    }
  }

  function readBody(message: IncomingMessage): Promise<string> {
    open.add(message);
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let cut = false;
      message.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBodyBytes) chunks.push(chunk);
        else cut = true;
      });
      const done = () => {
        open.delete(message);
        const text = Buffer.concat(chunks).toString('utf8');
        if (cut) context?.emit({ type: 'warning', message: `a body of ${size} bytes was cut to ${maxBodyBytes}` });
        resolve(text);
      };
      message.on('end', done);
      message.on('error', done);
      message.on('close', () => open.has(message) && done());
    });
  }

  async function readStream(request: string, message: IncomingMessage): Promise<void> {
    open.add(message);
    let events = 0;
    const parser = createParser({
      onEvent: (event) => {
        events += 1;
        void record({ a2a: 'event', request, seq: events, ...(event.event ? { event: event.event } : {}), ...(event.id ? { id: event.id } : {}), data: event.data });
      },
    });
    const ended = await new Promise<{ reason: 'closed' | 'timeout' | 'error'; detail?: string }>((resolve) => {
      const timer = setTimeout(() => {
        resolve({ reason: 'timeout', detail: `the stream was still open after ${streamTimeoutMs} ms` });
        message.destroy();
      }, streamTimeoutMs);
      message.setEncoding('utf8');
      message.on('data', (chunk: string) => parser.feed(chunk));
      message.on('end', () => {
        clearTimeout(timer);
        resolve({ reason: 'closed' });
      });
      message.on('error', (error) => {
        clearTimeout(timer);
        resolve({ reason: 'error', detail: error.message });
      });
      message.on('close', () => {
        clearTimeout(timer);
        resolve({ reason: message.complete ? 'closed' : 'error', detail: message.complete ? undefined : 'the connection closed mid-stream' });
      });
    });
    open.delete(message);
    await record({ a2a: 'stream-end', request, events, reason: ended.reason, ...(ended.detail ? { detail: ended.detail } : {}) });
  }

  function startInbound(ctx: AdapterContext): Promise<string> {
    server = createServer((request, response) => {
      void readBody(request).then((body) =>
        record({ a2a: 'push', method: request.method ?? '', path: request.url ?? '', headers: flatHeaders(request.headers), body }).then(
          () => response.writeHead(200).end(),
          () => response.writeHead(500).end(),
        ),
      );
    });
    return new Promise((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(options.listenPort ?? 0, options.listenHost ?? '127.0.0.1', () => {
        const address = server!.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        ctx.log(`push endpoint on port ${port}`);
        resolve(`http://${options.listenHost ?? '127.0.0.1'}:${port}/`);
      });
    });
  }

  return {
    name: 'a2a',
    async start(ctx) {
      context = ctx;
      if (!URL.canParse(ctx.target) || !/^https?:$/.test(new URL(ctx.target).protocol)) {
        throw new AdapterError('ADAPTER_INVALID_OPTION', `--target must be the agent's http(s):// base URL or its Agent Card's URL, got ${JSON.stringify(ctx.target)}`);
      }
      inbox = await createMessageWriter(ctx.inbox);
      const endpoint = await startInbound(ctx);
      outbox = await watchMessages(ctx.outbox, {
        decodeJson: false,
        onMessage: (file) => send(file, ctx.target),
        onError: (error) => ctx.log(error.message),
      });
      return { endpoint };
    },
    async stop() {
      stopping = true;
      for (const wait of waits) {
        clearTimeout(wait.timer);
        wait.done();
      }
      await outbox?.close();
      for (const message of open) message.destroy();
      await writes;
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
    },
  };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));
}
