/**
 * The A2A face of `agtest serve` (issue 19, DESIGN.md §10), on @a2a-js/sdk: the same job engine
 * as REST, reached through the same admission path (`admitRequest`), so schema, caps, allowlist
 * and per-key task types are checked once, in one place. An A2A task follows one job: the job's
 * status history becomes task status updates, its result becomes artifacts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request, type Response, type NextFunction } from 'express';
import { AgentCard, Message, Task, TaskArtifactUpdateEvent, TaskStatusUpdateEvent, AGENT_CARD_PATH } from '@a2a-js/sdk';
import { AgentEvent, DefaultRequestHandler, type AgentExecutor, type ExecutionEventBus, type RequestContext, type ServerCallContext } from '@a2a-js/sdk/server';
import { GuardedPushSender, GuardedPushStore } from './push.js';
import { KeyUser } from './key-user.js';
import { ServeTaskStore, TaskJobs } from './task-store.js';
import type { Database } from '../store/db.js';
import { jsonRpcHandler } from '@a2a-js/sdk/server/express';
import type { Job, JobEvent } from '../jobs/job-store.js';
import type { ApiKey } from '../security/api-keys.js';
import { redactDeep } from '../tasks/secrets.js';
import { admitRequest, HttpProblem, type ServiceDeps } from '../http/rest.js';
import { TASK_TYPES, type TaskType } from '../http/request-schema.js';

/** Where the JSON-RPC endpoint lives on the service's port. */
export const A2A_PATH = '/a2a/jsonrpc';
export const AGENT_CARD_URL_PATH = `/${AGENT_CARD_PATH}`;

export interface A2aOptions extends ServiceDeps {
  /** Where tasks, their jobs and push configs are kept across a restart (in memory only without it). */
  db?: Database;
  /** The service's base URL, known only once it listens. */
  baseUrl: () => string;
  /** How often a task re-reads its job (ms, default 100). */
  pollMs?: number;
  log?: (line: string) => void;
}

const SKILLS: Record<TaskType, { name: string; description: string; examples: string[] }> = {
  generate_script: { name: 'Generate a load script', description: 'An agtest load plan and a JMeter test plan (JMX) from a description, target and performance parameters.', examples: ['Generate a test with 5 users for 1 minute on http://127.0.0.1:8080 GET /health'] },
  execute_test: { name: 'Execute a load test', description: 'Runs the load of apiEndpoints with agtest (to allowlisted targets only) and returns the report.', examples: [] },
  generate_and_execute: { name: 'Generate and execute a load test', description: 'Generates the plans, runs the load and returns the report with the plans.', examples: ['Run a 1-minute test with 2 users on http://127.0.0.1:8080 GET /'] },
  analyze_results: { name: 'Analyse results', description: 'Summarises an agtest load report or a JMeter JTL (CSV or XML): percentiles, errors by class, threshold verdicts, suspect flags.', examples: [] },
  certify: { name: 'Certify an agent', description: "Runs agtest's suites against the agent in targetDetails (an A2A agent's URL, or a DIDComm agent's endpoint and backchannel; allowlisted targets only) and returns its interop profile and the report.", examples: ['Certify the A2A agent at http://127.0.0.1:9000'] },
  compare_profiles: { name: 'Compare interop profiles', description: 'Compares two interop profiles (given, or by the requestIds of earlier certify requests): per junction and per cluster, both directions.', examples: [] },
};

const STATE: Record<string, string> = {
  queued: 'TASK_STATE_SUBMITTED',
  in_progress: 'TASK_STATE_WORKING',
  completed: 'TASK_STATE_COMPLETED',
  error: 'TASK_STATE_FAILED',
  interrupted: 'TASK_STATE_FAILED',
  cancelled: 'TASK_STATE_CANCELED',
  input_required: 'TASK_STATE_INPUT_REQUIRED',
};
const ENDS = new Set(['completed', 'error', 'interrupted', 'cancelled', 'input_required']);

/** The v0.3 form of the same card (A2A 0.3 §5.5): `url`, `preferredTransport`, OpenAPI-style security. */
export function legacyAgentCard(baseUrl: string, taskTypes: readonly TaskType[] = TASK_TYPES) {
  const card = agentCard(baseUrl, taskTypes);
  return {
    protocolVersion: '0.3.0',
    name: card.name,
    description: card.description,
    version: card.version,
    url: `${baseUrl}${A2A_PATH}`,
    preferredTransport: 'JSONRPC',
    additionalInterfaces: [{ url: `${baseUrl}${A2A_PATH}`, transport: 'JSONRPC' }],
    capabilities: card.capabilities,
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An agtest serve API key (agtest serve keys add).' } },
    security: [{ apiKey: [] }],
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    skills: card.skills,
  };
}

export function agentCard(baseUrl: string, taskTypes: readonly TaskType[] = TASK_TYPES) {
  return {
    name: 'agtest serve',
    description: 'A load-testing agent: generates agtest and JMeter plans from a request, runs bounded load against allowlisted targets, analyses results (seeds 002/003).',
    version: '0.1.0',
    supportedInterfaces: [
      { url: `${baseUrl}${A2A_PATH}`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: `${baseUrl}${A2A_PATH}`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    capabilities: { streaming: true, pushNotifications: true },
    // The same API keys as REST (A2A §7: the card declares the scheme; credentials go in HTTP headers).
    securitySchemes: { apiKey: { httpAuthSecurityScheme: { scheme: 'Bearer', description: 'An agtest serve API key (agtest serve keys add).' } } },
    securityRequirements: [{ schemes: { apiKey: { list: [] } } }],
    defaultInputModes: ['application/json', 'text/plain'],
    defaultOutputModes: ['application/json', 'text/plain', 'application/xml'],
    skills: taskTypes.map((type) => ({ id: type, name: SKILLS[type].name, description: SKILLS[type].description, tags: ['load', 'performance', type], examples: SKILLS[type].examples, inputModes: ['application/json', 'text/plain'] })),
  };
}

function partsOf(message: Message): { data?: Record<string, unknown>; text: string } {
  let data: Record<string, unknown> | undefined;
  const text: string[] = [];
  for (const part of message.parts) {
    if (part.content?.$case === 'data' && part.content.value && typeof part.content.value === 'object' && !Array.isArray(part.content.value)) data ??= part.content.value as Record<string, unknown>;
    if (part.content?.$case === 'text') text.push(part.content.value);
  }
  return { ...(data ? { data } : {}), text: text.join('\n') };
}

/** A plain-text message becomes a request whose taskDescription is the text (parsed like REST's). */
function requestFrom(message: Message, taskId: string, key: ApiKey): unknown {
  const { data, text } = partsOf(message);
  if (data) return data;
  const metadataType = (message.metadata as Record<string, unknown> | undefined)?.['taskType'];
  const taskType = typeof metadataType === 'string' ? metadataType : /\bcertify\b/i.test(text) ? 'certify' : /\b(run|execute)\b/i.test(text) ? 'generate_and_execute' : 'generate_script';
  return { requestId: taskId, sourceAgentId: key.sourceAgentId ?? 'a2a-caller', taskType, taskDescription: text };
}

// The JSON form (what fromJSON of the enclosing Task or event reads), not a Message object.
/** The previous request with the caller's answer: a DataPart's fields win (nested ones merged), text extends the description. */
function answered(previous: Job, message: Message, round: number): Record<string, unknown> {
  const before = previous.request;
  const { data, text } = partsOf(message);
  const nested = (name: string) => ({ ...((before[name] as Record<string, unknown> | undefined) ?? {}), ...((data?.[name] as Record<string, unknown> | undefined) ?? {}) });
  const merged: Record<string, unknown> = { ...before, ...(data ?? {}), requestId: `${String(before['requestId']).slice(0, 100)}.answer-${round}` };
  for (const name of ['targetDetails', 'performanceParameters']) if (before[name] !== undefined || data?.[name] !== undefined) merged[name] = nested(name);
  if (text) merged['taskDescription'] = `${String(before['taskDescription'] ?? '')}\n${text}`;
  return merged;
}

const agentText = (contextId: string, taskId: string, text: string, data?: unknown) => ({ messageId: `${taskId}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, contextId, taskId, role: 'ROLE_AGENT', parts: [{ text }, ...(data === undefined ? [] : [{ data }])] }) as Record<string, unknown>;

function artifactsOf(job: Job): { artifactId: string; name: string; description: string; parts: unknown[] }[] {
  const result = redactDeep(job.result) as Record<string, unknown> | null;
  const out: { artifactId: string; name: string; description: string; parts: unknown[] }[] = [{ artifactId: 'result', name: 'result.json', description: `The ${job.taskType} result (the JSON report, as REST's GET /requests/{id}/result).`, parts: [{ data: result, mediaType: 'application/json' }] }];
  if (result && typeof result['jmx'] === 'string') out.push({ artifactId: 'plan.jmx', name: 'plan.jmx', description: 'The generated JMeter test plan.', parts: [{ text: result['jmx'], mediaType: 'application/xml', filename: 'plan.jmx' }] });
  if (result && result['profile'] !== undefined && job.taskType === 'certify') out.push({ artifactId: 'profile.json', name: 'profile.json', description: 'The interop profile agtest measured.', parts: [{ data: result['profile'], mediaType: 'application/json' }] });
  if (result && typeof result['report'] === 'string' && job.taskType === 'certify') out.push({ artifactId: 'report.txt', name: 'report.txt', description: "agtest run's report.", parts: [{ text: result['report'], mediaType: 'text/plain', filename: 'report.txt' }] });
  if (result && result['agtestLoadConfig'] !== undefined) out.push({ artifactId: 'load-plan.json', name: 'load-plan.json', description: 'The generated agtest load plan.', parts: [{ data: result['agtestLoadConfig'], mediaType: 'application/json' }] });
  return out;
}

function describeEvent(event: JobEvent, job: Job): string {
  if (event.status === 'in_progress') return `in progress${event.detail ? `: ${JSON.stringify(event.detail)}` : ''}`;
  if (event.status === 'input_required') return job.question ?? 'more input is needed';
  if (event.status === 'error' || event.status === 'interrupted') return job.error ?? event.status;
  if (event.status === 'cancelled') return 'cancelled by the caller';
  if (event.status === 'completed') return `${job.taskType} completed`;
  return event.status;
}

function createExecutor(options: A2aOptions, jobOfTask: TaskJobs): AgentExecutor {
  const pollMs = options.pollMs ?? 100;
  const cancelled = new Set<string>();
  const contextOf = new Map<string, string>();
  return {
    async execute(ctx: RequestContext, bus: ExecutionEventBus) {
      const { taskId, contextId } = ctx;
      contextOf.set(taskId, contextId);
      const user = ctx.context.user;
      if (!(user instanceof KeyUser)) throw new Error('unauthenticated call reached the executor');
      const key = user.key;
      const first = (state: string, text: string, data?: unknown) =>
        bus.publish(AgentEvent.task(Task.fromJSON({ id: taskId, contextId, status: { state, message: agentText(contextId, taskId, text, data), timestamp: new Date().toISOString() }, history: [Message.toJSON(ctx.userMessage)] })));
      const previous = ctx.task ? options.store.get(jobOfTask.get(taskId) ?? '') : undefined;
      if (ctx.task && (!previous || previous.status !== 'input_required' || previous.keyId !== key.id)) {
        first('TASK_STATE_REJECTED', 'this task takes no more input; send a new message (a new task) with the complete request');
        bus.finished();
        return;
      }
      let jobId: string;
      try {
        // An answer to input-required: the same task, a new job from the first request with the answer merged in.
        const request = previous ? answered(previous, ctx.userMessage, options.store.events(previous.id).length) : requestFrom(ctx.userMessage, taskId, key);
        const admitted = await admitRequest(options, key, request);
        jobId = String(admitted.body['requestId']);
      } catch (error) {
        const problem = error instanceof HttpProblem ? error : undefined;
        if (!problem) options.log?.(`a2a task ${taskId}: ${(error as Error).stack ?? String(error)}`);
        first('TASK_STATE_REJECTED', problem ? `${problem.code}: ${problem.message}` : 'internal error', problem ? { error: { code: problem.code, message: problem.message, ...(problem.problems ? { problems: problem.problems } : {}) } } : undefined);
        bus.finished();
        return;
      }
      jobOfTask.set(taskId, jobId);
      first('TASK_STATE_SUBMITTED', `accepted as request ${jobId}`, { requestId: jobId });
      let seen = 1;
      for (;;) {
        const job = options.store.get(jobId);
        if (!job) break;
        const events = options.store.events(jobId);
        // cancelTask published the task's end itself.
        if (cancelled.has(taskId)) return;
        for (const event of events.slice(seen)) {
          const final = ENDS.has(event.status);
          if (event.status === 'completed') {
            for (const artifact of artifactsOf(job)) bus.publish(AgentEvent.artifactUpdate(TaskArtifactUpdateEvent.fromJSON({ taskId, contextId, artifact, append: false, lastChunk: true })));
          }
          bus.publish(AgentEvent.statusUpdate(TaskStatusUpdateEvent.fromJSON({ taskId, contextId, status: { state: STATE[event.status] ?? 'TASK_STATE_WORKING', message: agentText(contextId, taskId, describeEvent(event, job), { sequence: event.seq, status: event.status, ...(event.detail ? { detail: event.detail } : {}) }), timestamp: new Date().toISOString() } })));
          if (final) {
            bus.finished();
            return;
          }
        }
        seen = events.length;
        await new Promise((done) => setTimeout(done, pollMs));
      }
      bus.finished();
    },
    async cancelTask(taskId: string, bus: ExecutionEventBus) {
      // The SDK waits for the canceled state on the bus; an input-required task has no running job
      // (A2A: input-required is interrupted, not terminal, so it may still be canceled).
      const jobId = jobOfTask.get(taskId);
      if (jobId) options.engine.cancel(jobId);
      cancelled.add(taskId);
      bus.publish(AgentEvent.statusUpdate(TaskStatusUpdateEvent.fromJSON({ taskId, contextId: contextOf.get(taskId) ?? '', status: { state: 'TASK_STATE_CANCELED', message: agentText(contextOf.get(taskId) ?? '', taskId, 'cancelled by the caller'), timestamp: new Date().toISOString() } })));
      bus.finished();
    },
  };
}

/**
 * The express app for the card and the JSON-RPC endpoint. Calls without a valid key get HTTP 401
 * with WWW-Authenticate (A2A §7.4: authentication failures are HTTP-level, not JSON-RPC errors).
 */
export type A2aHandler = ((req: IncomingMessage, res: ServerResponse) => void) & { close(): void };

const RESTING_STATES = new Set(['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED', 'TASK_STATE_INPUT_REQUIRED']);

export function createA2aHandler(options: A2aOptions): A2aHandler {
  const jobOfTask = new TaskJobs(options.db);
  const taskStore = new ServeTaskStore(options.db);
  let handler: DefaultRequestHandler | undefined;
  // Push configs and deliveries are held to the caller's key: its allowlist, no redirects (push.ts).
  const pushOptions = { keyOf: (context: ServerCallContext) => (context.user instanceof KeyUser ? context.user.key : undefined), resolve: options.resolve, ...(options.db ? { db: options.db } : {}), ...(options.log ? { log: options.log } : {}) };
  const pushStore = new GuardedPushStore(pushOptions);
  const pushSender = new GuardedPushSender(pushStore, pushOptions);
  const requestHandler = () => (handler ??= new DefaultRequestHandler(AgentCard.fromJSON(agentCard(options.baseUrl())), taskStore, createExecutor(options, jobOfTask), undefined, pushStore, pushSender));
  const stopped = new AbortController();

  // After a restart: the tasks whose executor died with the server follow their job from here, so
  // the caller (GetTask, ListTasks, push) learns its end: completed with its artifacts, or failed
  // because the job was interrupted (a job is never run twice).
  const restored = taskStore.restore(options.keys);
  pushStore.restore(options.keys);
  const pollMs = options.pollMs ?? 100;
  const follow = async (task: Task, context: ServerCallContext) => {
    const jobId = jobOfTask.get(task.id);
    if (!jobId) return;
    let current = task;
    while (!stopped.signal.aborted) {
      const job = options.store.get(jobId);
      if (!job) return;
      const events = options.store.events(jobId);
      const last = events[events.length - 1];
      const state = STATE[job.status] ?? 'TASK_STATE_WORKING';
      const json = Task.toJSON(current) as { contextId: string; status?: { state?: string } };
      if (last && (ENDS.has(job.status) || (job.status === 'in_progress' && json.status?.state !== 'TASK_STATE_WORKING'))) {
        const status = { state, message: agentText(json.contextId, task.id, describeEvent(last, job), { sequence: last.seq, status: last.status, ...(last.detail ? { detail: last.detail } : {}) }), timestamp: new Date().toISOString() };
        current = Task.fromJSON({ ...json, status, ...(job.status === 'completed' ? { artifacts: artifactsOf(job) } : {}) });
        await taskStore.save(current, context);
        await pushSender.send({ payload: { $case: 'statusUpdate', value: TaskStatusUpdateEvent.fromJSON({ taskId: task.id, contextId: json.contextId, status }) } } as Parameters<GuardedPushSender['send']>[0], context, current);
        if (ENDS.has(job.status)) return;
      }
      await new Promise((done) => setTimeout(done, pollMs));
    }
  };
  for (const { task, context } of restored) {
    const state = (Task.toJSON(task) as { status?: { state?: string } }).status?.state ?? '';
    if (RESTING_STATES.has(state)) continue;
    follow(task, context).catch((error: unknown) => options.log?.(`a2a task ${task.id} after restart: ${(error as Error).stack ?? String(error)}`));
  }

  const app = express();
  app.disable('x-powered-by');
  // The card is served from its JSON here, not through the SDK's agentCardHandler: @a2a-js/sdk 1.3.0
  // writes a v1.0 card's security schemes in its internal `$case` form and drops them from the 0.3 form.
  app.get(AGENT_CARD_URL_PATH, (req, res) => {
    const version = String(req.headers['a2a-version'] ?? '0.3');
    res.set('cache-control', 'no-store').json(version.startsWith('1') ? agentCard(options.baseUrl()) : legacyAgentCard(options.baseUrl()));
  });
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers['authorization'];
    const presented = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
    const key = presented ? options.keys.authenticate(presented) : undefined;
    if (!key) {
      res.status(401).set('www-authenticate', presented ? 'Bearer error="invalid_token"' : 'Bearer').json({ error: { code: 'unauthenticated', message: presented ? 'the API key is unknown or revoked' : 'send your API key: Authorization: Bearer <key>' } });
      return;
    }
    const wait = options.limiter.take(key.id, key.ratePerMinute);
    if (wait > 0) {
      res.status(429).set('retry-after', String(wait)).json({ error: { code: 'rate_limited', message: `over this key's rate of ${key.ratePerMinute} requests per minute; retry in ${wait} s` } });
      return;
    }
    (req as Request & { agtestKey?: ApiKey }).agtestKey = key;
    next();
  };
  let rpc: ReturnType<typeof jsonRpcHandler> | undefined;
  app.use(A2A_PATH, authenticate, express.json(), jsonRpcEnvelope);
  app.use(A2A_PATH, parseErrorAnswer);
  app.use(A2A_PATH, (req: Request, res: Response, next: NextFunction) =>
    (rpc ??= jsonRpcHandler({ requestHandler: requestHandler(), userBuilder: async (r) => new KeyUser((r as Request & { agtestKey: ApiKey }).agtestKey), legacyCompat: { enabled: true } }))(req, res, next),
  );
  return Object.assign((req: IncomingMessage, res: ServerResponse) => app(req as Request, res as Response), { close: () => stopped.abort() });
}

const invalidRequest = (res: Response, id: unknown, what: string) =>
  res.status(200).json({ jsonrpc: '2.0', id: typeof id === 'string' || typeof id === 'number' ? id : null, error: { code: -32600, message: `Invalid Request: ${what}` } });

/**
 * JSON-RPC 2.0 rules @a2a-js/sdk 1.3.0 gets wrong, enforced before it: a request that is not a
 * valid Request object is -32600 (§5.1; the SDK answers -32602) with id null when the id cannot
 * be read (§5), and a notification is never answered (§4.1; the SDK answers it).
 */
function jsonRpcEnvelope(req: Request, res: Response, next: NextFunction) {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return next();
  const call = body as Record<string, unknown>;
  if (!('id' in call)) {
    res.status(204).end();
    return;
  }
  if (call['id'] !== null && typeof call['id'] !== 'string' && typeof call['id'] !== 'number') return void invalidRequest(res, null, 'id must be a String, Number or Null');
  if (call['jsonrpc'] !== '2.0') return void invalidRequest(res, call['id'], 'jsonrpc must be exactly "2.0"');
  if (typeof call['method'] !== 'string') return void invalidRequest(res, call['id'], 'method must be a String');
  // A2A v1.0 §3.3.2 and the §6.5 example: a negative historyLength is refused (-32602); the SDK serves it.
  const params = call['params'] as Record<string, unknown> | undefined;
  if (call['method'] === 'ListTasks' && typeof params?.['historyLength'] === 'number' && params['historyLength'] < 0) {
    return void res.status(200).json({ jsonrpc: '2.0', id: call['id'], error: { code: -32602, message: 'Invalid params: historyLength must be 0 or more' } });
  }
  next();
}

/** The SDK's own answer to unparsable JSON (-32700, id null), for the parser that now runs before it. */
function parseErrorAnswer(error: unknown, _req: Request, res: Response, next: NextFunction) {
  if (error instanceof SyntaxError && 'body' in error) return void res.status(200).json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Invalid JSON payload.' } });
  next(error);
}

export const isA2aPath = (url: string) => url === AGENT_CARD_URL_PATH || url.startsWith(`${AGENT_CARD_URL_PATH}?`) || url === A2A_PATH || url.startsWith(`${A2A_PATH}?`) || url.startsWith(`${A2A_PATH}/`);
