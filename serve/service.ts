/**
 * `agtest serve` as a library: the database, the job engine with the task runners, callback
 * delivery and the REST face, started together and stopped together.
 */
import type { AddressInfo } from 'node:net';
import { startCallbackDelivery, type DeliveryOptions } from './callbacks/deliver.js';
import { createA2aHandler, isA2aPath } from './a2a/face.js';
import { createRestServer, linksOf } from './http/rest.js';
import { createJobEngine } from './jobs/engine.js';
import { JobStore, type CallbackBody } from './jobs/job-store.js';
import { KeyStore } from './security/api-keys.js';
import { createRateLimiter } from './security/rate-limit.js';
import { systemResolver, type Resolver } from './security/target-guard.js';
import { claimDatabase } from './store/claim.js';
import { openDatabase } from './store/db.js';
import { createRunners, DEFAULT_CAPS, type Caps } from './tasks/runners.js';
import { redactDeep } from './tasks/secrets.js';

export interface ServiceOptions {
  /** The database file (created when missing). */
  db: string;
  /** Default 127.0.0.1: the service is reachable from this machine only unless told otherwise. */
  host?: string;
  /** Default 0: any free port (see `url`). */
  port?: number;
  /** Jobs running at once (default 2). */
  concurrency?: number;
  caps?: Partial<Caps>;
  /** The system resolver unless a test passes another; the same check runs on its answer. */
  resolve?: Resolver;
  /**
   * The URL callers reach the service at when it sits behind a gateway or proxy: the Agent Card
   * names its A2A endpoint under it (default: the address the service listens on).
   */
  publicUrl?: string;
  callbacks?: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs' | 'maxAttempts' | 'timeoutMs'>;
  log?: (line: string) => void;
}

export interface Service {
  url: string;
  /** The A2A JSON-RPC endpoint (its card at /.well-known/agent-card.json). */
  a2aUrl: string;
  store: JobStore;
  keys: KeyStore;
  close(): Promise<void>;
}

const callbackBody: CallbackBody = (job, event) => ({
  requestId: job.id,
  sequence: event.seq,
  status: event.status,
  at: event.at,
  ...(event.detail && Object.keys(event.detail).length ? { detail: event.detail } : {}),
  ...(event.status === 'completed' ? { result: redactDeep(job.result) } : {}),
  ...(event.status !== 'completed' && job.error && ['error', 'interrupted'].includes(event.status) ? { error: job.error } : {}),
  ...(event.status === 'input_required' && job.question ? { question: job.question } : {}),
  links: linksOf(job.id),
});

export async function startService(options: ServiceOptions): Promise<Service> {
  const claim = claimDatabase(options.db);
  if (claim.cleaned.length) options.log?.(`removed ${claim.cleaned.join(' and ')} (a server killed before)`);
  const db = openDatabase(options.db);
  const keys = new KeyStore(db);
  const caps: Caps = { ...DEFAULT_CAPS, ...(options.caps ?? {}) };
  const resolve = options.resolve ?? systemResolver;
  const concurrency = options.concurrency ?? 2;
  const delivery = startCallbackDelivery({ db, keys, resolve, ...(options.callbacks ?? {}), ...(options.log ? { log: options.log } : {}) });
  // Every status change may have queued a callback: the delivery wakes after each (cheap when none).
  const store = new JobStore(db, callbackBody, () => delivery.wake());
  const engine = createJobEngine({
    store,
    concurrency,
    runners: createRunners({ keys, store, resolve, caps }),
    ...(options.log ? { log: options.log } : {}),
  });
  engine.start();
  const limiter = createRateLimiter();
  let url = '';
  const log = options.log ? { log: options.log } : {};
  // The A2A face shares the port, the engine, the keys and the rate limiter with REST.
  const a2a = createA2aHandler({ db, store, engine, keys, limiter, resolve, caps, baseUrl: () => options.publicUrl?.replace(/\/+$/, '') ?? url, ...log });
  const server = createRestServer({ store, engine, keys, limiter, resolve, caps, concurrency, a2a: { owns: isA2aPath, handle: a2a }, ...log });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolvePromise());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;
  return {
    url,
    a2aUrl: `${url}/a2a/jsonrpc`,
    store,
    keys,
    async close() {
      await new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      });
      a2a.close();
      await engine.stop();
      await delivery.stop();
      db.close();
      claim.release();
    },
  };
}
