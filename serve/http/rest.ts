/**
 * The REST face (seeds 002/003 §4-§8): it authenticates, limits, validates and authorises a
 * request, then makes a job; status, result and cancel read and move jobs. Nothing here runs a
 * task. Every refusal says why, with the field when there is one; no secret is ever logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FINAL_STATUSES, hashRequest, type Job, type JobStore } from '../jobs/job-store.js';
import type { JobEngine } from '../jobs/engine.js';
import type { ApiKey, KeyStore } from '../security/api-keys.js';
import type { RateLimiter } from '../security/rate-limit.js';
import { checkTarget, type Resolver } from '../security/target-guard.js';
import { planFromRequest } from '../tasks/plan.js';
import { capProblems, guardPlan, jmeterFunctionProblems, translateJmx, type Caps } from '../tasks/runners.js';
import { redactDeep } from '../tasks/secrets.js';
import { certifyTargetOf, guardAgentCard, guardCertify } from '../tasks/certify.js';

/** How long admission waits for an A2A agent's cards (all four reads together). */
const CARD_BUDGET_MS = 5000;
import { openApiDocument } from './openapi.js';
import { requestProblems, TASK_TYPES, type ServeRequest } from './request-schema.js';
import { SIGNATURE_HEADER } from '../callbacks/deliver.js';

/** What both faces (REST and A2A) admit and run requests with. */
export interface ServiceDeps {
  store: JobStore;
  engine: JobEngine;
  keys: KeyStore;
  limiter: RateLimiter;
  resolve: Resolver;
  caps: Caps;
}

export interface RestOptions extends ServiceDeps {
  concurrency: number;
  /** The A2A face on the same port: the paths it owns, and its handler. */
  a2a?: { owns: (url: string) => boolean; handle: (req: IncomingMessage, res: ServerResponse) => void };
  /** A line per request: method, path, status, key id, request id. Never a header or a body. */
  log?: (line: string) => void;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: { field: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TRAFFIC_TASKS = new Set(['execute_test', 'generate_and_execute']);
/** The task types whose request is a load plan (targetDetails + performanceParameters). */
const PLAN_TASKS = new Set(['generate_script', 'execute_test', 'generate_and_execute']);

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new HttpProblem(413, 'body_too_large', `the body is ${declared} bytes; this server takes at most ${max}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpProblem(413, 'body_too_large', `the body is over ${max} bytes, the most this server takes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function linksOf(id: string) {
  const base = `/requests/${encodeURIComponent(id)}`;
  return { self: base, result: `${base}/result`, cancel: base };
}

/** The status document of GET /requests/{id} (and the callbacks' source). */
export function statusOf(store: JobStore, job: Job) {
  const events = store.events(job.id);
  const last = events[events.length - 1];
  const position = store.position(job.id);
  return {
    requestId: job.id,
    taskType: job.taskType,
    status: job.status,
    ...(position === undefined ? {} : { position }),
    ...(job.status === 'in_progress' && last?.detail ? { progress: last.detail } : {}),
    ...(job.question ? { question: job.question } : {}),
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    history: events.map((e) => ({ sequence: e.seq, status: e.status, at: e.at, ...(e.detail && Object.keys(e.detail).length ? { detail: e.detail } : {}) })),
    links: linksOf(job.id),
  };
}

export type AdmitOptions = Pick<RestOptions, 'store' | 'engine' | 'resolve' | 'caps'>;

/**
 * Validates, authorises and guards a parsed request, then makes its job: the one path by which
 * both faces (REST and A2A) create jobs. Throws HttpProblem with the reason on refusal.
 */
export async function admitRequest(options: AdmitOptions, key: ApiKey, body: unknown): Promise<{ status: number; body: Record<string, unknown>; headers?: Record<string, string> }> {
  const { store, engine, caps } = options;
  const problems = requestProblems(body);
  if (problems.length > 0) throw new HttpProblem(400, 'invalid_request', `the request does not match the schema: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  const request = body as ServeRequest;
  if (key.sourceAgentId !== null && request.sourceAgentId !== key.sourceAgentId) throw new HttpProblem(403, 'forbidden_source', `this key speaks for sourceAgentId ${key.sourceAgentId}, not ${request.sourceAgentId}`, [{ field: 'sourceAgentId', message: 'not this key\'s agent' }]);
  if (!key.taskTypes.includes(request.taskType)) throw new HttpProblem(403, 'forbidden_task_type', `this key may not run ${request.taskType} (allowed: ${key.taskTypes.join(', ')})`, [{ field: 'taskType', message: 'not allowed for this key' }]);

  const existing = store.get(request.requestId);
  if (existing) {
    // The same request sent again (a retry after a lost 202) gets the same job, not a second run.
    if (existing.keyId === key.id && existing.requestHash === hashRequest(request)) return { status: 200, body: { ...statusOf(store, existing), duplicate: true } };
    throw new HttpProblem(409, 'duplicate_request_id', `requestId ${request.requestId} is already used by a different request`, [{ field: 'requestId', message: 'already used' }]);
  }

  // Refused now, before any traffic, when the answer is already known: caps, JMeter functions, targets.
  if (request.taskType === 'certify') {
    const target = certifyTargetOf(request);
    if (target.ok) {
      const guard = await guardCertify(target.target, key.targets, options.resolve);
      if (!guard.ok) throw new HttpProblem(403, 'target_not_allowed', `target refused: ${guard.field}: ${guard.reason}`, [{ field: guard.field, message: guard.reason }]);
      if (target.target.protocol === 'a2a') {
        // The card of an allowlisted agent is read now (pinned, no redirects), so a card naming an
        // interface off the list is refused before a job exists. A card that cannot be read within
        // the budget is not a refusal: the job reads it again before the run, and fails it there.
        const card = await guardAgentCard(target.target.url, key.targets, options.resolve, AbortSignal.timeout(CARD_BUDGET_MS)).catch(() => ({ ok: true as const }));
        if (!card.ok) throw new HttpProblem(403, 'target_not_allowed', `target refused: ${card.reason}`, [{ field: 'targetDetails.url', message: card.reason }]);
      }
    }
  } else if (request.jmxScript !== undefined) {
    if (request.taskType !== 'execute_test') throw new HttpProblem(400, 'invalid_request', 'jmxScript is run by execute_test only', [{ field: 'jmxScript', message: `not used by ${request.taskType}` }]);
    const translated = await translateJmx(request.jmxScript, key.targets, options.resolve, caps);
    if (!translated.ok) throw new HttpProblem(translated.status, translated.code, translated.problems.map((p) => `${p.field}: ${p.message}`).join('; '), translated.problems);
    const guard = await guardPlan(translated.plan, key.targets, options.resolve);
    if (!guard.ok) throw new HttpProblem(403, 'target_not_allowed', `target refused: ${guard.reason}`, [{ field: 'jmxScript', message: guard.reason }]);
  } else if (PLAN_TASKS.has(request.taskType)) {
    const planned = planFromRequest(request);
    if (planned.ok) {
      const overCaps = [...capProblems(planned.plan, caps), ...jmeterFunctionProblems(planned.plan)];
      if (overCaps.length > 0) throw new HttpProblem(422, 'over_limits', overCaps.map((p) => `${p.field} ${p.message}`).join('; '), overCaps);
      if (TRAFFIC_TASKS.has(request.taskType)) {
        const guard = await guardPlan(planned.plan, key.targets, options.resolve);
        if (!guard.ok) throw new HttpProblem(403, 'target_not_allowed', `target refused: ${guard.reason}`, [{ field: guard.field ?? 'targetDetails.url', message: guard.reason }]);
      }
    }
  }
  if (request.callbackUrl) {
    const check = await checkTarget(request.callbackUrl, key.targets, options.resolve);
    if (!check.ok) throw new HttpProblem(403, 'callback_not_allowed', `callbackUrl refused: ${check.reason}`, [{ field: 'callbackUrl', message: check.reason }]);
  }
  const job = store.create({ id: request.requestId, keyId: key.id, taskType: request.taskType, request: request as unknown as Record<string, unknown>, ...(request.callbackUrl ? { callbackUrl: request.callbackUrl } : {}) });
  engine.wake();
  const position = store.position(job.id);
  return { status: 202, body: { requestId: job.id, status: job.status, ...(position === undefined ? {} : { position }), links: linksOf(job.id) }, headers: { location: linksOf(job.id).self } };
}

export function createRestServer(options: RestOptions): Server {
  const { store, engine, keys, limiter, caps } = options;

  const authenticate = (req: IncomingMessage): ApiKey => {
    const header = req.headers['authorization'];
    const presented = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined;
    if (!presented) throw new HttpProblem(401, 'unauthenticated', 'send your API key: Authorization: Bearer <key>', undefined, { 'www-authenticate': 'Bearer' });
    const key = keys.authenticate(presented);
    if (!key) throw new HttpProblem(401, 'unauthenticated', 'the API key is unknown or revoked', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
    const wait = limiter.take(key.id, key.ratePerMinute);
    if (wait > 0) throw new HttpProblem(429, 'rate_limited', `over this key's rate of ${key.ratePerMinute} requests per minute; retry in ${wait} s`, undefined, { 'retry-after': String(wait) });
    return key;
  };

  const ownJob = (key: ApiKey, id: string): Job => {
    const job = store.get(id);
    // Another key's job is "not found": its existence is not for this caller to learn.
    if (!job || job.keyId !== key.id) throw new HttpProblem(404, 'not_found', `no request ${id}`);
    return job;
  };

  const create = async (req: IncomingMessage, key: ApiKey) => {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) throw new HttpProblem(415, 'unsupported_media_type', 'send the request as application/json');
    const text = await readBody(req, caps.maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new HttpProblem(400, 'invalid_json', `the body is not JSON: ${(error as Error).message}`);
    }
    return admitRequest(options, key, body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<{ status: number; key?: string; id?: string }> => {
    const url = new URL(req.url ?? '/', 'http://serve.invalid');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/openapi.json') {
      send(res, 200, openApiDocument());
      return { status: 200 };
    }
    if (method === 'GET' && url.pathname === '/capabilities') {
      send(res, 200, {
        service: 'agtest serve',
        taskTypes: TASK_TYPES,
        statuses: ['queued', 'in_progress', ...FINAL_STATUSES],
        limits: { maxVirtualUsers: caps.maxUsers, maxDurationSeconds: caps.maxDurationSeconds, maxBodyBytes: caps.maxBodyBytes, concurrentJobs: options.concurrency },
        engines: {
          load: 'agtest load (http scenario)',
          scripts: ['agtest load plan', 'JMeter JMX (2.13 format)'],
          jmxExecution: 'execute_test jmxScript: one ThreadGroup, HTTP samplers, header managers, HTTP request defaults, constant and constant-throughput timers; anything else refused by name',
          analysis: ['agtest load report', 'JMeter JTL (CSV)', 'JMeter JTL (XML)'],
          certify: { runner: 'agtest run', protocols: ['a2a', 'didcomm-v1'], result: ['profile', 'report', 'junit'] },
          compare: 'two interop profiles, given or by certify requestIds',
        },
        authentication: { type: 'api-key', header: 'Authorization: Bearer <key>' },
        callbacks: { method: 'POST', signatureHeader: SIGNATURE_HEADER, signature: 'sha256=HEX(HMAC-SHA256(signing secret, body))', idempotencyKey: 'requestId:sequence' },
        openapi: '/openapi.json',
        a2a: { agentCard: '/.well-known/agent-card.json', jsonrpc: '/a2a/jsonrpc', versions: ['1.0', '0.3'], streaming: true, pushNotifications: true },
      });
      return { status: 200 };
    }
    const key = authenticate(req);
    if (url.pathname === '/requests') {
      if (method !== 'POST') throw new HttpProblem(405, 'method_not_allowed', 'POST /requests creates a request', undefined, { allow: 'POST' });
      const created = await create(req, key);
      send(res, created.status, created.body, created.headers);
      return { status: created.status, key: key.id, id: String((created.body as { requestId: string }).requestId) };
    }
    const match = /^\/requests\/([^/]+)(\/result)?$/.exec(url.pathname);
    if (!match) throw new HttpProblem(404, 'not_found', `no route ${method} ${url.pathname}`);
    const id = decodeURIComponent(match[1]!);
    const job = ownJob(key, id);
    if (match[2]) {
      if (method !== 'GET') throw new HttpProblem(405, 'method_not_allowed', 'GET the result', undefined, { allow: 'GET' });
      if (job.status !== 'completed') throw new HttpProblem(409, 'no_result', job.status === 'input_required' ? `the request needs input: ${job.question}` : `the request is ${job.status}${job.error ? `: ${job.error}` : ''}; a result exists only once it is completed`);
      send(res, 200, { requestId: job.id, taskType: job.taskType, status: job.status, result: redactDeep(job.result) });
      return { status: 200, key: key.id, id };
    }
    if (method === 'GET') {
      send(res, 200, statusOf(store, job));
      return { status: 200, key: key.id, id };
    }
    if (method === 'DELETE') {
      if (!engine.cancel(id)) throw new HttpProblem(409, 'already_ended', `the request already ended: ${store.get(id)!.status}`);
      send(res, 200, statusOf(store, store.get(id)!));
      return { status: 200, key: key.id, id };
    }
    throw new HttpProblem(405, 'method_not_allowed', `${method} is not allowed here`, undefined, { allow: 'GET, DELETE' });
  };

  return createServer((req, res) => {
    if (options.a2a?.owns(req.url ?? '/')) {
      options.a2a.handle(req, res);
      res.on('finish', () => options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} (a2a)`));
      return;
    }
    route(req, res)
      .then((outcome) => options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${outcome.status}${outcome.key ? ` key=${outcome.key}` : ''}${outcome.id ? ` request=${outcome.id}` : ''}`))
      .catch((error: unknown) => {
        const problem = error instanceof HttpProblem ? error : new HttpProblem(500, 'internal', 'internal error');
        if (!(error instanceof HttpProblem)) options.log?.(`internal error on ${req.method} ${(req.url ?? '').split('?')[0]}: ${(error as Error).stack ?? String(error)}`);
        options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${problem.status} ${problem.code}`);
        if (res.headersSent) return res.destroy();
        send(res, problem.status, { error: { code: problem.code, message: problem.message, ...(problem.problems ? { problems: problem.problems } : {}) } }, { ...problem.headers, ...(problem.status === 413 ? { connection: 'close' } : {}) });
        // A body over the cap is not read to its end: the connection closes once the answer is out.
        if (problem.status === 413) res.on('finish', () => req.socket.destroy());
      });
  });
}
