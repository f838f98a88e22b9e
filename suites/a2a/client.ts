/**
 * How A2A suites talk to the agent: each call is one `.json` request file for the A2A adapter
 * (adapters/README.md), and its answer the inbox records that name it. Everything a check looks
 * at (status, headers, raw body, SSE events) is in the test's transcript.
 */
import type { JsonMessage, ReceivedMessage, TestContext } from '../define.js';
import type { A2aVersion, ResultShape } from './protocol-version.js';
import { isObject } from './is-object.js';

export interface HttpAnswer {
  /** The outbox file the request went out as. */
  file: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For `text/event-stream` answers: the events in order, and how the stream ended. */
  events?: { seq: number; data: string }[];
  streamEnd?: { reason: string; detail?: string };
}

export interface RpcAnswer extends HttpAnswer {
  /** The parsed JSON-RPC response; undefined when the body was empty or not JSON. */
  response?: Record<string, unknown>;
}

const recordOf = (received: ReceivedMessage) => received.message as { a2a?: string; request?: string; [key: string]: unknown };

/** One HTTP exchange through the adapter. Fails the test when the agent gave no HTTP answer. */
export async function exchange(
  t: TestContext,
  request: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; body?: string },
  description: string,
): Promise<HttpAnswer> {
  const { file } = await t.sendJson({ http: { method: request.method, url: request.url, ...(request.headers ? { headers: request.headers } : {}) }, ...(request.body !== undefined ? { body: request.body } : {}) });
  const first = await t.receive(
    (m) => {
      const r = recordOf(m);
      return r.request === file && (r.a2a === 'response' || r.a2a === 'failed');
    },
    { description: `an HTTP answer to ${description}` },
  );
  const head = recordOf(first);
  if (head.a2a === 'failed') t.fail(`${description}: no HTTP answer (${String(head['reason'])})`);
  const answer: HttpAnswer = { file, status: Number(head['status']), headers: (head['headers'] ?? {}) as Record<string, string>, body: String(head['body'] ?? '') };
  if (head['stream'] === true) {
    const end = await t.receive((m) => recordOf(m).request === file && recordOf(m).a2a === 'stream-end', { description: `the end of the event stream answering ${description}` });
    const events = t
      .received((m) => recordOf(m).request === file && recordOf(m).a2a === 'event')
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
}

/** One JSON-RPC call to the agent's interface for `version`. */
export async function rpc(t: TestContext, version: A2aVersion, url: string, method: string, params: unknown, options: RpcOptions = {}): Promise<RpcAnswer> {
  const id = options.id === undefined ? t.newId() : options.id;
  let request: Record<string, unknown> = { jsonrpc: '2.0', ...(id === null ? {} : { id }), method, ...(params === undefined ? {} : { params }) };
  if (options.shape) request = options.shape(request);
  const answer = await exchange(
    t,
    { method: 'POST', url, headers: { 'Content-Type': 'application/json', ...version.headers, ...options.headers }, body: options.rawBody ?? JSON.stringify(request) },
    `${method}${id === null ? ' (notification)' : ''}`,
  );
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
 * The successful result of a call, or a failure naming what came back instead. Checks what
 * JSON-RPC 2.0 §5 and A2A require of every response: HTTP 200, `application/json`, `jsonrpc`
 * "2.0", the request's id.
 */
export function resultOf(t: TestContext, answer: RpcAnswer, what: string, id?: unknown): unknown {
  checkEnvelope(t, answer, what, id);
  const response = answer.response!;
  if ('error' in response) t.fail(`${what}: the agent answered error ${describeError(response['error'])}`);
  t.check('result' in response, `${what}: the response has neither result nor error: ${clip(answer.body)}`);
  return response['result'];
}

/** The error of a call that must fail with `code` (or one of `codes`). */
export function expectError(t: TestContext, answer: RpcAnswer, what: string, codes: number | readonly number[], id?: unknown): Record<string, unknown> {
  const wanted = typeof codes === 'number' ? [codes] : codes;
  checkEnvelope(t, answer, what, id);
  const response = answer.response!;
  if (!('error' in response)) t.fail(`${what}: expected JSON-RPC error ${wanted.join(' or ')}, got a result: ${clip(answer.body)}`);
  const error = response['error'];
  t.check(isObject(error) && typeof error['code'] === 'number' && typeof error['message'] === 'string', `${what}: the error object needs a numeric code and a string message (JSON-RPC 2.0 §5.1), got ${clip(JSON.stringify(error))}`);
  t.check(wanted.includes(error['code'] as number), `${what}: expected error ${wanted.join(' or ')}, got ${describeError(error)}`);
  return error;
}

/** A call that must fail with `code` (or one of `codes`): sent with a fresh id, answered with that id. */
export async function rpcError(t: TestContext, version: A2aVersion, url: string, method: string, params: unknown, what: string, codes: number | readonly number[], options: Omit<RpcOptions, 'id'> = {}): Promise<Record<string, unknown>> {
  const id = t.newId();
  return expectError(t, await rpc(t, version, url, method, params, { ...options, id }), what, codes, id);
}

function checkEnvelope(t: TestContext, answer: RpcAnswer, what: string, id: unknown): void {
  t.check(answer.status === 200, `${what}: HTTP ${answer.status}; a JSON-RPC response (errors too) comes with HTTP 200 (${clip(answer.body)})`);
  const type = (answer.headers['content-type'] ?? '').toLowerCase();
  t.check(type.startsWith('application/json'), `${what}: Content-Type ${JSON.stringify(answer.headers['content-type'] ?? '')}, must be application/json`);
  t.check(answer.response !== undefined, `${what}: the body is not a JSON object: ${clip(answer.body) || '(empty)'}`);
  const response = answer.response;
  t.check(response['jsonrpc'] === '2.0', `${what}: jsonrpc is ${JSON.stringify(response['jsonrpc'])}, must be "2.0"`);
  if (id !== undefined) t.check(response['id'] === id, `${what}: the response id is ${JSON.stringify(response['id'])}, must be the request's ${JSON.stringify(id)}`);
}

export function describeError(error: unknown): string {
  if (!isObject(error)) return JSON.stringify(error);
  return `${String(error['code'])} (${clip(String(error['message']), 120)})`;
}

export function clip(text: string, max = 240): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The shape of a result, failing with the reason when it is none of A2A's. */
export function shapeOf(t: TestContext, version: A2aVersion, result: unknown, what: string): Exclude<ResultShape, { kind: 'unknown' }> {
  const shape = version.classify(result);
  if (shape.kind === 'unknown') t.fail(`${what}: ${shape.why}`);
  return shape;
}

export type { JsonMessage };
