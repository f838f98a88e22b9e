// The A2A face's own rules, each shown both ways with raw JSON-RPC on loopback: the JSON-RPC
// envelope (§4.1, §5, §5.1), ListTasks parameters, cancel of an input-required task, and the
// same key rules as REST (task types, target allowlist, rate limit).
import t from 'tap';
import { seedRequest, startHarness, type Harness } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field
type Json = any;

async function rpc(h: Harness, body: unknown, version: '1.0' | '0.3' = '1.0', key = h.key): Promise<{ status: number; text: string; json: Json }> {
  const response = await fetch(`${h.service.url}/a2a/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(version === '1.0' ? { 'A2A-Version': '1.0' } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

const send = (id: string, parts: unknown[]) => ({ jsonrpc: '2.0', id, method: 'SendMessage', params: { message: { messageId: `m-${id}`, role: 'ROLE_USER', parts } } });

t.test('JSON-RPC envelope: invalid Request objects get -32600, notifications no answer; valid ones pass', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const getTask = { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'nope' } };
  t.equal((await rpc(h, getTask)).json.error.code, -32001, 'a valid request reaches the SDK (task not found)');
  const badId = await rpc(h, { ...getTask, id: { bad: 'type' } });
  t.same([badId.json.error.code, badId.json.id], [-32600, null], 'an id of no allowed type: -32600, id null');
  const oldVersion = await rpc(h, { ...getTask, jsonrpc: '1.0' });
  t.same([oldVersion.json.error.code, oldVersion.json.id], [-32600, 1]);
  const noMethod = await rpc(h, { jsonrpc: '2.0', id: 2 });
  t.equal(noMethod.json.error.code, -32600);
  const notification = await rpc(h, { jsonrpc: '2.0', method: 'GetTask', params: { id: 'nope' } });
  t.same([notification.status, notification.text], [204, ''], 'a notification is not answered');
  const parse = await rpc(h, '{"jsonrpc": ');
  t.same([parse.json.error.code, parse.json.id], [-32700, null], 'unparsable JSON is still -32700');
  const legacy = await rpc(h, { jsonrpc: '2.0', id: 3, method: 'tasks/get', params: { id: 'nope' } }, '0.3');
  t.equal(legacy.json.error.code, -32001, 'v0.3 calls pass through too');
});

t.test('ListTasks: a negative historyLength is refused, 0 is served', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  t.equal((await rpc(h, { jsonrpc: '2.0', id: 1, method: 'ListTasks', params: { historyLength: -1 } })).json.error.code, -32602);
  t.ok((await rpc(h, { jsonrpc: '2.0', id: 2, method: 'ListTasks', params: { historyLength: 0 } })).json.result, 'historyLength 0 is legal');
});

t.test('an input-required task can be canceled; a completed one cannot', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const asked = await rpc(h, send('a', [{ text: 'Load test http://127.0.0.1:9/ok with 50 users, or maybe 100 users, for 2 minutes' }]));
  const task = asked.json.result.task;
  t.equal(task.status.state, 'TASK_STATE_INPUT_REQUIRED');
  const cancelled = await rpc(h, { jsonrpc: '2.0', id: 'c', method: 'CancelTask', params: { id: task.id } });
  t.equal(cancelled.json.result.status.state, 'TASK_STATE_CANCELED');
  const done = await rpc(h, send('b', [{ data: { requestId: 'gen', sourceAgentId: 'x', taskType: 'generate_script', taskDescription: 'GET http://127.0.0.1:9/ok with 2 users for 5 seconds' } }]));
  t.equal(done.json.result.task.status.state, 'TASK_STATE_COMPLETED');
  const again = await rpc(h, { jsonrpc: '2.0', id: 'd', method: 'CancelTask', params: { id: done.json.result.task.id } });
  t.equal(again.json.error.code, -32002, 'a completed task is not cancelable');
});

t.test('the same key rules as REST: task type, target allowlist, rate limit', async (t) => {
  const h = await startHarness({ key: { taskTypes: ['generate_script', 'generate_and_execute'], targets: ['127.0.0.1/32'], ratePerMinute: 6 } });
  t.teardown(() => h.close());
  const forbidden = await rpc(h, send('1', [{ data: seedRequest('http://127.0.0.1:9', { requestId: 'r1', taskType: 'execute_test' }) }]));
  t.equal(forbidden.json.result.task.status.state, 'TASK_STATE_REJECTED');
  t.match(JSON.stringify(forbidden.json.result.task.status.message), /forbidden_task_type/);
  const offList = await rpc(h, send('2', [{ data: seedRequest('http://10.9.9.9', { requestId: 'r2' }) }]));
  t.equal(offList.json.result.task.status.state, 'TASK_STATE_REJECTED');
  t.match(JSON.stringify(offList.json.result.task.status.message), /target_not_allowed/);
  t.equal(h.service.store.get('r2'), undefined, 'no job for a refused target');
  const allowed = await rpc(h, send('3', [{ data: seedRequest('http://127.0.0.1:9', { requestId: 'r3', taskType: 'generate_script' }) }]));
  t.not(allowed.json.result.task.status.state, 'TASK_STATE_REJECTED', 'an allowed type and target is taken');
  let limited = 0;
  for (let i = 0; i < 6; i++) if ((await rpc(h, { jsonrpc: '2.0', id: i, method: 'GetTask', params: { id: 'x' } })).status === 429) limited++;
  t.ok(limited > 0, 'over the key rate: 429');
});

t.test('an answer to input-required continues the same task; a task that ended takes no more input', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const asked = await rpc(h, send('q', [{ text: 'Generate a script: GET http://127.0.0.1:9/ok with 50 users, or maybe 100 users, for 2 minutes' }]));
  const task = asked.json.result.task;
  t.equal(task.status.state, 'TASK_STATE_INPUT_REQUIRED');
  const answer = { jsonrpc: '2.0', id: 'ans', method: 'SendMessage', params: { message: { messageId: 'm-ans', taskId: task.id, contextId: task.contextId, role: 'ROLE_USER', parts: [{ data: { performanceParameters: { virtualUsers: 50 } } }] } } };
  const continued = await rpc(h, answer);
  t.equal(continued.json.result.task.id, task.id, 'the same task');
  t.equal(continued.json.result.task.status.state, 'TASK_STATE_COMPLETED', 'the answer settled it');
  const job = h.service.store.get(`${task.id}.answer-3`);
  t.equal(job?.status, 'completed', 'a new job, from the first request with the answer');
  t.equal((job?.request['performanceParameters'] as { virtualUsers: number }).virtualUsers, 50);
  const late = await rpc(h, { ...answer, id: 'late', params: { message: { ...answer.params.message, messageId: 'm-late' } } });
  t.ok(late.json.error || late.json.result.task.status.state === 'TASK_STATE_REJECTED', 'a completed task takes no more input');
});
