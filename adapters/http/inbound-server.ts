import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extensionForMediaType, traceStage, type MessageWriter } from '../../agtalk/index.js';
import type { AdapterContext } from '../adapter.js';
import { AdapterError } from '../errors.js';
import type { ResolvedHttpAdapterOptions } from './options.js';

export interface InboundServer {
  /** `http://<host>:<port>/` as bound. */
  endpoint: string;
  close(): Promise<void>;
}

/** In-flight inbound requests may finish this long after close() (each ends with a file write). */
const CLOSE_GRACE_MS = 1_000;

/**
 * Accepts DIDComm over HTTP (Aries RFC 0025) on any path. Answers 202 only once the message is a
 * file in the inbox, so an agent told "accepted" can rely on it; refuses what it cannot file
 * (405 not POST, 415 unknown type, 400 empty, 413 too large) and writes nothing then.
 */
export async function startInboundServer(context: AdapterContext, inbox: MessageWriter, options: ResolvedHttpAdapterOptions): Promise<InboundServer> {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const answer = (status: number, text?: string, headers: Record<string, string> = {}): void => {
      response.writeHead(status, text ? { 'content-type': 'text/plain; charset=utf-8', ...headers } : headers).end(text ? `${text}\n` : undefined);
    };
    if (request.method !== 'POST') return drainThen(request, () => answer(405, 'POST a message here', { allow: 'POST' }));
    const contentType = request.headers['content-type'];
    const extension = extensionForMediaType(contentType, { plainJson: options.plainJson });
    if (!extension) {
      context.emit({ type: 'warning', message: `refused an inbound POST with Content-Type ${JSON.stringify(contentType ?? null)} (415): not a message type` });
      return drainThen(request, () => answer(415, `unsupported Content-Type ${contentType ?? '(none)'}`));
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > options.maxBodyBytes) return drainThen(request, () => answer(413, `message larger than ${options.maxBodyBytes} bytes`));
    const body = await readBody(request, options.maxBodyBytes);
    if (body === 'too-large') return answer(413, `message larger than ${options.maxBodyBytes} bytes`);
    if (body.length === 0) return answer(400, 'empty body');
    traceStage('http.inbound', request.url ?? '');
    let written;
    try {
      written = await inbox.write(body, extension);
    } catch (cause) {
      answer(503, 'could not store the message');
      context.fatal(new AdapterError('ADAPTER_IO_FAILED', `writing an inbound message to ${inbox.dir} failed: ${String(cause)}`, { cause }));
      return;
    }
    context.emit({ type: 'received', file: written.name, contentType: contentType ?? '', via: 'inbound' });
    answer(202);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      context.log(`http adapter: inbound ${request.method ?? ''} ${request.url ?? ''} failed: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new AdapterError('ADAPTER_START_FAILED', `cannot listen on ${options.listenHost}:${options.listenPort}: ${String(cause)}`, { cause })));
    server.listen(options.listenPort, options.listenHost, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    endpoint: `http://${host}:${address.port}/`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(grace);
    },
  };
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > maxBytes ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Answering before the body is read can reset the connection under a client still sending. */
function drainThen(request: IncomingMessage, answer: () => void): void {
  request.on('end', answer);
  request.on('error', answer);
  request.resume();
}
