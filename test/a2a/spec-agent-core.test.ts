// The A2A checks older than suite a2a 0.6 (JSON-RPC errors, capability and version refusals,
// sends to finished or unknown tasks, GetTask / CancelTask / ListTasks, stream order, push form,
// card caching, required extensions), proven both ways on the spec agent (fixtures/spec-agent.mjs,
// written from the spec text, no code shared with the reference agent or any SDK).
import t from 'tap';
import { certify, deviate, failed, failures, result, vary, warned } from './spec-agent-run.js';

const V1 = 'a2a.v1_0';
const V03 = 'a2a.v0_3';
const both = (name: string) => [`${V1}.${name}`, `${V03}.${name}`];
const reasonOf = (summary: Awaited<ReturnType<typeof certify>>, test: string) => result(summary, test)?.reason ?? '';

t.test('legal: the card marks an extension required and the agent enforces it (-32008 without A2A-Extensions): clean, agtest declares it everywhere else', async (t) => {
  const summary = await certify(['--versions', '1.0', ...vary('required-extension')], [`${V1}.card`, `${V1}.jsonrpc`, `${V1}.message.passive.send-returns-task-or-message`, `${V1}.tasks.passive.get`]);
  t.same(failures(summary), []);
  t.same(warned(summary), []);
  t.equal(result(summary, `${V1}.jsonrpc.passive.required-extension-enforced`)?.status, 'pass', 'judged and passed');
  t.equal(result(summary, `${V1}.tasks.passive.get`)?.status, 'pass', 'the other tests are answered: they declare the extension');
});

t.test('deviations: a required extension not enforced (fail), the card without caching headers (SHOULD: warning)', async (t) => {
  const summary = await certify(['--versions', '1.0', ...deviate('required-extension-ignored', 'no-cache-headers')], [`${V1}.card`, `${V1}.jsonrpc.passive.required-extension-enforced`, `${V1}.message.passive.send-returns-task-or-message`]);
  t.same(failed(summary), [`${V1}.jsonrpc.passive.required-extension-enforced`]);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.required-extension-enforced`), /SendMessage without https:\/\/spec-agent\.example\.org\/extensions\/probe\/v1: expected JSON-RPC error -32008, got a result/);
  t.same(warned(summary), [`${V1}.card.passive.caching`]);
  t.match(result(summary, `${V1}.card.passive.caching`)?.warnings.join(' '), /no Cache-Control header \[SHOULD, A2A v1\.0 §8\.6\.1/);
});

t.test('deviations in JSON-RPC handling, capability and version refusals: each check fails once per version (v0.3 capability codes warn)', async (t) => {
  const summary = await certify(deviate('parse-error-as-invalid-request', 'object-id-echoed', 'method-checked-first', 'notification-answered', 'push-unclaimed-as-unknown-task', 'extended-card-served', 'any-version-accepted'), [`${V1}.card`, `${V03}.card`, `${V1}.jsonrpc`, `${V03}.jsonrpc`]);
  t.same(failed(summary), [
    ...both('jsonrpc.passive.id-type'),
    ...both('jsonrpc.passive.invalid-request-any-method'),
    ...both('jsonrpc.passive.notification-unanswered'),
    ...both('jsonrpc.passive.parse-error'),
    `${V1}.jsonrpc.passive.extended-card-unclaimed-refused`,
    `${V1}.jsonrpc.passive.push-unclaimed-refused`,
    `${V1}.jsonrpc.passive.version-unsupported`,
  ].sort());
  for (const test of both('jsonrpc.passive.parse-error')) t.match(reasonOf(summary, test), /expected error -32700, got -32600/);
  for (const test of both('jsonrpc.passive.id-type')) t.match(reasonOf(summary, test), /with id \{"bad":"type"\}: expected error -32600, got -32001/);
  for (const test of both('jsonrpc.passive.invalid-request-any-method')) t.match(reasonOf(summary, test), /expected error -32600, got -32601/);
  for (const test of both('jsonrpc.passive.notification-unanswered')) t.match(reasonOf(summary, test), /replied to a notification/);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.push-unclaimed-refused`), /expected error -32003, got -32001.*\[MUST, A2A v1\.0 §5\.4/);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.extended-card-unclaimed-refused`), /expected JSON-RPC error -32004, got a result/);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.version-unsupported`), /expected JSON-RPC error -32009, got a result|expected error -32009/);
  t.same(warned(summary), [`${V03}.jsonrpc.passive.extended-card-unclaimed-refused`, `${V03}.jsonrpc.passive.push-unclaimed-refused`]);
});

t.test('deviation: jsonrpc "1.0" served: jsonrpc-version fails in each version, invalid-request-any-method is blocked by it', async (t) => {
  const summary = await certify(deviate('jsonrpc-version-ignored'), [`${V1}.card`, `${V03}.card`, ...both('jsonrpc.passive.jsonrpc-version'), ...both('jsonrpc.passive.invalid-request-any-method'), ...both('jsonrpc.passive.method-not-found')]);
  t.same(failed(summary), both('jsonrpc.passive.jsonrpc-version').sort());
  for (const test of both('jsonrpc.passive.jsonrpc-version')) t.match(reasonOf(summary, test), /with jsonrpc "1\.0": expected error -32600, got -32001/);
  for (const test of both('jsonrpc.passive.invalid-request-any-method')) {
    t.equal(result(summary, test)?.status, 'blocked');
    t.match(result(summary, test)?.blockedBy ?? '', /jsonrpc\.passive\.jsonrpc-version$/);
  }
  t.same(warned(summary), []);
});

t.test('an invalid Request answered -32602 (jsonrpc-version fails): invalid-request-any-method judges the order by the same code, passing it, or failing it when the method is looked at first', async (t) => {
  const only = [`${V1}.card`, ...both('jsonrpc.passive.jsonrpc-version'), ...both('jsonrpc.passive.invalid-request-any-method')];
  const sameCode = await certify(['--versions', '1.0', ...deviate('invalid-request-as-invalid-params')], only);
  t.same(failed(sameCode), [`${V1}.jsonrpc.passive.jsonrpc-version`]);
  t.match(reasonOf(sameCode, `${V1}.jsonrpc.passive.jsonrpc-version`), /expected error -32600, got -32602/);
  t.equal(result(sameCode, `${V1}.jsonrpc.passive.invalid-request-any-method`)?.status, 'pass', 'the request judged first, with its (wrong) code: counted once');
  const methodFirst = await certify(['--versions', '1.0', ...deviate('invalid-request-as-invalid-params', 'method-checked-first')], only);
  t.same(failed(methodFirst), [`${V1}.jsonrpc.passive.invalid-request-any-method`, `${V1}.jsonrpc.passive.jsonrpc-version`]);
  t.match(reasonOf(methodFirst, `${V1}.jsonrpc.passive.invalid-request-any-method`), /answered -32601 .*while the same request naming GetTask got -32602: the method was looked at before the request/);
});

t.test('deviations in sends and task reads: each check fails once per version (v0.3 cancel-unknown code warns)', async (t) => {
  const tasks = ['get', 'get-unknown', 'history-length', 'cancel', 'cancel-unknown', 'not-cancelable'].flatMap((name) => both(`tasks.passive.${name}`));
  const summary = await certify(deviate('terminal-task-takes-messages', 'unknown-task-creates-new', 'get-unknown-null', 'cancel-unknown-internal-error', 'get-history-ignored', 'cancel-completed-succeeds'), [`${V1}.card`, `${V03}.card`, ...both('message.passive.terminal-task-refused'), `${V1}.message.passive.unknown-task-refused`, ...tasks]);
  t.same(failed(summary), [
    ...both('message.passive.terminal-task-refused'),
    `${V1}.message.passive.unknown-task-refused`,
    ...both('tasks.passive.get-unknown'),
    ...both('tasks.passive.history-length'),
    ...both('tasks.passive.not-cancelable'),
    `${V1}.tasks.passive.cancel-unknown`,
  ].sort());
  t.match(reasonOf(summary, `${V1}.message.passive.terminal-task-refused`), /naming TASK_STATE_COMPLETED task .*: expected JSON-RPC error .*got a result/);
  t.match(reasonOf(summary, `${V1}.message.passive.unknown-task-refused`), /expected JSON-RPC error -32001, got a result/);
  for (const test of both('tasks.passive.get-unknown')) t.match(reasonOf(summary, test), /expected JSON-RPC error -32001, got a result/);
  for (const test of both('tasks.passive.history-length')) t.match(reasonOf(summary, test), /historyLength 0 returned 2 history entries/);
  for (const test of both('tasks.passive.not-cancelable')) t.match(reasonOf(summary, test), /expected JSON-RPC error -32002, got a result|a terminal state is final/);
  t.match(reasonOf(summary, `${V1}.tasks.passive.cancel-unknown`), /expected error -32001, got -32603/);
  // v0.3 makes the code of the refusal a SHOULD: the warning names -32002, the completed task then reading canceled fails.
  t.same(warned(summary), [`${V03}.tasks.passive.cancel-unknown`, `${V03}.tasks.passive.not-cancelable`]);
  t.equal(result(summary, `${V1}.tasks.passive.get`)?.status, 'pass');
  t.equal(result(summary, `${V1}.tasks.passive.cancel`)?.status, 'pass');
});

t.test('deviations in ListTasks: order, artifacts by default, historyLength ignored, invalid parameters accepted: each list check fails once', async (t) => {
  const summary = await certify(['--versions', '1.0', ...deviate('list-ascending', 'list-artifacts-by-default', 'list-history-ignored', 'list-accepts-invalid-params')], [`${V1}.card`, `${V1}.message.passive.context-id`, `${V1}.tasks`]);
  t.same(failed(summary), ['list-artifacts', 'list-history-length', 'list-invalid-params', 'list-order'].map((name) => `${V1}.tasks.passive.${name}`));
  t.match(reasonOf(summary, `${V1}.tasks.passive.list-order`), /ListTasks order .*the last updated first is/);
  t.match(reasonOf(summary, `${V1}.tasks.passive.list-artifacts`), /without includeArtifacts lists tasks with an artifacts field/);
  t.match(reasonOf(summary, `${V1}.tasks.passive.list-history-length`), /with historyLength 1 lists more history entries/);
  t.match(reasonOf(summary, `${V1}.tasks.passive.list-invalid-params`), /\{"pageSize":0\}: expected JSON-RPC error -32602, got a result/);
  t.same(warned(summary), []);
});

t.test('deviations: an event after the terminal status update, a 0.3 task notified in the 1.0 form, a cancel ignored, an empty history field (SHOULD): each check once', async (t) => {
  const summary = await certify(['--streaming', '--push', '--work-ms', '300', ...deviate('events-after-final', 'push-v1-form-for-v03', 'cancel-ignored', 'history-empty-array')], [`${V1}.card`, `${V03}.card`, ...both('streaming.passive.events'), ...both('push.passive.delivers'), ...both('tasks.passive.cancel'), ...both('tasks.passive.history-length')]);
  t.same(failed(summary), [...both('streaming.passive.events'), `${V03}.push.passive.delivers`, ...both('tasks.passive.cancel')].sort());
  for (const test of both('tasks.passive.cancel')) t.match(reasonOf(summary, test), /accepted the cancel of task .* but returned it (TASK_STATE_SUBMITTED|TASK_STATE_WORKING|submitted|working)/);
  t.same(warned(summary), [`${V1}.tasks.passive.history-length`]);
  t.match(result(summary, `${V1}.tasks.passive.history-length`)?.warnings.join(' '), /historyLength 0: the history field is present \(empty\); it should be omitted \[SHOULD, A2A v1\.0 §3\.2\.4/);
  for (const test of both('streaming.passive.events')) t.match(reasonOf(summary, test), /event \d+ \(artifact-update\) came after event \d+, which (put the task in TASK_STATE_COMPLETED|had final: true)/);
  t.match(reasonOf(summary, `${V03}.push.passive.delivers`), /created over A2A 0\.3, but its push notifications come in A2A 1\.0's form/);
  t.equal(result(summary, `${V1}.push.passive.delivers`)?.status, 'pass');
});

t.test('deviations in JSON-RPC codes: no method or an unknown method or a string message misanswered (fail), a string params answered -32602 (policy warning)', async (t) => {
  const summary = await certify(deviate('missing-method-invalid-params', 'params-type-unchecked', 'unknown-method-internal-error', 'accept-string-message'), [`${V1}.card`, `${V03}.card`, `${V1}.jsonrpc`, `${V03}.jsonrpc`]);
  t.same(failed(summary), [...both('jsonrpc.passive.invalid-params'), ...both('jsonrpc.passive.invalid-request'), ...both('jsonrpc.passive.method-not-found')].sort());
  for (const test of both('jsonrpc.passive.invalid-request')) t.match(reasonOf(summary, test), /expected error -32600, got -32602/);
  for (const test of both('jsonrpc.passive.method-not-found')) t.match(reasonOf(summary, test), /expected error -32601, got -32603/);
  for (const test of both('jsonrpc.passive.invalid-params')) t.match(reasonOf(summary, test), /expected JSON-RPC error -32602, got a result/);
  t.same(warned(summary), both('jsonrpc.passive.params-type').sort());
  for (const test of both('jsonrpc.passive.params-type')) t.match(result(summary, test)?.warnings.join(' '), /answered -32602 \(Invalid params\); the Request object itself is invalid, -32600 \[policy/);
});

t.test('deviations in tasks: a client contextId replaced, GetTask in another context, ListTasks filters ignored (fail); a non-blocking task that never finishes (policy warning)', async (t) => {
  const summary = await certify(deviate('non-blocking-never-finishes', 'ignore-client-context', 'get-context-changes', 'list-ignores-filters'), [`${V1}.card`, `${V03}.card`, `${V1}.message.passive.non-blocking`, `${V1}.message.passive.context-id`, ...both('tasks.passive.get'), `${V1}.tasks.passive.list-filters`]);
  t.same(failed(summary), [`${V1}.message.passive.context-id`, ...both('tasks.passive.get'), `${V1}.tasks.passive.list-filters`].sort());
  t.match(reasonOf(summary, `${V1}.message.passive.context-id`), /the client gave contextId/);
  for (const test of both('tasks.passive.get')) t.match(reasonOf(summary, test), /was created in context .*; (GetTask|tasks\/get) says/);
  t.match(reasonOf(summary, `${V1}.tasks.passive.list-filters`), /with status TASK_STATE_INPUT_REQUIRED listed \d+ tasks/);
  // v1.0 only: the warning waits out the 4 s of polling.
  t.same(warned(summary), [`${V1}.message.passive.non-blocking`]);
  t.match(result(summary, `${V1}.message.passive.non-blocking`)?.warnings.join(' '), /still running after 4000 ms.*\[policy/);
});

t.test('deviations in push configs: the created config with another url, a created config not found by get: set-config and config-lifecycle fail in each version', async (t) => {
  const summary = await certify(['--push', ...deviate('push-get-not-found', 'push-set-other-url')], [`${V1}.card`, `${V03}.card`, ...['set-config', 'config-lifecycle', 'config-unknown'].flatMap((name) => both(`push.passive.${name}`))]);
  t.same(failed(summary), [...both('push.passive.set-config'), ...both('push.passive.config-lifecycle')].sort());
  for (const test of both('push.passive.set-config')) t.match(reasonOf(summary, test), /the returned config has url ".*\/not-the-webhook", agtest set/);
  t.match(reasonOf(summary, `${V1}.push.passive.config-lifecycle`), /GetTaskPushNotificationConfig .*: the agent answered error -32001/);
  t.same(warned(summary), []);
});

t.test('deviations: a blocking send that returns early (fail in each version), an unknown push config answered -32603 (v1.0 fails, v0.3 warns)', async (t) => {
  const summary = await certify(['--push', ...deviate('blocking-returns-early', 'push-unknown-config-internal-error')], [`${V1}.card`, `${V03}.card`, ...both('message.passive.blocking'), ...both('push.passive.config-unknown')]);
  t.same(failed(summary), [...both('message.passive.blocking'), `${V1}.push.passive.config-unknown`].sort());
  for (const test of both('message.passive.blocking')) t.match(reasonOf(summary, test), /it must wait for a terminal or interrupted state/);
  t.match(reasonOf(summary, `${V1}.push.passive.config-unknown`), /of config agtest-unknown-.* \(never created\) .*: expected error -32001, got -32603/);
  t.same(warned(summary), [`${V03}.push.passive.config-unknown`]);
  t.match(result(summary, `${V03}.push.passive.config-unknown`)?.warnings.join(' '), /expected error -32001, got -32603.*\[SHOULD/);
});
