import { defineSuite, defineTest, type Rule, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { resultOf, rpc, rpcError, shapeOf } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { a2aCodeRule, refusalRules, rulesOf, SEND_RULES, type Refusal } from './rules.js';
import { checkAgentMessage, checkTask, getTask, obtainTask, sendText, settledTask } from './task-shape.js';
import { messageV1Tests } from './message-v1.js';
import { isObject } from './is-object.js';

export function messageSuite(v: A2aVersion): Suite {
  const terminalRefusal: Refusal =
    v.id === '1.0'
      ? {
          refused: { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.1.1 Send Message, Errors (messages sent to Tasks in a terminal state cannot accept further messages); §3.3.2 (Servers MUST return appropriate errors)', text: 'A message naming a task in a terminal state is refused' },
          code: a2aCodeRule(v, 'code', 'UnsupportedOperationError', [-32004]),
          codes: [-32004],
        }
      : {
          // v0.3 names no code for it: any JSON-RPC error is the refusal.
          refused: { id: 'refused', level: 'MUST', cite: 'A2A v0.3 §7.1 message/send ("A task which has reached a terminal state ... can\'t be restarted. Sending a message to such a task will result in an error")', text: 'A message naming a task in a terminal state is refused' },
          codes: [],
        };
  const latestState: Rule = { id: 'latest-state', level: 'MUST', cite: 'A2A v1.0 §3.2.2 (Blocking: "The response MUST include the latest task state with all artifacts and status information")', text: 'A blocking send that returns a terminal task returns it with every artifact GetTask shows' };
  const tests: TestDefinition[] = [
    defineTest({
      name: 'send-returns-task-or-message',
      description: `${v.methods.send} with a text part returns a well-formed Task or Message`,
      spec: `${v.cite} ${v.sec.send}: outputs a Task or a Message`,
      rules: rulesOf(v, [], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await sendText(t, v, rpcUrl, 'agtest: hello', { judge: true });
      },
    }),
    defineTest({
      name: 'blocking',
      description: 'A blocking send returns a task only once it is terminal or interrupted',
      spec: v.id === '1.0' ? 'A2A v1.0 §3.2.2 SendMessageConfiguration: returnImmediately false (the default) MUST wait for a terminal or interrupted state' : 'A2A v0.3 §7.1.1 MessageSendConfiguration.blocking: true waits for the task to complete',
      rules: rulesOf(
        v,
        [
          v.id === '1.0'
            ? { id: 'waits', level: 'MUST', cite: 'A2A v1.0 §3.2.2 (Blocking: "The operation MUST wait until the task reaches a terminal state ... or an interrupted state")', text: 'A blocking send returns its task in a terminal or interrupted state' }
            : { id: 'waits', level: 'MUST', cite: 'A2A v0.3 §7.1.1 MessageSendConfiguration.blocking ("If true, the client will wait for the task to complete")', text: 'A blocking send returns its task in a terminal or interrupted state' },
          ...(v.id === '1.0' ? [latestState] : []),
        ],
        SEND_RULES,
      ),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const outcome = await sendText(t, v, rpcUrl, 'agtest: blocking', { configuration: v.blocking(true) });
        if (outcome.kind === 'message') return;
        const settled = v.states.terminal.includes(outcome.state) || v.states.interrupted.includes(outcome.state);
        t.verify('waits', settled, `a blocking ${v.methods.send} returned task ${outcome.id} in state ${outcome.state}; it must wait for a terminal or interrupted state`);
        // A terminal task changes no more: every artifact GetTask shows now, the blocking answer had to hold.
        if (v.id !== '1.0' || !v.states.terminal.includes(outcome.state)) return;
        const ids = (task: Record<string, unknown>) => (Array.isArray(task['artifacts']) ? task['artifacts'] : []).map((a: unknown) => (isObject(a) ? a['artifactId'] : undefined));
        const answered = ids(outcome.task);
        const missing = ids((await getTask(t, v, rpcUrl, outcome.id)).task).filter((id) => !answered.includes(id));
        t.verify('latest-state', missing.length === 0, `the blocking ${v.methods.send} returned ${outcome.state} task ${outcome.id} without artifact(s) ${missing.map((id) => JSON.stringify(id)).join(', ')}, which ${v.methods.get} lists; the response MUST include all artifacts`);
      },
    }),
    defineTest({
      name: 'non-blocking',
      description: 'A non-blocking send returns a task (or a Message) that GetTask returns; agtest polls it until it settles',
      spec: `${v.id === '1.0' ? 'A2A v1.0 §3.2.2 (returnImmediately: true)' : 'A2A v0.3 §7.1.1 (blocking: false)'}; ${v.sec.get} is how a client polls`,
      rules: rulesOf(
        v,
        [{ id: 'settles', level: 'policy', cite: 'agtest policy: no text bounds how long a task runs; a one-line text task that is still running after 4 s is reported', text: 'The task settles (terminal or interrupted) within 4 s of polling' }],
        SEND_RULES,
      ),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const outcome = await sendText(t, v, rpcUrl, 'agtest: non-blocking', { configuration: v.blocking(false) });
        if (outcome.kind === 'message') return;
        const settled = await settledTask(t, v, rpcUrl, outcome.id);
        t.verify('settles', settled !== undefined, `task ${outcome.id} was still running after 4000 ms of polling`);
      },
    }),
    defineTest({
      name: 'terminal-task-refused',
      description: `A message naming a task that is already in a terminal state gets an error${v.id === '1.0' ? ' -32004 (UnsupportedOperation)' : ''}`,
      spec: v.id === '1.0' ? 'A2A v1.0 §3.1.1 Send Message errors: UnsupportedOperationError for messages sent to tasks in a terminal state' : 'A2A v0.3 §7.1 message/send: a task in a terminal state can\'t be restarted; a message to it results in an error',
      rules: refusalRules(v, terminalRefusal, [], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const done = await obtainTask(t, v, rpcUrl, v.blocking(true));
        if (!v.states.terminal.includes(done.state)) t.skip(`the task stopped in ${done.state}, not a terminal state`);
        const message = v.userMessage('agtest: one more thing', { taskId: done.id, contextId: done.contextId });
        await rpcError(t, v, rpcUrl, v.methods.send, { message }, `${v.methods.send} naming ${done.state} task ${done.id}`, terminalRefusal);
      },
    }),
  ];
  if (v.id === '1.0') {
    const unknownTask: Refusal = {
      refused: { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.4.2 ("Agents MUST return a TaskNotFoundError if the provided taskId does not correspond to an existing task")', text: 'A message naming a task that does not exist is refused' },
      code: a2aCodeRule(v, 'code', 'TaskNotFoundError', [-32001]),
      codes: [-32001],
    };
    tests.push(
      defineTest({
        name: 'context-id',
        description: 'A Task answer carries a contextId; a client-provided contextId is kept, or the message is refused',
        spec: 'A2A v1.0 §3.4.1 Context Identifier Semantics: a generated contextId MUST be in the response; a client-provided one MAY be accepted, and if it cannot be, the request MUST be refused and no new contextId generated',
        rules: rulesOf(
          v,
          [
            { id: 'generated-included', level: 'MUST', cite: 'A2A v1.0 §3.4.1 ("If an agent generates a new contextId, it MUST be included in the response")', text: 'A Task answer (whose contextId the agent generated) carries it' },
            { id: 'client-context', level: 'MUST', cite: 'A2A v1.0 §3.4.1 ("If an agent cannot accept a client-provided contextId, it MUST reject the request with an error and MUST NOT generate a new contextId")', text: 'A message with a client contextId is answered in that context, or refused' },
          ],
          SEND_RULES,
        ),
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          const first = await sendText(t, v, rpcUrl, 'agtest: no context');
          // Generating a contextId for a Message answer is a MAY; a Task has one (task.members).
          if (first.kind === 'task') t.verify('generated-included', first.contextId !== '', `the task answering a message without contextId has no contextId`);
          const mine = `agtest-context-${t.newId()}`;
          const id = t.newId();
          const answer = await rpc(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: my context', { contextId: mine }) }, { id });
          if (answer.response && 'error' in answer.response) return; // refusing a client contextId is allowed
          const shape = shapeOf(t, v, resultOf(t, v, answer, v.methods.send, id), `${v.methods.send} result`);
          const kept = shape.kind === 'task' ? checkTask(t, v, shape.task, `${v.methods.send} result`).contextId : shape.kind === 'message' ? (checkAgentMessage(t, v, shape.message, `${v.methods.send} result`), shape.message['contextId']) : undefined;
          t.verify('client-context', kept === undefined || kept === mine, `the client gave contextId ${mine}; the answer has ${JSON.stringify(kept)} (accepting it means keeping it; otherwise the message must be refused)`);
        },
      }),
      defineTest({
        name: 'unknown-task-refused',
        description: 'A message that names a task that does not exist gets error -32001 (TaskNotFound)',
        spec: 'A2A v1.0 §3.4.2: when a message includes a taskId it MUST reference an existing task; agents MUST return TaskNotFoundError (-32001) otherwise',
        rules: refusalRules(v, unknownTask),
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          const taskId = `agtest-unknown-${t.newId()}`;
          await rpcError(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: for a task that does not exist', { taskId }) }, `${v.methods.send} naming task ${taskId}`, unknownTask);
        },
      }),
      ...messageV1Tests(v),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.message`,
    mode: 'passive',
    description: `Sending messages (A2A ${v.id}): the result is a Task or a Message, blocking and non-blocking, no message to a finished task`,
    tests,
  });
}
