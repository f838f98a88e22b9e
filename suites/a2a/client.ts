/**
 * How A2A suites talk to the agent: each call is one `.json` request file for the A2A adapter
 * (adapters/README.md), and its answer the inbox records that name it. Everything a check looks
 * at (status, headers, raw body, SSE events) is in the test's transcript.
 */
import { isMandatory, type JsonMessage, type ReceivedMessage, type TestContext } from '../define.js';
import type { A2aVersion, ResultShape } from './protocol-version.js';
import { isObject } from './is-object.js';
import { cited, commonRule, insist, type Refusal } from './rules.js';
import { blockRefused, refusedAtHttp } from './access.js';

export interface HttpAnswer {
  /** The outbox file the request went out as. */
  file: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For `text/event-stream` answers: the events in order, and how the stream ended (absent when the call returned at the first event). */
  events?: { seq: number; data: string }[];
  streamEnd?: { reason: string; detail?: string };
  /** The credential headers the adapter added (names only); undefined when agtest was given none. */
  credentials?: string[];
}

export interface RpcAnswer extends HttpAnswer {
  /** The parsed JSON-RPC response; undefined when the body was empty or not JSON. */
  response?: Record<string, unknown>;
}

const recordOf = (received: ReceivedMessage) => received.message as { a2a?: string; request?: string; [key: string]: unknown };

/** One HTTP exchange through the adapter. Fails the test when the agent gave no HTTP answer. */
export async function exchange(
  t: TestContext,
  request: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; body?: string; withoutCredentials?: boolean },
  description: string,
  options: { firstEventOnly?: boolean } = {},
): Promise<HttpAnswer> {
  const http = { method: request.method, url: request.url, ...(request.headers ? { headers: request.headers } : {}), ...(request.withoutCredentials ? { credentials: false } : {}) };
  const { file } = await t.sendJson({ http, ...(request.body !== undefined ? { body: request.body } : {}) });
  const first = await t.receive(
    (m) => {
      const r = recordOf(m);
      return r.request === file && (r.a2a === 'response' || r.a2a === 'failed');
    },
    { description: `an HTTP answer to ${description}` },
  );
  const head = recordOf(first);
  if (head.a2a === 'failed') t.fail(`${description}: no HTTP answer (${String(head['reason'])})`);
  const answer: HttpAnswer = {
    file,
    status: Number(head['status']),
    headers: (head['headers'] ?? {}) as Record<string, string>,
    body: String(head['body'] ?? ''),
    ...(Array.isArray(head['credentials']) ? { credentials: head['credentials'].map(String) } : {}),
  };
  const isEvent = (m: ReceivedMessage) => recordOf(m).request === file && recordOf(m).a2a === 'event';
  if (head['stream'] === true && options.firstEventOnly) {
    // A stream that may rightly stay open (a task still running): what comes after the first event is not waited for.
    const first = await t.receive((m) => isEvent(m) || (recordOf(m).request === file && recordOf(m).a2a === 'stream-end'), { description: `the first event of the stream answering ${description}` });
    answer.events = isEvent(first) ? [{ seq: Number(recordOf(first)['seq']), data: String(recordOf(first)['data']) }] : [];
    return answer;
  }
  if (head['stream'] === true) {
    const end = await t.receive((m) => recordOf(m).request === file && recordOf(m).a2a === 'stream-end', { description: `the end of the event stream answering ${description}` });
    const events = t
      .received(isEvent)
      .map((m) => ({ seq: Number(recordOf(m)['seq']), data: String(recordOf(m)['data']) }))
      .sort((a, b) => a.seq - b.seq);
    answer.events = events;
    answer.streamEnd = { reason: String(recordOf(end)['reason']), ...(recordOf(end)['detail'] ? { detail: String(recordOf(end)['detail']) } : {}) };
  }
  return answer;
}

export interface RpcOptions {
  /** The JSON-RPC id; `null` sends a notification (no id member). Default: a fresh string. */
  id?: string | number | null;
  headers?: Record<string, string>;
  /** Sent instead of the JSON-RPC object (malformed bodies). */
  rawBody?: string;
  /** The request object as built, changed before it is sent (e.g. a member removed). */
  shape?: (request: Record<string, unknown>) => Record<string, unknown>;
  /** An event stream answer returns at its first event instead of its end. */
  firstEventOnly?: boolean;
  /** Sent without the A2A-Extensions header that declares the card's required extensions. */
  undeclared?: boolean;
  /**
   * A refusal at the HTTP layer (401 / 403) is returned as the answer instead of blocking the test
   * (the access probe judges it; every other call is blocked by it, access.ts).
   */
  httpRefusalIsAnswer?: boolean;
  /** Sent without the credentials agtest was given (the adapter leaves them off). */
  withoutCredentials?: boolean;
}

/**
 * The extensions a v1.0 card marks required, per test: every request declares them in
 * A2A-Extensions (v1.0 §3.2.6, §3.3.4), so that an agent enforcing them, as it must, answers the
 * other tests. Only required-extension-enforced sends without (`undeclared`).
 */
const declaredExtensions = new WeakMap<TestContext, readonly string[]>();

export function declareExtensions(t: TestContext, uris: readonly string[]): void {
  declaredExtensions.set(t, uris);
}

/** One JSON-RPC call to the agent's interface for `version`. */
/** One call with a fresh id, kept with a name for it: what resultOf and rpcError quote. */
export async function namedCall(t: TestContext, version: A2aVersion, url: string, method: string, params: unknown, what: string): Promise<{ answer: RpcAnswer; id: string; what: string }> {
  const id = t.newId();
  return { answer: await rpc(t, version, url, method, params, { id }), id, what };
}

export async function rpc(t: TestContext, version: A2aVersion, url: string, method: string, params: unknown, options: RpcOptions = {}): Promise<RpcAnswer> {
  const id = options.id === undefined ? t.newId() : options.id;
  let request: Record<string, unknown> = { jsonrpc: '2.0', ...(id === null ? {} : { id }), method, ...(params === undefined ? {} : { params }) };
  if (options.shape) request = options.shape(request);
  const declared = version.id === '1.0' && !options.undeclared ? (declaredExtensions.get(t) ?? []) : [];
  const extensions: Record<string, string> = declared.length > 0 ? { 'A2A-Extensions': declared.join(',') } : {};
  const answer = await exchange(
    t,
    { method: 'POST', url, headers: { 'Content-Type': 'application/json', ...version.headers, ...extensions, ...options.headers }, body: options.rawBody ?? JSON.stringify(request), ...(options.withoutCredentials ? { withoutCredentials: true } : {}) },
    `${method}${id === null ? ' (notification)' : ''}`,
    { firstEventOnly: options.firstEventOnly ?? false },
  );
  if (!options.httpRefusalIsAnswer && refusedAtHttp(answer)) blockRefused(t, version, answer, `${method}${id === null ? ' (notification)' : ''}`);
  let response: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = answer.body === '' ? undefined : JSON.parse(answer.body);
    response = isObject(parsed) ? parsed : undefined;
  } catch {
    response = undefined;
  }
  return { ...answer, ...(response ? { response } : {}) };
}

/**
 * The successful result of a call, or a failure naming what came back instead. Judges what
 * JSON-RPC 2.0 §5 and A2A require of every response: `application/json`, `jsonrpc` "2.0", the
 * request's id, exactly one of result and error.
 */
export function resultOf(t: TestContext, v: A2aVersion, answer: RpcAnswer, what: string, id?: unknown): unknown {
  const response = checkEnvelope(t, v, answer, what, id);
  if ('error' in response) t.fail(`${what}: the agent answered error ${describeError(response['error'])}`);
  insist(t, commonRule(v, 'rpc.response'), 'result' in response, `${what}: the response has neither result nor error: ${clip(answer.body)}`);
  t.verify('rpc.result-status', answer.status >= 200 && answer.status < 300, `${what}: the result came with HTTP ${answer.status}`);
  return response['result'];
}

/**
 * The error of a call that must be refused: whether an error came at all is judged by
 * `refusal.refused`, its code by `refusal.code`, each at its own level. Returns the error, or
 * undefined when the agent answered a result and the refusal was not a MUST (a warning).
 * The HTTP status of an error is not judged: neither JSON-RPC 2.0 nor A2A fixes it.
 */
export function expectError(t: TestContext, v: A2aVersion, answer: RpcAnswer, what: string, refusal: Refusal, id?: unknown): Record<string, unknown> | undefined {
  const wanted = refusal.codes.length > 0 ? refusal.codes.join(' or ') : '(any code)';
  const response = checkEnvelope(t, v, answer, what, id);
  if (!('error' in response)) {
    if (isMandatory(refusal.refused.level)) t.fail(cited(refusal.refused, `${what}: expected JSON-RPC error ${wanted}, got a result: ${clip(answer.body)}`));
    t.verify(refusal.refused.id, false, `${what}: expected JSON-RPC error ${wanted}, got a result: ${clip(answer.body)}`);
    return undefined;
  }
  const error = response['error'];
  insist(t, commonRule(v, 'rpc.error-object'), isObject(error) && Number.isInteger(error['code']) && typeof error['message'] === 'string', `${what}: the error object needs an integer code and a string message, got ${clip(JSON.stringify(error))}`);
  if (refusal.code) t.verify(refusal.code.id, refusal.codes.includes(error['code'] as number), `${what}: expected error ${wanted}, got ${describeError(error)}`);
  return error;
}

/** An answer that is an SSE stream where a refusal was due: judged at the refusal's own level. */
export function streamedInstead(t: TestContext, refusal: Refusal, answer: RpcAnswer, what: string, detail = ''): boolean {
  if (!answer.events) return false;
  const reason = `${what}: expected JSON-RPC error ${refusal.codes.join(' or ')}, got HTTP ${answer.status} text/event-stream with ${answer.events.length} event(s)${detail}`;
  if (isMandatory(refusal.refused.level)) t.fail(cited(refusal.refused, reason));
  t.verify(refusal.refused.id, false, reason);
  return true;
}

/**
 * A streaming request that must be refused: the refusal comes as a JSON-RPC error response, or
 * as a stream whose first event is that error (§9.4.2: each event is a JSON-RPC response). Every
 * refusal of SendStreamingMessage and SubscribeToTask is judged this way.
 */
export function expectStreamError(t: TestContext, v: A2aVersion, answer: RpcAnswer, what: string, refusal: Refusal, id: string): void {
  const first = answer.events?.[0];
  if (first) {
    const response = firstEvent(answer);
    if (response && isObject(response['error'])) {
      const error = response['error'];
      t.verify('rpc.id', response['id'] === id, `${what}: the error event's id is ${JSON.stringify(response['id'])}, must be the request's ${JSON.stringify(id)}`);
      if (refusal.code) t.verify(refusal.code.id, refusal.codes.includes(error['code'] as number), `${what}: expected error ${refusal.codes.join(' or ')}, got ${describeError(error)} (as a stream event)`);
      return;
    }
  }
  if (!streamedInstead(t, refusal, answer, what, ` (first event: ${clip(first?.data ?? '', 120)})`)) expectError(t, v, answer, what, refusal, id);
}

/** A call that must be refused: sent with a fresh id, answered with that id. */
export async function rpcError(t: TestContext, v: A2aVersion, url: string, method: string, params: unknown, what: string, refusal: Refusal, options: Omit<RpcOptions, 'id'> = {}): Promise<Record<string, unknown> | undefined> {
  const id = t.newId();
  return expectError(t, v, await rpc(t, v, url, method, params, { ...options, id }), what, refusal, id);
}

/**
 * What every JSON-RPC response must be, whatever its HTTP status: a JSON object (else the test
 * cannot go on), as application/json, jsonrpc "2.0", with the request's id.
 */
function checkEnvelope(t: TestContext, v: A2aVersion, answer: RpcAnswer, what: string, id: unknown): Record<string, unknown> {
  insist(t, commonRule(v, 'rpc.response'), answer.response !== undefined, `${what}: HTTP ${answer.status}, and the body is not a JSON-RPC response object: ${clip(answer.body) || '(empty)'}`);
  const type = answer.headers['content-type'] ?? '';
  t.verify('rpc.content-type', type.toLowerCase().startsWith('application/json'), `${what}: Content-Type ${JSON.stringify(type)}, must be application/json`);
  const response = answer.response;
  t.verify('rpc.response', response['jsonrpc'] === '2.0', `${what}: jsonrpc is ${JSON.stringify(response['jsonrpc'])}, must be "2.0"`);
  t.verify('rpc.response', !('error' in response && 'result' in response), `${what}: the response holds both result and error`);
  if (id !== undefined) t.verify('rpc.id', response['id'] === id, `${what}: the response id is ${JSON.stringify(response['id'])}, must be the request's ${JSON.stringify(id)}`);
  return response;
}

export function describeError(error: unknown): string {
  if (!isObject(error)) return JSON.stringify(error);
  return `${String(error['code'])} (${clip(String(error['message']), 120)})`;
}

/** A stream's first event as the JSON-RPC response it carries (§9.4.2), or undefined (no event, not a JSON object). */
export function firstEvent(answer: RpcAnswer): Record<string, unknown> | undefined {
  const first = answer.events?.[0];
  if (!first) return undefined;
  try {
    const parsed: unknown = JSON.parse(first.data);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function clip(text: string, max = 240): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The shape of a result, failing with the reason when it is none of A2A's. */
export function shapeOf(t: TestContext, version: A2aVersion, result: unknown, what: string): Exclude<ResultShape, { kind: 'unknown' }> {
  const shape = version.classify(result);
  insist(t, commonRule(version, 'result.shape'), shape.kind !== 'unknown', `${what}: ${shape.kind === 'unknown' ? shape.why : ''}`);
  return shape as Exclude<ResultShape, { kind: 'unknown' }>;
}

/**
 * Why an SSE event's data is not JSON, readable whatever it holds: the parser's complaint, and
 * any control character named by its code point (a stray U+001E record separator looks like
 * nothing when printed).
 */
export function notJson(data: string): string {
  let problem: string;
  try {
    JSON.parse(data);
    return '';
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(data);
  const where = control ? `; it holds control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at offset ${control.index}` : '';
  return `data is not JSON (${problem})${where}: ${clip(data, 120)}`;
}

export type { JsonMessage };
