/**
 * A2A v1.0 streaming rules the requirement map found unchecked: SubscribeToTask begins with the
 * Task (§3.1.6), the errors of SendStreamingMessage (§3.1.2) and SubscribeToTask (§3.1.6) for a
 * task that does not exist or is finished, and the REQUIRED members of the update events (§4.2, §5.7).
 */
import { defineTest, type Rule, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { clip, expectStreamError, firstEvent, rpc } from './client.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';
import { a2aCodeRule, refusalRules, rulesOf, SEND_RULES, type Refusal } from './rules.js';
import { getTask, obtainTask } from './task-shape.js';
import { blockIfRefusedOtherwise, blockIfStreamingNotServed, describeUnstreamed } from './streaming-served.js';

/** The REQUIRED members of a streamed update (v1.0 §4.2.1, §4.2.2; §5.7). */
export const UPDATE_MEMBERS: Rule = {
  id: 'update-members',
  level: 'MUST',
  cite: 'A2A v1.0 §4.2.1 TaskStatusUpdateEvent (taskId, contextId, status REQUIRED), §4.2.2 TaskArtifactUpdateEvent (taskId, contextId, artifact REQUIRED), §4.1.7 Artifact; §5.7',
  text: 'Every status update has a contextId and a status; every artifact update a contextId and an artifact with an artifactId and parts',
};

/** Why an update event lacks a REQUIRED member, or undefined. */
export function updateProblem(kind: 'status-update' | 'artifact-update', event: Record<string, unknown>): string | undefined {
  if (typeof event['contextId'] !== 'string' || event['contextId'] === '') return 'has no contextId';
  if (kind === 'status-update') return isObject(event['status']) ? undefined : 'has no status';
  const artifact = event['artifact'];
  if (!isObject(artifact)) return 'has no artifact';
  if (typeof artifact['artifactId'] !== 'string' || artifact['artifactId'] === '') return "has an artifact without artifactId";
  return Array.isArray(artifact['parts']) && artifact['parts'].length > 0 ? undefined : 'has an artifact without parts';
}

export function streamingV1Tests(v: A2aVersion): TestDefinition[] {
  const refused = (text: string, section: string, name: string, codes: number[]): Refusal => ({
    refused: { id: 'refused', level: 'MUST', cite: `A2A v1.0 ${section}; §3.3.2 ("Servers MUST return appropriate errors")`, text },
    code: a2aCodeRule(v, 'code', name, codes),
    codes,
  });
  const streamUnknown = refused('SendStreamingMessage naming a task that does not exist, or one in a terminal state, is refused', '§3.1.2 Send Streaming Message, Errors (TaskNotFoundError; UnsupportedOperationError for a task in a terminal state)', 'TaskNotFoundError / UnsupportedOperationError', [-32001, -32004]);
  const subscribeUnknown = refused('SubscribeToTask of a task id that was never issued is refused', '§3.1.6 Subscribe to Task, Errors (TaskNotFoundError)', 'TaskNotFoundError', [-32001]);
  const unknownCode = a2aCodeRule(v, 'code', 'TaskNotFoundError', [-32001]);
  const terminalCode = a2aCodeRule(v, 'code', 'UnsupportedOperationError', [-32004]);
  const taskFirst: Rule = {
    id: 'task-first',
    level: 'MUST',
    cite: 'A2A v1.0 §3.1.6 Subscribe to Task, Behavior ("The operation MUST return a Task object as the first event in the stream, representing the current state of the task at the time of subscription")',
    text: 'SubscribeToTask of a running task streams the Task itself first',
  };
  return [
    defineTest({
      name: 'subscribe-task-first',
      description: 'SubscribeToTask of a task still running: the first event is that Task',
      spec: 'A2A v1.0 §3.1.6 Subscribe to Task: the first event MUST be a Task object with the current state',
      rules: rulesOf(v, [taskFirst], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.streaming) t.skip('the card does not claim streaming');
        const running = await obtainTask(t, v, rpcUrl, v.blocking(false));
        if (v.states.terminal.includes(running.state)) t.skip(`task ${running.id} was ${running.state} already when the send returned: nothing left to subscribe to`);
        const id = t.newId();
        // The stream stays open while the task runs: only its first event is judged here.
        const answer = await rpc(t, v, rpcUrl, v.methods.subscribe, { id: running.id }, { id, firstEventOnly: true });
        if (!answer.events) {
          // A task that finished in between may be refused: the rule cannot be judged then.
          const now = await getTask(t, v, rpcUrl, running.id);
          if (v.states.terminal.includes(now.state)) t.skip(`task ${running.id} finished (${now.state}) before the subscription: nothing to subscribe to`);
          await blockIfStreamingNotServed(t, v, rpcUrl, `${v.methods.subscribe} of task ${running.id}, ${now.state}, got ${describeUnstreamed(answer)}`);
          t.verify('task-first', false, `${v.methods.subscribe} of task ${running.id}, ${now.state}, answered without an event stream: HTTP ${answer.status} ${clip(answer.body, 160)}`);
          return;
        }
        const first = answer.events[0];
        const result = firstEvent(answer)?.['result'];
        const shape = v.classify(result);
        t.verify('task-first', shape.kind === 'task' && shape.task['id'] === running.id, `${v.methods.subscribe} of task ${running.id}: the first event is ${shape.kind === 'task' ? `task ${JSON.stringify(shape.task['id'])}` : `a ${shape.kind}`}, not the Task: ${clip(first?.data ?? '(no event)', 160)}`);
      },
    }),
    defineTest({
      name: 'stream-task-refused',
      description: 'SendStreamingMessage naming a task that does not exist gets -32001 (TaskNotFound); naming a task in a terminal state, -32004 (UnsupportedOperation)',
      spec: 'A2A v1.0 §3.1.2 Send Streaming Message errors: TaskNotFoundError, UnsupportedOperationError (a task in a terminal state); §5.4',
      rules: refusalRules(v, streamUnknown, [], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.streaming) t.skip('the card does not claim streaming');
        const taskId = `agtest-unknown-${t.newId()}`;
        const unknownId = t.newId();
        const unknown = await rpc(t, v, rpcUrl, v.methods.stream, { message: v.userMessage('agtest: for a task that does not exist', { taskId }) }, { id: unknownId });
        const unknownWhat = `${v.methods.stream} naming task ${taskId} (never issued)`;
        await blockIfRefusedOtherwise(t, v, rpcUrl, unknown, [-32001], unknownWhat);
        expectStreamError(t, v, unknown, unknownWhat, { ...streamUnknown, code: unknownCode, codes: [-32001] }, unknownId);
        const done = await obtainTask(t, v, rpcUrl, v.blocking(true));
        // A task that stops in an interrupted state leaves the second half unjudged; not a skip, which would drop what the first half found.
        if (!v.states.terminal.includes(done.state)) return;
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.stream, { message: v.userMessage('agtest: one more thing', { taskId: done.id, contextId: done.contextId }) }, { id });
        const what = `${v.methods.stream} naming ${done.state} task ${done.id}`;
        await blockIfRefusedOtherwise(t, v, rpcUrl, answer, [-32004], what);
        expectStreamError(t, v, answer, what, { ...streamUnknown, code: terminalCode, codes: [-32004] }, id);
      },
    }),
    defineTest({
      name: 'subscribe-unknown-refused',
      description: 'SubscribeToTask of a task id that was never issued gets -32001 (TaskNotFound)',
      spec: 'A2A v1.0 §3.1.6 Subscribe to Task errors: TaskNotFoundError; §5.4 (-32001)',
      rules: refusalRules(v, subscribeUnknown),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.streaming) t.skip('the card does not claim streaming');
        const taskId = `agtest-unknown-${t.newId()}`;
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.subscribe, { id: taskId }, { id });
        const what = `${v.methods.subscribe} of task ${taskId} (never issued)`;
        await blockIfRefusedOtherwise(t, v, rpcUrl, answer, subscribeUnknown.codes, what);
        expectStreamError(t, v, answer, what, subscribeUnknown, id);
      },
    }),
  ];
}
