// Checks once proven only on reference-agent faults, proven both ways on the spec agent
// (fixtures/spec-agent.mjs, written from the spec text, no code shared with the reference agent or
// any SDK): send-returns-task-or-message, v0.3 non-blocking, v1.0 push delivery, and the
// SendStreamingMessage half of streaming-unclaimed-refused.
import t from 'tap';
import { certify, deviate, failed, result, vary, warned } from './spec-agent-run.js';

const V1 = 'a2a.v1_0';
const V03 = 'a2a.v0_3';
const both = (name: string) => [`${V1}.${name}`, `${V03}.${name}`];
const reasonOf = (summary: Awaited<ReturnType<typeof certify>>, test: string) => result(summary, test)?.reason ?? '';
const warningsOf = (summary: Awaited<ReturnType<typeof certify>>, test: string) => result(summary, test)?.warnings.join(' ') ?? '';
const CARDS = [`${V1}.card`, `${V03}.card`];

t.test('send-returns-task-or-message: a Task or a direct Message passes in both versions; a Task without its wrapper (1.0) or kind (0.3) fails once per version, the tests that start from a send blocked by it', async (t) => {
  const only = [...CARDS, ...both('message.passive.send-returns-task-or-message')];
  for (const flags of [[], vary('message-reply')]) {
    const legal = await certify(flags, only);
    t.same(failed(legal), [], `legal ${flags.join(' ') || '(a Task)'}`);
    t.same(warned(legal), []);
    for (const test of both('message.passive.send-returns-task-or-message')) t.equal(result(legal, test)?.status, 'pass', test);
  }
  // The tests that start from a send wait for it: one fault, one failure per version.
  const dependents = [...both('message.passive.blocking'), ...both('message.passive.non-blocking'), `${V1}.message.passive.context-id`, ...both('tasks.passive.get'), `${V1}.tasks.passive.list-pagination`];
  const summary = await certify(deviate('send-result-unwrapped'), [...only, ...dependents]);
  t.same(failed(summary), both('message.passive.send-returns-task-or-message').sort());
  for (const test of dependents) {
    t.equal(result(summary, test)?.status, 'blocked', test);
    t.equal(result(summary, test)?.blockedBy, `${test.startsWith(V1) ? V1 : V03}.message.passive.send-returns-task-or-message`, test);
  }
  t.match(reasonOf(summary, `${V1}.message.passive.send-returns-task-or-message`), /SendMessage result: .*must hold exactly one of task, message, statusUpdate, artifactUpdate; it holds none/);
  t.match(reasonOf(summary, `${V03}.message.passive.send-returns-task-or-message`), /message\/send result: .*kind is undefined/);
  t.same(warned(summary), []);
});

t.test('v0.3 non-blocking: a task that takes 1.2 s passes; one that never settles is a policy warning, not a failure', async (t) => {
  const only = [`${V03}.card`, `${V03}.message.passive.non-blocking`];
  const slow = await certify(['--versions', '0.3', '--work-ms', '1200'], only);
  t.same(failed(slow), []);
  t.same(warned(slow), []);
  t.equal(result(slow, `${V03}.message.passive.non-blocking`)?.status, 'pass');
  const never = await certify(['--versions', '0.3', ...deviate('non-blocking-never-finishes')], only);
  t.same(failed(never), []);
  t.same(warned(never), [`${V03}.message.passive.non-blocking`]);
  t.match(warningsOf(never, `${V03}.message.passive.non-blocking`), /still running after 4000 ms.*\[policy/);
});

t.test('v1.0 push delivery: Task snapshots as the payload pass; notifications sent with PUT fail v1.0 delivers alone', async (t) => {
  const only = [...CARDS, ...both('push.passive.delivers'), `${V1}.push.passive.delivers-credentials`];
  const legal = await certify(['--push', '--work-ms', '300', ...vary('push-task-snapshots')], only);
  t.same(failed(legal), []);
  t.same(warned(legal), []);
  for (const test of [...both('push.passive.delivers'), `${V1}.push.passive.delivers-credentials`]) t.equal(result(legal, test)?.status, 'pass', test);
  const summary = await certify(['--push', '--work-ms', '300', ...deviate('push-put')], only);
  t.same(failed(summary), [`${V1}.push.passive.delivers`]);
  t.match(reasonOf(summary, `${V1}.push.passive.delivers`), /the push notification came as PUT, not POST \[MUST, A2A v1\.0 §3\.5\.1/);
  t.equal(result(summary, `${V03}.push.passive.delivers`)?.status, 'pass');
  t.equal(result(summary, `${V1}.push.passive.delivers-credentials`)?.status, 'pass');
  t.same(warned(summary), []);
});

t.test('deviation: no push notification ever sent: delivers fails in each version, delivers-credentials is blocked by v1.0 delivers', async (t) => {
  const summary = await certify(['--push', '--work-ms', '300', ...deviate('push-never-sent')], [...CARDS, ...both('push.passive.delivers'), `${V1}.push.passive.delivers-credentials`]);
  t.same(failed(summary), both('push.passive.delivers').sort());
  for (const test of both('push.passive.delivers')) t.match(reasonOf(summary, test), /push notification about task .* none arrived/);
  t.equal(result(summary, `${V1}.push.passive.delivers-credentials`)?.status, 'blocked');
  t.equal(result(summary, `${V1}.push.passive.delivers-credentials`)?.blockedBy, `${V1}.push.passive.delivers`);
  t.same(warned(summary), []);
});

t.test('deviation: SendStreamingMessage served without the streaming capability: v1.0 fails (MUST), v0.3 warns (SHOULD)', async (t) => {
  const summary = await certify(deviate('stream-unclaimed-served'), [...CARDS, ...both('jsonrpc.passive.streaming-unclaimed-refused')]);
  t.same(failed(summary), [`${V1}.jsonrpc.passive.streaming-unclaimed-refused`]);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.streaming-unclaimed-refused`), /SendStreamingMessage without the capability: .*text\/event-stream/);
  t.notMatch(reasonOf(summary, `${V1}.jsonrpc.passive.streaming-unclaimed-refused`), /SubscribeToTask/, 'the subscribe half is refused as it should be');
  t.same(warned(summary), [`${V03}.jsonrpc.passive.streaming-unclaimed-refused`]);
  t.match(warningsOf(summary, `${V03}.jsonrpc.passive.streaming-unclaimed-refused`), /message\/stream without the capability: .*text\/event-stream.*\[SHOULD/);
});
