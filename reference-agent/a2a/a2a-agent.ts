/**
 * The reference A2A agent: an echo agent that answers every message with a Task (submitted →
 * working → completed, with the text back as an artifact), over JSON-RPC 2.0 on node:http, in
 * A2A v1.0 and v0.3 on one URL (the A2A-Version header picks), with SSE streaming and push
 * notifications. `faults` break one rule each.
 */
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { A2aFault } from './a2a-faults.js';
import {
  INTERRUPTED,
  parseUserMessage,
  renderArtifactUpdate,
  renderStatusUpdate,
  renderState,
  renderTask,
  ALL_STATES,
  TERMINAL,
  wrap,
  type State,
  type TaskRecord,
  type TextMessage,
  type WireVersion,
} from './wire.js';

export interface A2aAgentOptions {
  faults: ReadonlySet<A2aFault>;
  /** Claims neither streaming nor push notifications (and refuses both). */
  minimal: boolean;
  log: (line: string) => void;
  /** Delay between task states (default 15 ms). */
  stepMs?: number;
  /**
   * Require `Authorization: Bearer <requireToken>` on every JSON-RPC call (the card stays public),
   * declared in the card (securityRequirements). A call without it is refused with HTTP 401 whose
   * body quotes the token it got, as some agents do: agtest must keep that out of its output.
   */
  requireToken?: string;
}

/** The bearer token the auth-undeclared fault requires (its card declares no security). */
export const UNDECLARED_TOKEN = 'agtest-undeclared-token';

/** Someone waiting on a task (a stream, a blocking send): gets each change in its version's form. */
type Listener = ((event: Record<string, unknown>) => void) & { version: WireVersion };
/** A push config: where to POST, the token to echo, and the Authorization to send (scheme and credentials). */
interface PushConfig {
  url: string;
  token?: string;
  authorization?: string;
  id: string;
  version: WireVersion;
}
type Task = TaskRecord & { listeners: Set<Listener>; push: PushConfig[]; stuck: boolean };

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const NON_BLOCKING_STEP_MS = 250;

const REQUIRED_EXTENSION = 'https://agtest.dev/extensions/required-probe/v1';

/** google.rpc.ErrorInfo in ProtoJSON Any form: the error detail v1.0 §9.5 recommends, with its reason. */
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const ERROR_REASONS: Record<number, string> = {
  [-32001]: 'TASK_NOT_FOUND',
  [-32002]: 'TASK_NOT_CANCELABLE',
  [-32003]: 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  [-32004]: 'UNSUPPORTED_OPERATION',
  [-32008]: 'EXTENSION_SUPPORT_REQUIRED',
};

/** RFC 8785 (JCS): the canonical JSON an Agent Card signature covers (v1.0 §8.4.1). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).filter((key) => value[key] !== undefined).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  return JSON.stringify(value);
}

const JWKS_PATH = '/.well-known/agtest-reference-jwks.json';
const SIGNING_KID = 'agtest-reference-a2a-1';

/** The Authorization header of a push config's authentication (v1.0 scheme, v0.3 schemes[0]) and credentials. */
function authorizationOf(raw: Record<string, unknown>): { authorization?: string } {
  const auth = raw['authentication'];
  if (!isObject(auth) || typeof auth['credentials'] !== 'string') return {};
  const scheme = typeof auth['scheme'] === 'string' ? auth['scheme'] : Array.isArray(auth['schemes']) && typeof auth['schemes'][0] === 'string' ? auth['schemes'][0] : undefined;
  return scheme ? { authorization: `${scheme} ${auth['credentials']}` } : {};
}

export function createA2aAgent(options: A2aAgentOptions) {
  const { faults, minimal, log } = options;
  const has = (fault: A2aFault) => faults.has(fault);
  const stepMs = options.stepMs ?? 15;
  const tasks = new Map<string, Task>();
  const openStreams = new Set<ServerResponse>();
  let base = '';
  // The card is signed (v1.0 §8.4) with a key made at start, published as a JWKS the signature's jku names.
  const signingKey = generateKeyPairSync('ed25519');
  const publicJwk = { ...signingKey.publicKey.export({ format: 'jwk' }), kid: SIGNING_KID, use: 'sig', alg: 'EdDSA' };

  const claims = {
    streaming: has('serve-unclaimed-streaming') ? false : !minimal || has('stream-claimed-not-served'),
    push: has('serve-unclaimed-push') ? false : !minimal || has('push-claimed-not-served'),
  };
  const serves = {
    streaming: (!minimal || has('serve-unclaimed-streaming')) && !has('stream-claimed-not-served'),
    push: (!minimal || has('serve-unclaimed-push')) && !has('push-claimed-not-served'),
  };

  /** The card's members beyond the required ones (v1.0 §4.4.2, §4.5): a provider and security schemes it declares but does not require. */
  function cardExtras(): Record<string, unknown> {
    const provider = has('card-provider-no-url') ? { organization: 'agtest' } : { organization: 'agtest', url: 'https://agtest.dev/' };
    const bearer: Record<string, unknown> = { httpAuthSecurityScheme: { scheme: 'Bearer', description: 'declared, not required: no securityRequirements' }, ...(has('card-scheme-two-kinds') ? { mtlsSecurityScheme: {} } : {}) };
    const flows: Record<string, unknown> = { clientCredentials: { tokenUrl: `${base}/oauth/token`, scopes: {} }, ...(has('card-oauth-two-flows') ? { deviceCode: { deviceAuthorizationUrl: `${base}/oauth/device`, tokenUrl: `${base}/oauth/token`, scopes: {} } } : {}) };
    const apiKey = has('card-scheme-missing-required') ? { location: 'header' } : { location: 'header', name: 'X-Agtest-Key' };
    if (has('auth-undeclared')) return { provider };
    if (options.requireToken !== undefined) bearer['httpAuthSecurityScheme'] = { scheme: 'Bearer', description: 'required on every JSON-RPC call' };
    return {
      provider,
      securitySchemes: { bearer, oauth: { oauth2SecurityScheme: { flows } }, key: { apiKeySecurityScheme: apiKey } },
      ...(options.requireToken !== undefined || has('auth-not-enforced') ? { securityRequirements: [{ schemes: { bearer: { list: [] } } }] } : {}),
    };
  }

  /** A JWS over the JCS-canonical card without signatures (v1.0 §8.4.1, §8.4.2), detached payload. */
  function signed(unsigned: Record<string, unknown>): Record<string, unknown> {
    const header = { alg: 'EdDSA', typ: has('card-signature-typ-jwt') ? 'JWT' : 'JOSE', ...(has('card-signature-no-kid') ? {} : { kid: SIGNING_KID }), jku: `${base}${JWKS_PATH}` };
    const protectedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
    // The fault signs the card as served (key order as built, not JCS): a verifier canonicalizing it finds a bad signature.
    const content = has('card-signed-not-canonical') ? JSON.stringify(unsigned) : canonicalJson(unsigned);
    const payload = Buffer.from(content, 'utf8').toString('base64url');
    const signature = sign(null, Buffer.from(`${protectedHeader}.${payload}`, 'ascii'), signingKey.privateKey).toString('base64url');
    return { ...unsigned, signatures: [has('card-signature-unprotected') ? { signature } : { protected: protectedHeader, signature }] };
  }

  function card(): Record<string, unknown> {
    return signed(unsignedCard());
  }

  function unsignedCard(): Record<string, unknown> {
    const rpcUrl = `${base}/a2a/jsonrpc`;
    return {
      name: 'agtest reference A2A agent',
      description: 'Echoes your text back as a task artifact; certified interoperable by agtest',
      ...(has('card-no-top-level-url') ? {} : { url: rpcUrl }),
      preferredTransport: 'JSONRPC',
      protocolVersion: '0.3.0',
      supportedInterfaces: [
        { url: rpcUrl, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: rpcUrl, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ],
      version: '0.1.0',
      capabilities: {
        streaming: claims.streaming,
        pushNotifications: claims.push,
        extendedAgentCard: false,
        ...(has('required-extension-ignored') ? { extensions: [{ uri: REQUIRED_EXTENSION, description: 'a required extension', required: true }] } : {}),
      },
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['text/plain'],
      ...(has('card-missing-skills') ? {} : { skills: [{ id: 'echo', name: 'echo', description: 'Echoes the text of a message as an artifact', tags: ['echo'] }] }),
      ...cardExtras(),
    };
  }

  /** A task as the version renders it, with the faults that break a v1.0 object's members. */
  function render(version: WireVersion, task: TaskRecord, options: { historyLength?: number; contextId?: string } = {}): Record<string, unknown> {
    const rendered = renderTask(version, task, options);
    if (version !== '1.0') return rendered;
    if (has('timestamp-with-offset') && isObject(rendered['status'])) rendered['status'] = { ...rendered['status'], timestamp: new Date(task.updated).toISOString().replace('Z', '+00:00') };
    if (Array.isArray(rendered['artifacts'])) {
      rendered['artifacts'] = rendered['artifacts'].map((artifact: Record<string, unknown>) => {
        const flawed = has('part-two-contents') && Array.isArray(artifact['parts']) ? { ...artifact, parts: artifact['parts'].map((p: Record<string, unknown>) => ({ ...p, data: { text: p['text'] } })) } : artifact;
        if (!has('artifact-without-id')) return flawed;
        const { artifactId: _id, ...rest } = flawed;
        return rest;
      });
    }
    return rendered;
  }

  function emit(task: Task, event: (version: WireVersion) => Record<string, unknown>) {
    for (const listener of [...task.listeners]) listener(event(listener.version));
    if (has('push-never-sent')) return;
    for (const config of task.push) notify(config, event(has('push-v1-form-for-v03') ? '1.0' : config.version));
  }

  function notify(config: PushConfig, payload: Record<string, unknown>) {
    const body = JSON.stringify(payload);
    const credentials = config.authorization && !has('push-credentials-not-sent') ? { authorization: config.authorization } : {};
    const req = httpRequest(config.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(config.token ? { 'x-a2a-notification-token': config.token } : {}), ...credentials } });
    req.on('response', (res) => res.resume());
    req.on('error', (error) => log(`push to ${config.url} failed: ${error.message}`));
    req.end(body);
  }

  function setState(task: Task, state: State) {
    task.state = state;
    task.updated = Date.now();
    emit(task, (version) => renderStatusUpdate(version, task));
  }

  function work(task: Task, text: string, step = stepMs) {
    setTimeout(() => {
      if (TERMINAL.includes(task.state)) return;
      setState(task, 'working');
      if (task.stuck) return;
      setTimeout(() => {
        if (TERMINAL.includes(task.state)) return;
        const artifact = { artifactId: randomUUID(), text };
        task.artifacts.push(artifact);
        task.history.push({ messageId: randomUUID(), role: 'agent', text, contextId: task.contextId, taskId: task.id });
        emit(task, (version) => renderArtifactUpdate(version, task, artifact));
        setState(task, 'completed');
      }, step);
    }, step);
  }

  function settled(task: Task, untilWorking: boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (TERMINAL.includes(task.state) || INTERRUPTED.includes(task.state) || (untilWorking && task.state === 'working'));
      if (check()) return resolve();
      const listener = Object.assign(() => {
        if (check()) {
          task.listeners.delete(listener);
          resolve();
        }
      }, { version: '1.0' as WireVersion });
      task.listeners.add(listener);
    });
  }

  function pushConfigOf(version: WireVersion, configuration: Record<string, unknown>) {
    const raw = version === '1.0' ? configuration['taskPushNotificationConfig'] : configuration['pushNotificationConfig'];
    if (raw === undefined) return undefined;
    if (!isObject(raw) || typeof raw['url'] !== 'string') throw new RpcError(-32602, 'the push notification config needs a url');
    return { url: raw['url'], ...(typeof raw['token'] === 'string' ? { token: raw['token'] } : {}), ...authorizationOf(raw) };
  }

  /** The message part of SendMessage / SendStreamingMessage: finds or creates its task. */
  function accept(version: WireVersion, params: unknown, streaming = false): { task: Task; configuration: Record<string, unknown>; message: TextMessage } {
    if (!isObject(params)) throw new RpcError(-32602, 'params must be an object with a message');
    let message = parseUserMessage(version, params['message']);
    if (typeof message === 'string' && has('accept-bad-params') && typeof params['message'] === 'string') message = { messageId: randomUUID(), role: 'user', text: params['message'] };
    if (typeof message === 'string') throw new RpcError(-32602, message);
    const configuration = isObject(params['configuration']) ? params['configuration'] : {};
    const push = pushConfigOf(version, configuration);
    if (push && !serves.push) throw new RpcError(-32003, 'push notifications are not supported');
    let task = message.taskId ? tasks.get(message.taskId) : undefined;
    if (message.taskId && !task && !has('unknown-task-creates-new') && !(streaming && has('stream-unknown-task-creates-new'))) throw new RpcError(-32001, `task ${message.taskId} not found`);
    if (task && TERMINAL.includes(task.state) && !has('terminal-task-takes-messages') && !(streaming && has('stream-terminal-task-streams'))) throw new RpcError(-32004, `task ${task.id} is ${task.state}: a terminal task takes no more messages`);
    if (task && message.contextId && message.contextId !== task.contextId && !has('context-mismatch-accepted')) throw new RpcError(-32602, `contextId ${message.contextId} is not the context of task ${task.id}`);
    if (!task) {
      const contextId = message.contextId && !has('ignore-client-context') ? message.contextId : randomUUID();
      // The fault: an id from the text alone, so the same question asked twice (without a context) gets the same id.
      const id = has('task-id-from-text') && !message.contextId ? `task-${createHash('sha256').update(message.text).digest('hex').slice(0, 16)}` : randomUUID();
      task = { id, contextId, state: 'submitted', history: [], artifacts: [], updated: Date.now(), listeners: new Set(), push: [], stuck: false };
      tasks.set(task.id, task);
    }
    task.history.push({ ...message, contextId: task.contextId, taskId: task.id });
    if (push) task.push.push({ ...push, id: randomUUID(), version });
    return { task, configuration, message };
  }

  function blockingOf(version: WireVersion, configuration: Record<string, unknown>): boolean {
    if (version === '1.0') return configuration['returnImmediately'] !== true;
    return configuration['blocking'] !== false;
  }

  function knownTask(params: unknown, key = 'id'): Task {
    if (!isObject(params) || typeof params[key] !== 'string') throw new RpcError(-32602, `params.${key} must be a task id`);
    const task = tasks.get(params[key]);
    if (!task) throw new RpcError(-32001, `task ${params[key]} not found`);
    return task;
  }

  function openStream(response: ServerResponse, version: WireVersion, id: unknown, task: Task, first: Record<string, unknown>) {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    openStreams.add(response);
    response.on('close', () => openStreams.delete(response));
    const send = (event: Record<string, unknown>) => {
      let result = event;
      if (version === '1.0' && has('update-without-context') && isObject(event['statusUpdate'])) {
        const { contextId: _contextId, ...update } = event['statusUpdate'];
        result = { statusUpdate: update };
      }
      response.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id, result })}\n\n`);
    };
    send(first);
    const listener = Object.assign(
      (event: Record<string, unknown>) => {
        send(event);
        if (TERMINAL.includes(task.state) || INTERRUPTED.includes(task.state)) {
          task.listeners.delete(listener);
          if (has('events-after-final')) send(renderArtifactUpdate(version, task, { artifactId: 'late', text: 'one more thing, after the end' }));
          if (!has('stream-unclosed')) response.end();
        }
      },
      { version },
    );
    if (TERMINAL.includes(task.state)) {
      if (!has('stream-unclosed')) response.end();
      return;
    }
    task.listeners.add(listener);
  }

  /** A cursor: the sort key (last update, id) of the last task of a page. */
  const cursorOf = (task: Task) => `c1.${Buffer.from(JSON.stringify([task.updated, task.id])).toString('base64url')}`;
  function readCursor(token: string): [number, string] | undefined {
    if (!token.startsWith('c1.')) return undefined;
    try {
      const key: unknown = JSON.parse(Buffer.from(token.slice(3), 'base64url').toString('utf8'));
      return Array.isArray(key) && key.length === 2 && typeof key[0] === 'number' && typeof key[1] === 'string' ? [key[0], key[1]] : undefined;
    } catch {
      return undefined;
    }
  }

  /** ListTasks (v1.0 §3.1.4, a2a.proto ListTasksRequest): filters, last update descending, cursor pages of 1–100 (50 by default). */
  function listTasks(version: WireVersion, params: unknown): Record<string, unknown> {
    if (params !== undefined && !isObject(params)) throw new RpcError(-32602, 'params must be a ListTasksRequest object');
    const p = params ?? {};
    // The issue this fault is named after: every invalid parameter served as if absent.
    const invalid = (why: string) => {
      if (!has('list-accepts-invalid-params')) throw new RpcError(-32602, why);
    };
    const integer = (name: string, min: number, max: number): number | undefined => {
      const value = p[name];
      if (value === undefined) return undefined;
      if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
      invalid(`${name} must be an integer from ${min} to ${max}`);
      return undefined;
    };
    let pageSize = integer('pageSize', 1, 100) ?? (has('list-default-page-size-100') ? 100 : 50);
    if (has('list-ignores-page-size')) pageSize = Number.MAX_SAFE_INTEGER;
    const asked = integer('historyLength', 0, 2 ** 31 - 1);
    const historyLength = has('list-history-ignores-length') ? undefined : asked;
    const contextId = p['contextId'];
    if (contextId !== undefined && typeof contextId !== 'string') invalid('contextId must be a string');
    let status: State | undefined;
    if (p['status'] !== undefined) {
      status = ALL_STATES.find((state) => renderState(version, state) === p['status']);
      if (!status) invalid(`status ${JSON.stringify(p['status'])} is not a TaskState`);
    }
    let after: number | undefined;
    const stamp = p['statusTimestampAfter'];
    if (stamp !== undefined) {
      const valid = typeof stamp === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(stamp) && !Number.isNaN(Date.parse(stamp));
      if (valid) after = Date.parse(stamp);
      else invalid('statusTimestampAfter must be an ISO 8601 timestamp');
    }
    const include = p['includeArtifacts'];
    if (include !== undefined && typeof include !== 'boolean') invalid('includeArtifacts must be a boolean');
    let cursor: [number, string] | undefined;
    if (p['pageToken'] !== undefined && p['pageToken'] !== '') {
      cursor = typeof p['pageToken'] === 'string' ? readCursor(p['pageToken']) : undefined;
      if (!cursor) invalid('pageToken was not issued by this agent');
    }
    if (has('list-ignores-filters')) [status, after] = [undefined, undefined];
    const newestFirst = (a: Task, b: Task) => b.updated - a.updated || a.id.localeCompare(b.id);
    const matching = [...tasks.values()]
      .filter((task) => (typeof contextId !== 'string' || task.contextId === contextId) && (!status || task.state === status) && (after === undefined || task.updated >= after))
      .sort(has('list-ascending') ? (a, b) => -newestFirst(a, b) : newestFirst);
    // The next page starts after where the cursor's key sorts (the ascending fault: after the cursor's task).
    const at = cursor && has('list-ascending') ? matching.findIndex((task) => task.id === cursor[1]) : -1;
    const start = at >= 0 ? at + 1 : cursor ? matching.findIndex((task) => task.updated < cursor[0] || (task.updated === cursor[0] && task.id.localeCompare(cursor[1]) > 0)) : 0;
    const page = start < 0 ? [] : matching.slice(start, start + pageSize);
    const rest = start >= 0 && start + pageSize < matching.length;
    const rendered = page.map((task) => {
      const { artifacts, ...body } = render(version, task, historyLength === undefined ? {} : { historyLength });
      return include === true || has('list-artifacts-by-default') ? { ...body, artifacts: artifacts ?? [] } : body;
    });
    return { tasks: rendered, ...(has('list-without-page-token') ? {} : { nextPageToken: rest ? cursorOf(page.at(-1)!) : '' }), pageSize: Math.min(pageSize, 100), totalSize: matching.length };
  }

  const v1Methods: Record<string, string> = {
    SendMessage: 'send',
    SendStreamingMessage: 'stream',
    GetTask: 'get',
    ListTasks: 'list',
    CancelTask: 'cancel',
    SubscribeToTask: 'subscribe',
    CreateTaskPushNotificationConfig: 'push-set',
    GetTaskPushNotificationConfig: 'push-get',
    ListTaskPushNotificationConfigs: 'push-list',
    DeleteTaskPushNotificationConfig: 'push-delete',
    GetExtendedAgentCard: 'extended-card',
  };
  const v03Methods: Record<string, string> = {
    'message/send': 'send',
    'message/stream': 'stream',
    'tasks/get': 'get',
    'tasks/cancel': 'cancel',
    'tasks/resubscribe': 'subscribe',
    'tasks/pushNotificationConfig/set': 'push-set',
    'tasks/pushNotificationConfig/get': 'push-get',
    'tasks/pushNotificationConfig/list': 'push-list',
    'tasks/pushNotificationConfig/delete': 'push-delete',
    'agent/getAuthenticatedExtendedCard': 'extended-card',
  };

  /** Runs one call; returns the result, or undefined when it answered by streaming. */
  async function call(version: WireVersion, operation: string, params: unknown, id: unknown, response: ServerResponse): Promise<unknown> {
    switch (operation) {
      case 'send': {
        // The crash of an agent that reads params.message.parts before it checks there is a message.
        if (has('missing-params-unchecked') && isObject(params) && params['message'] === undefined) throw new TypeError("Cannot read properties of undefined (reading 'parts')");
        const { task, configuration } = accept(version, params);
        const blocking = blockingOf(version, configuration);
        if (!blocking && has('non-blocking-never-finishes')) task.stuck = true;
        // A task sent non-blocking runs long enough for a client to act on it while it works
        // (cancel it, subscribe to it) even on a loaded machine.
        work(task, task.history.at(-1)?.text ?? '', blocking ? stepMs : NON_BLOCKING_STEP_MS);
        if (blocking) await settled(task, has('blocking-returns-early'));
        const historyLength = typeof configuration['historyLength'] === 'number' && !has('send-ignores-history-length') ? configuration['historyLength'] : undefined;
        const rendered = render(version, task, historyLength === undefined ? {} : { historyLength });
        // A follow-up naming only the task is put in a context of its own instead of the task's.
        if (version === '1.0' && has('follow-up-new-context') && isObject(params) && isObject(params['message']) && params['message']['taskId'] !== undefined && params['message']['contextId'] === undefined) {
          return wrap(version, 'task', render(version, task, { contextId: randomUUID() }));
        }
        if (version === '1.0' && has('message-reply-without-context')) return wrap(version, 'message', { messageId: randomUUID(), role: 'ROLE_AGENT', parts: [{ text: task.history.at(-1)?.text ?? '' }] });
        // A snapshot taken before the artifact was added, sent once the task completed.
        if (version === '1.0' && blocking && has('blocking-without-artifacts')) delete rendered['artifacts'];
        if (has('unwrapped-send-result')) {
          const { kind: _kind, ...bare } = rendered;
          return bare;
        }
        return wrap(version, 'task', rendered);
      }
      case 'stream': {
        if (!serves.streaming) throw new RpcError(-32004, 'streaming is not supported');
        const { task } = accept(version, params, true);
        openStream(response, version, id, task, wrap(version, 'task', render(version, task)));
        work(task, task.history.at(-1)?.text ?? '');
        return undefined;
      }
      case 'get': {
        if (has('missing-params-unchecked') && isObject(params) && params['id'] === undefined) throw new RpcError(-32001, 'task undefined not found');
        if (has('get-unknown-returns-null') && isObject(params) && typeof params['id'] === 'string' && !tasks.has(params['id'])) return null;
        const task = knownTask(params);
        const length = (params as Record<string, unknown>)['historyLength'];
        if (length !== undefined && (typeof length !== 'number' || !Number.isInteger(length) || length < 0)) throw new RpcError(-32602, 'historyLength must be a non-negative integer');
        return render(version, task, { ...(length !== undefined && !has('history-ignores-length') ? { historyLength: length } : {}), ...(has('get-context-changes') ? { contextId: randomUUID() } : {}) });
      }
      case 'list':
        return listTasks(version, params);
      case 'cancel': {
        if (has('cancel-unknown-internal-error') && isObject(params) && typeof params['id'] === 'string' && !tasks.has(params['id'])) throw new RpcError(-32603, 'internal error');
        const task = knownTask(params);
        if (TERMINAL.includes(task.state) && !has('cancel-completed-succeeds')) throw new RpcError(-32002, `task ${task.id} is ${task.state} and cannot be canceled`);
        if (has('cancel-ignored')) return render(version, task);
        setState(task, 'canceled');
        return render(version, task);
      }
      case 'subscribe': {
        if (!serves.streaming && !has('subscribe-unclaimed-served')) throw new RpcError(-32004, 'streaming is not supported');
        if (has('subscribe-unknown-internal-error') && isObject(params) && typeof params['id'] === 'string' && !tasks.has(params['id'])) throw new RpcError(-32603, 'internal error');
        const task = knownTask(params);
        if (TERMINAL.includes(task.state) && !has('subscribe-terminal-streams')) throw new RpcError(-32004, `task ${task.id} is ${task.state}: nothing more to stream`);
        openStream(response, version, id, task, has('subscribe-first-status-update') ? renderStatusUpdate(version, task) : wrap(version, 'task', render(version, task)));
        return undefined;
      }
      case 'push-set': {
        if (!serves.push) throw new RpcError(-32003, 'push notifications are not supported');
        const unknown = has('push-create-unknown-task-accepted') && isObject(params) && typeof params['taskId'] === 'string' && !tasks.has(params['taskId']);
        const task = unknown ? undefined : knownTask(params, 'taskId');
        const raw = version === '1.0' ? params : (params as Record<string, unknown>)['pushNotificationConfig'];
        const urlless = has('push-config-without-url-accepted') && isObject(raw) && raw['url'] === undefined;
        if (!isObject(raw) || (typeof raw['url'] !== 'string' && !urlless)) throw new RpcError(-32602, 'the push notification config needs a url');
        const config: PushConfig = { url: typeof raw['url'] === 'string' ? raw['url'] : '', ...(typeof raw['token'] === 'string' ? { token: raw['token'] } : {}), ...authorizationOf(raw), id: randomUUID(), version };
        if (!task) return { id: config.id, taskId: (params as Record<string, unknown>)['taskId'], url: config.url, token: config.token ?? '' };
        task.push.push(config);
        return version === '1.0' ? { id: config.id, taskId: task.id, url: config.url, token: config.token ?? '' } : { taskId: task.id, pushNotificationConfig: { id: config.id, url: config.url, ...(config.token ? { token: config.token } : {}) } };
      }
      case 'push-get':
      case 'push-list':
      case 'push-delete': {
        if (!serves.push) throw new RpcError(-32003, 'push notifications are not supported');
        if (operation === 'push-delete' && version === '1.0' && has('push-delete-unknown-task-accepted') && isObject(params) && typeof params['taskId'] === 'string' && !tasks.has(params['taskId'])) return {};
        const task = knownTask(params, version === '1.0' ? 'taskId' : 'id');
        const configs = task.push.map((c) => (version === '1.0' ? { id: c.id, taskId: task.id, url: c.url, token: c.token ?? '' } : { taskId: task.id, pushNotificationConfig: { id: c.id, url: c.url } }));
        if (operation === 'push-list') return version === '1.0' ? { configs, nextPageToken: '' } : configs;
        const configId = isObject(params) ? (version === '1.0' ? params['id'] : params['pushNotificationConfigId']) : undefined;
        const found = has('push-config-not-stored') && operation === 'push-get' ? undefined : task.push.find((c) => c.id === configId);
        // The bug of splice(indexOf(config), 1) on a config that is gone: index -1 removes the last one.
        if (!found && operation === 'push-delete' && has('push-delete-twice-removes-another')) {
          task.push.splice(-1, 1);
          return version === '1.0' ? {} : null;
        }
        if (!found && has('push-unknown-config-internal-error')) throw new RpcError(-32603, 'internal error');
        if (!found) throw new RpcError(-32001, `push config ${String(configId)} not found`);
        if (operation === 'push-delete') {
          if (!has('push-delete-ignored')) task.push = task.push.filter((c) => c !== found);
          return version === '1.0' ? {} : null;
        }
        return configs[task.push.indexOf(found)];
      }
      case 'extended-card':
        if (has('extended-card-unclaimed-served')) return card();
        throw new RpcError(-32004, 'this agent has no extended card');
      default:
        throw new RpcError(-32601, `method not found`);
    }
  }

  async function handleRpc(request: IncomingMessage, body: string, response: ServerResponse) {
    const reply = (id: unknown, payload: { result: unknown } | { error: { code: number; message: string; data?: unknown } }, status = 200) => {
      const text = JSON.stringify({ jsonrpc: '2.0', id: id ?? null, ...payload });
      response.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return reply(null, { error: has('parse-error-as-invalid-request') ? { code: -32600, message: 'invalid request' } : { code: -32700, message: 'parse error: the body is not JSON' } });
    }
    // The method is looked up before the request is judged: a 1.0 request of an unknown method gets -32601.
    if (has('method-checked-first') && isObject(parsed) && typeof parsed['method'] === 'string' && !Object.hasOwn(v1Methods, parsed['method']) && !Object.hasOwn(v03Methods, parsed['method'])) {
      return reply(parsed['id'], { error: { code: -32601, message: `method ${parsed['method']} not found` } });
    }
    // JSON-RPC 2.0 §4: jsonrpc exactly "2.0", method a String, id a String, Number or Null, params a Structured value.
    const idValid = (id: unknown) => id === undefined || id === null || typeof id === 'string' || typeof id === 'number' || has('object-id-echoed');
    const paramsValid = (object: Record<string, unknown>) => !('params' in object) || isObject(object['params']) || Array.isArray(object['params']) || has('params-type-unchecked');
    if (!isObject(parsed) || (parsed['jsonrpc'] !== '2.0' && !has('jsonrpc-version-ignored')) || typeof parsed['method'] !== 'string' || !idValid(parsed['id']) || !paramsValid(parsed)) {
      const id = isObject(parsed) && idValid(parsed['id']) ? parsed['id'] : null;
      const noMethod = isObject(parsed) && parsed['jsonrpc'] === '2.0' && parsed['method'] === undefined;
      return reply(id, { error: noMethod && has('missing-method-invalid-params') ? { code: -32602, message: 'invalid params' } : { code: -32600, message: 'not a JSON-RPC 2.0 request object' } });
    }
    const notification = !('id' in parsed);
    const id = parsed['id'];
    const header = String(request.headers['a2a-version'] ?? '').trim();
    // §3.6: the patch number does not count (1.0.1 is 1.0); §3.6.2: an empty header is 0.3.
    let asked = header === '' ? '0.3' : has('version-patch-refused') ? header : header.split('.').slice(0, 2).join('.');
    if (header === '' && has('version-by-method-name') && Object.hasOwn(v1Methods, parsed['method'])) asked = '1.0';
    let version: WireVersion;
    if (asked === '1.0' || asked === '0.3') version = asked;
    else if (has('accept-any-version')) version = '1.0';
    else {
      if (notification && !has('answer-notifications')) return void response.writeHead(204).end();
      return reply(id, { error: { code: -32009, message: `A2A-Version ${header} is not supported; this interface speaks 1.0 and 0.3` } });
    }
    const operation = (version === '1.0' ? v1Methods : v03Methods)[parsed['method']];
    try {
      // The bug of a web framework's default route: HTTP 404 with a plain-text page, no JSON-RPC error.
      if (!operation && has('unknown-method-plain-404')) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      if (!operation) throw new RpcError(-32601, `method ${parsed['method']} not found`);
      const result = await call(version, operation, parsed['params'], id, response);
      if (response.headersSent) return;
      if (notification && !has('answer-notifications')) return void response.writeHead(204).end();
      reply(id, { result });
    } catch (error) {
      if (!(error instanceof RpcError)) {
        log(`internal error: ${String(error)}`);
        if (!response.headersSent) reply(id, { error: { code: -32603, message: 'internal error' } });
        return;
      }
      if (notification && !has('answer-notifications')) return void response.writeHead(204).end();
      // v1.0 §9.5: A2A errors carry a google.rpc.ErrorInfo in data, typed with @type (the fault drops it).
      const reason = version === '1.0' ? ERROR_REASONS[error.code] : undefined;
      const info = { reason, domain: 'a2a-protocol.org' };
      const data = reason ? { data: [has('error-details-untyped') ? info : { '@type': ERROR_INFO, ...info }] } : {};
      reply(id, { error: { code: error.code, message: error.message, ...data } }, error.httpStatus);
    }
  }

  function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0];
      const cardPath = has('legacy-card-path') ? '/.well-known/agent.json' : '/.well-known/agent-card.json';
      if (request.method === 'GET' && path === cardPath) {
        const text = JSON.stringify(card());
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (!has('no-cache-headers')) Object.assign(headers, { 'cache-control': 'public, max-age=300', etag: `"${Buffer.from(text).length.toString(16)}"` });
        response.writeHead(200, headers).end(text);
        return;
      }
      if (request.method === 'GET' && path === JWKS_PATH) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
        return;
      }
      if (request.method === 'POST' && path === '/a2a/jsonrpc') {
        // Refused at the HTTP layer, before any JSON-RPC (A2A v1.0 §7.4 / v0.3 §4.4: 401 with a challenge).
        const token = options.requireToken ?? (has('auth-undeclared') ? UNDECLARED_TOKEN : undefined);
        const presented = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
        if (token !== undefined && presented !== token) {
          const message = presented === undefined ? 'send Authorization: Bearer <token>' : `unknown bearer token "${presented}"`;
          response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="agtest-reference-a2a-agent"' }).end(JSON.stringify({ error: 'unauthenticated', message }));
          return;
        }
        void handleRpc(request, Buffer.concat(chunks).toString('utf8'), response).catch((error: unknown) => {
          log(`request failed: ${String(error)}`);
          if (!response.headersSent) response.writeHead(500).end();
        });
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
  }

  return {
    handle,
    setBase(url: string) {
      base = url;
    },
    closeStreams() {
      for (const stream of openStreams) stream.destroy();
    },
  };
}

export async function listenA2a(agent: ReturnType<typeof createA2aAgent>, host: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => agent.handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  agent.setBase(url);
  return { server, url };
}
