/**
 * The template adapter: the smallest complete adapter, to copy when writing your own. It speaks
 * HTTP so that it can be checked against the reference agent, but every transport-specific line
 * is in `deliver()` and `startInbound()`; the folder handling around them is what every adapter
 * needs and what `agtest adapter check` verifies.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createMessageWriter, extensionForMediaType, watchMessages, type MessageReader, type MessageWriter, type ReceivedFile } from '../../agtalk/index.js';
import type { Adapter, AdapterContext } from '../adapter.js';
import { AdapterError } from '../errors.js';

export interface TemplateAdapterOptions {
  /** Attempts per message when the peer cannot be reached (default 5). */
  attempts?: number;
  /** First delay between attempts; it doubles each time (default 200 ms). */
  retryDelayMs?: number;
}

/** Outcome of one delivery attempt: the transport's word on it. */
type Delivery = { ok: true; status: number } | { ok: false; retry: boolean; status?: number; reason: string };

export function createTemplateAdapter(options: TemplateAdapterOptions = {}): Adapter {
  const attempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  let outbox: MessageReader | undefined;
  let server: Server | undefined;
  let stopping = false;

  /** The transport-specific send: one HTTP POST. */
  async function deliver(target: string, file: ReceivedFile): Promise<Delivery> {
    try {
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': file.mediaType }, body: new Uint8Array(file.bytes) });
      await response.body?.cancel();
      if (response.ok) return { ok: true, status: response.status };
      return { ok: false, retry: response.status >= 500, status: response.status, reason: `HTTP ${response.status}` };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      return { ok: false, retry: true, reason: cause?.code ?? String(error) };
    }
  }

  /** The transport-specific receive: an HTTP server whose POSTs become inbox files. */
  function startInbound(context: AdapterContext, inbox: MessageWriter): Promise<string> {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const contentType = request.headers['content-type'];
        const extension = extensionForMediaType(contentType);
        if (request.method !== 'POST' || !extension) {
          response.writeHead(request.method === 'POST' ? 415 : 405).end();
          return;
        }
        // Written (atomically, under a generated name) before the peer hears 202: nothing is lost.
        inbox.write(Buffer.concat(chunks), extension).then(
          (written) => {
            response.writeHead(202).end();
            context.emit({ type: 'received', file: written.name, contentType: contentType ?? '', via: 'inbound' });
          },
          (error: unknown) => {
            response.writeHead(500).end();
            context.log(`could not write an inbound message: ${String(error)}`);
          },
        );
      });
    });
    return new Promise((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => {
        const address = server!.address();
        resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
      });
    });
  }

  return {
    name: 'template',
    async start(context) {
      if (!URL.canParse(context.target) || !context.target.startsWith('http')) {
        throw new AdapterError('ADAPTER_INVALID_OPTION', `--target must be an http:// URL, got ${JSON.stringify(context.target)}`);
      }
      const inbox = await createMessageWriter(context.inbox);
      const endpoint = await startInbound(context, inbox);
      const undeliverable = join(context.outbox, '.undeliverable');
      // The reader hands files over one at a time in ordinal order and deletes each only after
      // the handler resolved; a handler that throws leaves its file in the outbox for next time.
      outbox = await watchMessages(context.outbox, {
        decodeJson: false,
        onMessage: async (file) => {
          const started = performance.now();
          for (let attempt = 1; ; attempt++) {
            const outcome = await deliver(context.target, file);
            if (outcome.ok) {
              context.emit({ type: 'sent', file: file.name, status: outcome.status, durationMs: Math.round(performance.now() - started) });
              return;
            }
            if (!outcome.retry) {
              // Refused for good: kept aside as evidence, and the queue goes on.
              await mkdir(undeliverable, { recursive: true });
              await writeFile(join(undeliverable, file.name), file.bytes);
              context.emit({ type: 'undeliverable', file: file.name, ...(outcome.status ? { status: outcome.status } : {}), reason: outcome.reason });
              return;
            }
            if (stopping) throw new Error('stopping');
            if (attempt >= attempts) {
              const error = new AdapterError('ADAPTER_TARGET_UNREACHABLE', `cannot reach ${context.target} (${outcome.reason}) after ${attempts} attempts; ${file.name} stays in the outbox`);
              context.fatal(error);
              throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 1)));
          }
        },
        onError: (error) => context.log(error.message),
      });
      return { endpoint };
    },
    async stop() {
      stopping = true;
      await outbox?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
    },
  };
}
