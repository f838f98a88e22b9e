// The A2A streaming and push-notification checks, proven both ways on the spec agent
// (fixtures/spec-agent.mjs, written from the spec text, no code shared with the reference agent or
// any SDK) serving SSE and webhooks: each deviation gets exactly its verdict, each legal
// variation passes clean.
import t from 'tap';
import { certify, deviate, failed, failures, result, vary, warned } from './spec-agent-run.js';

const V1 = 'a2a.v1_0';
const V03 = 'a2a.v0_3';
const reasonOf = (summary: Awaited<ReturnType<typeof certify>>, test: string) => result(summary, test)?.reason ?? '';
const STREAMING_V1 = ['events', 'subscribe-terminal-refused', 'subscribe-task-first', 'stream-task-refused', 'subscribe-unknown-refused'];
const PUSH_V1 = ['set-config', 'config-lifecycle', 'config-unknown', 'delivers', 'config-url-required', 'config-unknown-task', 'config-delete-idempotent', 'delivers-credentials'];

t.test('legal: streaming and push in both versions, credentials with a lowercase scheme: clean, every streaming and push check judged', async (t) => {
  const summary = await certify(['--streaming', '--push', '--work-ms', '300', ...vary('auth-scheme-lowercase')], [`${V1}.card`, `${V1}.streaming`, `${V1}.push`, `${V03}.card`, `${V03}.streaming`, `${V03}.push`]);
  t.same(failures(summary), [], 'nothing fails');
  t.same(warned(summary), [], 'no warning');
  t.equal(summary.exitCode, 0);
  for (const name of STREAMING_V1) t.equal(result(summary, `${V1}.streaming.passive.${name}`)?.status, 'pass', `streaming ${name} judged and passed`);
  for (const name of PUSH_V1) t.equal(result(summary, `${V1}.push.passive.${name}`)?.status, 'pass', `push ${name} judged and passed`);
  for (const name of ['streaming.passive.events', 'push.passive.set-config', 'push.passive.config-lifecycle', 'push.passive.config-unknown', 'push.passive.delivers']) t.equal(result(summary, `${V03}.${name}`)?.status, 'pass', `v0.3 ${name}`);
});

t.test('legal: tasks that stop in input-required (an interrupted state) and complete on a follow-up: clean; the checks that need a terminal task are not-run', async (t) => {
  const tasks = ['get', 'cancel', 'not-cancelable'].map((name) => `${V1}.tasks.passive.${name}`);
  const summary = await certify(['--streaming', '--push', '--work-ms', '150', ...vary('input-required')], [`${V1}.card`, `${V1}.message`, ...tasks, `${V1}.streaming`, `${V1}.push`, `${V03}.card`, `${V03}.message.passive.terminal-task-refused`, `${V03}.streaming`, `${V03}.push.passive.delivers`]);
  t.same(failures(summary), [], 'nothing fails');
  t.same(warned(summary), [], 'no warning');
  t.equal(result(summary, `${V1}.push.passive.delivers-credentials`)?.status, 'pass', 'credentials judged up to the interrupted state');
  t.equal(result(summary, `${V1}.message.passive.blocking`)?.status, 'pass', 'a blocking send returns at input-required');
  const notRun = summary.results.filter((r) => r.status === 'not-run' && /not a terminal state/.test(r.reason ?? '')).map((r) => r.test).sort();
  t.same(notRun, [...['message.passive.terminal-task-refused', 'tasks.passive.not-cancelable', 'streaming.passive.subscribe-terminal-refused'].map((name) => `${V1}.${name}`), `${V03}.message.passive.terminal-task-refused`].sort());
});

t.test('legal: refusals of streaming requests as the stream\'s one error event, artifacts streamed in two chunks, a second delete answered -32001: clean', async (t) => {
  const summary = await certify(['--streaming', '--push', '--work-ms', '300', ...vary('stream-errors-as-events', 'artifact-chunks', 'delete-missing-errors')], [`${V1}.card`, `${V1}.streaming`, `${V1}.push.passive.config-delete-idempotent`]);
  t.same(failures(summary), []);
  t.same(warned(summary), []);
  for (const name of ['subscribe-terminal-refused', 'stream-task-refused', 'subscribe-unknown-refused']) t.equal(result(summary, `${V1}.streaming.passive.${name}`)?.status, 'pass', `${name} takes the error event`);
  t.equal(result(summary, `${V1}.push.passive.config-delete-idempotent`)?.status, 'pass');
});

t.test('legal: a stream answered with one Message (a message-only stream, §3.1.2): events passes in both versions', async (t) => {
  const summary = await certify(['--streaming', ...vary('message-reply')], [`${V1}.card`, `${V03}.card`, `${V1}.streaming.passive.events`, `${V03}.streaming.passive.events`]);
  t.same(failures(summary), []);
  t.same(warned(summary), []);
  t.equal(result(summary, `${V1}.streaming.passive.events`)?.status, 'pass');
  t.equal(result(summary, `${V03}.streaming.passive.events`)?.status, 'pass');
});

t.test('legal: streaming not claimed, its refusals as error events: streaming-unclaimed-refused passes in both versions', async (t) => {
  const summary = await certify(vary('stream-errors-as-events'), [`${V1}.card`, `${V03}.card`, `${V1}.jsonrpc.passive.streaming-unclaimed-refused`, `${V03}.jsonrpc.passive.streaming-unclaimed-refused`]);
  t.same(failures(summary), []);
  t.same(warned(summary), []);
  t.equal(result(summary, `${V1}.jsonrpc.passive.streaming-unclaimed-refused`)?.status, 'pass');
});

t.test('deviation: SubscribeToTask served without the capability: v1.0 fails (MUST), v0.3 warns (SHOULD)', async (t) => {
  const summary = await certify(deviate('subscribe-unclaimed-served'), [`${V1}.card`, `${V03}.card`, `${V1}.jsonrpc.passive.streaming-unclaimed-refused`, `${V03}.jsonrpc.passive.streaming-unclaimed-refused`]);
  t.same(failed(summary), [`${V1}.jsonrpc.passive.streaming-unclaimed-refused`]);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.streaming-unclaimed-refused`), /SubscribeToTask of task .* without the capability: expected JSON-RPC error -32004, got HTTP 200 text\/event-stream.*\[MUST, A2A v1\.0 §3\.3\.4/);
  t.same(warned(summary), [`${V03}.jsonrpc.passive.streaming-unclaimed-refused`]);
  t.match(result(summary, `${V03}.jsonrpc.passive.streaming-unclaimed-refused`)?.warnings.join(' '), /tasks\/resubscribe of task .* without the capability: .*text\/event-stream.*\[SHOULD/);
});

t.test('deviations in streams: each streaming check fails once, with its reason', async (t) => {
  const summary = await certify(['--streaming', '--work-ms', '300', ...deviate('update-without-context', 'subscribe-first-status', 'stream-unknown-task-starts-new', 'stream-terminal-task-streams', 'subscribe-unknown-internal-error', 'subscribe-terminal-streams')], [`${V1}.card`, `${V1}.streaming`]);
  t.same(failed(summary), STREAMING_V1.map((name) => `${V1}.streaming.passive.${name}`).sort());
  t.match(reasonOf(summary, `${V1}.streaming.passive.events`), /event \d+ \(status-update\) has no contextId \[MUST, A2A v1\.0 §4\.2\.1/);
  t.match(reasonOf(summary, `${V1}.streaming.passive.subscribe-task-first`), /SubscribeToTask of task .*: the first event is a status-update, not the Task/);
  t.match(reasonOf(summary, `${V1}.streaming.passive.subscribe-unknown-refused`), /expected error -32001, got -32603/);
  t.match(reasonOf(summary, `${V1}.streaming.passive.subscribe-terminal-refused`), /SubscribeToTask on TASK_STATE_COMPLETED task .*: expected JSON-RPC error -32004, got HTTP 200 text\/event-stream/);
  const refused = reasonOf(summary, `${V1}.streaming.passive.stream-task-refused`);
  t.match(refused, /SendStreamingMessage naming task agtest-unknown-.* \(never issued\): expected JSON-RPC error -32001, got HTTP 200 text\/event-stream/);
  t.same(warned(summary), []);
});

t.test('deviation: a streamed message naming a completed task is streamed: stream-task-refused fails', async (t) => {
  const summary = await certify(['--streaming', '--work-ms', '300', ...deviate('stream-terminal-task-streams')], [`${V1}.card`, `${V1}.streaming.passive.stream-task-refused`]);
  t.same(failed(summary), [`${V1}.streaming.passive.stream-task-refused`]);
  t.match(reasonOf(summary, `${V1}.streaming.passive.stream-task-refused`), /SendStreamingMessage naming TASK_STATE_COMPLETED task .*: expected JSON-RPC error -32004, got HTTP 200 text\/event-stream/);
});

t.test('deviations in push configs and deliveries: each push check fails once (a config without url warns: §5.7 SHOULD), with its reason', async (t) => {
  const summary = await certify(['--push', '--work-ms', '300', ...deviate('push-url-optional', 'push-create-unknown-task-accepted', 'push-delete-twice-removes-another', 'push-no-credentials')], [`${V1}.card`, `${V1}.push`]);
  t.same(failed(summary), ['config-delete-idempotent', 'config-unknown-task', 'delivers-credentials'].map((name) => `${V1}.push.passive.${name}`));
  t.equal(result(summary, `${V1}.push.passive.config-url-required`)?.status, 'pass');
  t.match(result(summary, `${V1}.push.passive.config-url-required`)?.warnings.join(' '), /without url for task .*: expected JSON-RPC error -32602, got a result.*\[SHOULD, A2A v1\.0 §5\.7/);
  t.match(reasonOf(summary, `${V1}.push.passive.config-unknown-task`), /CreateTaskPushNotificationConfig for task agtest-unknown-.* \(never issued\): expected JSON-RPC error -32001, got a result/);
  t.match(reasonOf(summary, `${V1}.push.passive.config-delete-idempotent`), /deleting config .* a second time removed config .* too/);
  t.match(reasonOf(summary, `${V1}.push.passive.delivers-credentials`), /came with Authorization undefined; its config asked for Bearer agtest-/);
  t.same(warned(summary), [`${V1}.push.passive.config-url-required`]);
});

t.test('deviation: a push config of a task never issued is deleted: config-unknown-task fails on the delete', async (t) => {
  const summary = await certify(['--push', ...deviate('push-delete-unknown-task-accepted')], [`${V1}.card`, `${V1}.push.passive.config-unknown-task`, `${V1}.push.passive.config-delete-idempotent`]);
  t.same(failed(summary), [`${V1}.push.passive.config-unknown-task`]);
  t.match(reasonOf(summary, `${V1}.push.passive.config-unknown-task`), /DeleteTaskPushNotificationConfig on task agtest-unknown-.* \(never issued\): expected JSON-RPC error -32001, got a result/);
});

// One fault, one failure, on an agent that shares no code with the reference agent: a card that claims a
// capability the agent refuses fails the capability's probe test once per version; the other tests are blocked by it.
t.test('deviation: push claimed but every push config refused (-32003): set-config fails once per version, the other push tests are blocked by it', async (t) => {
  const summary = await certify(['--push', '--work-ms', '150', ...deviate('push-claimed-not-served')], [`${V1}.card`, `${V1}.push`, `${V03}.card`, `${V03}.push`]);
  t.same(failed(summary), [`${V03}.push.passive.set-config`, `${V1}.push.passive.set-config`]);
  t.match(reasonOf(summary, `${V1}.push.passive.set-config`), /-32003/);
  const blocked = summary.results.filter((r) => r.status === 'blocked');
  t.same(blocked.map((r) => r.test).sort(), [...PUSH_V1.filter((name) => name !== 'set-config').map((name) => `${V1}.push.passive.${name}`), ...['config-lifecycle', 'config-unknown', 'delivers'].map((name) => `${V03}.push.passive.${name}`)].sort(), 'every other push test is blocked');
  for (const r of blocked) t.equal(r.blockedBy, `${r.test.startsWith(V1) ? V1 : V03}.push.passive.set-config`, `${r.test} names set-config`);
  t.same(warned(summary), []);
});

t.test('deviation: streaming claimed but every streaming request refused (-32004): events fails once per version, the streaming tests that need a stream are blocked by it', async (t) => {
  const summary = await certify(['--streaming', '--work-ms', '150', ...deviate('stream-claimed-not-served')], [`${V1}.card`, `${V1}.streaming`, `${V03}.card`, `${V03}.streaming`]);
  t.same(failed(summary), [`${V03}.streaming.passive.events`, `${V1}.streaming.passive.events`]);
  const blocked = summary.results.filter((r) => r.status === 'blocked');
  t.same(blocked.map((r) => r.test).sort(), ['stream-task-refused', 'subscribe-task-first', 'subscribe-unknown-refused'].map((name) => `${V1}.streaming.passive.${name}`), 'the tests that need a stream are blocked');
  for (const r of blocked) t.equal(r.blockedBy, `${V1}.streaming.passive.events`);
  // -32004 is the right answer to subscribing to a completed task, served or not: that test passes.
  t.equal(result(summary, `${V1}.streaming.passive.subscribe-terminal-refused`)?.status, 'pass');
});
