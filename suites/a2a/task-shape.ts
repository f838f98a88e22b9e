import type { TestContext } from '../define.js';
import { describeError, resultOf, rpc, shapeOf } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { isObject } from './is-object.js';
import { commonRule, insist } from './rules.js';

export function stateOf(task: Record<string, unknown>): unknown {
  return isObject(task['status']) ? task['status']['state'] : undefined;
}

/** A Task as the version defines it: id, contextId, status.state from the version's enum. */
export function checkTask(t: TestContext, v: A2aVersion, task: Record<string, unknown>, what: string): { id: string; contextId: string; state: string } {
  const rule = commonRule(v, 'task.members');
  insist(t, rule, typeof task['id'] === 'string' && task['id'] !== '', `${what}: the task has no id`);
  insist(t, rule, typeof task['contextId'] === 'string' && task['contextId'] !== '', `${what}: the task has no contextId`);
  const state = stateOf(task);
  insist(t, rule, typeof state === 'string' && v.states.all.includes(state), `${what}: status.state ${JSON.stringify(state)} is not an A2A ${v.id} task state (${v.states.all.join(', ')})`);
  return { id: task['id'], contextId: task['contextId'], state };
}

/** A Message from the agent: messageId, the agent role, at least one part. */
export function checkAgentMessage(t: TestContext, v: A2aVersion, message: Record<string, unknown>, what: string): void {
  const rule = commonRule(v, 'message.members');
  t.verify(rule.id, typeof message['messageId'] === 'string' && message['messageId'] !== '', `${what}: the message has no messageId`);
  const role = v.id === '1.0' ? 'ROLE_AGENT' : 'agent';
  t.verify(rule.id, message['role'] === role, `${what}: role is ${JSON.stringify(message['role'])}, an answer from the agent has role ${role}`);
  t.verify(rule.id, Array.isArray(message['parts']) && message['parts'].length > 0, `${what}: the message has no parts`);
}

export type SendOutcome = { kind: 'task'; task: Record<string, unknown>; id: string; contextId: string; state: string } | { kind: 'message'; message: Record<string, unknown> };

/** The test that judges the shape of a plain send's result; the others wait for it. */
export const SEND_SHAPE_TEST = 'message.passive.send-returns-task-or-message';

/**
 * Sends a text message and checks the result is a well-formed Task or Message. `judge` is for
 * send-returns-task-or-message alone: in any other test a result of no A2A shape is first tried
 * on a plain send (that test's own probe); when that is misshapen too, the test is blocked by it
 * (one fault, one failure), otherwise this send's own shape fails here.
 */
export async function sendText(t: TestContext, v: A2aVersion, url: string, text: string, options: SendOptions & { message?: Record<string, unknown>; judge?: boolean } = {}): Promise<SendOutcome> {
  const id = t.newId();
  const params = { message: v.userMessage(text, options.message), ...(options.configuration ? { configuration: options.configuration } : {}) };
  const answer = await rpc(t, v, url, v.methods.send, params, { id });
  if (options.onRefusal && answer.response && 'error' in answer.response) await options.onRefusal(`${v.methods.send} got error ${describeError(answer.response['error'])}`);
  const result = resultOf(t, v, answer, v.methods.send, id);
  if (!options.judge && v.classify(result).kind === 'unknown') await blockIfPlainSendMisshapen(t, v, url);
  const shape = shapeOf(t, v, result, `${v.methods.send} result`);
  if (shape.kind === 'task') return { kind: 'task', task: shape.task, ...checkTask(t, v, shape.task, `${v.methods.send} result`) };
  if (shape.kind === 'message') {
    checkAgentMessage(t, v, shape.message, `${v.methods.send} result`);
    return { kind: 'message', message: shape.message };
  }
  insist(t, commonRule(v, 'result.shape'), false, `${v.methods.send} returned a ${shape.kind} event; it returns a Task or a Message`);
}

async function blockIfPlainSendMisshapen(t: TestContext, v: A2aVersion, url: string): Promise<void> {
  const id = t.newId();
  const answer = await rpc(t, v, url, v.methods.send, { message: v.userMessage('agtest: hello') }, { id });
  const shape = answer.response && 'result' in answer.response ? v.classify(answer.response.result) : undefined;
  if (shape?.kind === 'unknown') t.block(`${v.methods.send} of a plain text message returns no Task or Message either (${shape.why}): ${v.prefix}.${SEND_SHAPE_TEST} judges that`, `${v.prefix}.${SEND_SHAPE_TEST}`);
}

export interface SendOptions {
  configuration?: Record<string, unknown>;
  /**
   * Called when the send is answered with an error, before that fails the test: a caller whose
   * configuration needs a capability (a push config) blocks here when a probe shows the capability
   * is not served at all.
   */
  onRefusal?: (why: string) => Promise<void>;
}

/** A task the agent created, or not-run when it answers with Messages only (which A2A allows). */
export async function obtainTask(t: TestContext, v: A2aVersion, url: string, configuration?: Record<string, unknown>, options: Omit<SendOptions, 'configuration'> = {}) {
  const outcome = await sendText(t, v, url, 'agtest: please work on this', { ...options, ...(configuration ? { configuration } : {}) });
  if (outcome.kind !== 'task') t.skip(`the agent answered ${v.methods.send} with a Message, not a Task (allowed by ${v.cite} ${v.sec.send}), so there is no task to test`);
  return outcome;
}

/** GETs a task; the result must be that task. */
export async function getTask(t: TestContext, v: A2aVersion, url: string, taskId: string, extra: Record<string, unknown> = {}) {
  const id = t.newId();
  const result = resultOf(t, v, await rpc(t, v, url, v.methods.get, { id: taskId, ...extra }, { id }), `${v.methods.get} ${taskId}`, id);
  const rule = commonRule(v, 'task.members');
  insist(t, rule, isObject(result), `${v.methods.get}: the result is not a Task object`);
  const checked = checkTask(t, v, result, `${v.methods.get} result`);
  insist(t, rule, checked.id === taskId, `${v.methods.get} ${taskId} returned task ${checked.id}`);
  return { task: result, ...checked };
}

/** Polls until the task is terminal or interrupted; undefined when it is not within `withinMs`. */
export async function settledTask(t: TestContext, v: A2aVersion, url: string, taskId: string, withinMs = 4000) {
  const until = Date.now() + withinMs;
  for (;;) {
    const got = await getTask(t, v, url, taskId);
    if (v.states.terminal.includes(got.state) || v.states.interrupted.includes(got.state)) return got;
    if (Date.now() > until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
