import { defineSuite, defineTest, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { rpcError } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { sendText, settledTask } from './task-shape.js';

export function messageSuite(v: A2aVersion): Suite {
  const blockingSpec = v.id === '1.0' ? 'A2A v1.0 SendMessageConfiguration.returnImmediately: false (the default) MUST wait for a terminal or interrupted state' : 'A2A v0.3 MessageSendConfiguration.blocking: true waits for a terminal or interrupted state';
  const tests: TestDefinition[] = [
    defineTest({
      name: 'send-returns-task-or-message',
      description: `${v.methods.send} with a text part returns a well-formed Task or Message`,
      spec: `${v.cite} ${v.sec.send}: outputs a Task or a Message`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await sendText(t, v, rpcUrl, 'agtest: hello');
      },
    }),
    defineTest({
      name: 'blocking',
      description: 'A blocking send returns a task only once it is terminal or interrupted',
      spec: blockingSpec,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const outcome = await sendText(t, v, rpcUrl, 'agtest: blocking', { configuration: v.blocking(true) });
        if (outcome.kind === 'message') return;
        t.check(v.states.terminal.includes(outcome.state) || v.states.interrupted.includes(outcome.state), `a blocking ${v.methods.send} returned task ${outcome.id} in state ${outcome.state}; it must wait for a terminal or interrupted state`);
      },
    }),
    defineTest({
      name: 'non-blocking',
      description: 'A non-blocking send returns at once; a returned task can be polled to a terminal or interrupted state',
      spec: `${v.id === '1.0' ? 'A2A v1.0 SendMessageConfiguration.returnImmediately: true' : 'A2A v0.3 MessageSendConfiguration.blocking: false'}; ${v.sec.get} is how a client polls`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const outcome = await sendText(t, v, rpcUrl, 'agtest: non-blocking', { configuration: v.blocking(false) });
        if (outcome.kind === 'message') return;
        await settledTask(t, v, rpcUrl, outcome.id);
      },
    }),
  ];
  if (v.id === '1.0') {
    tests.push(
      defineTest({
        name: 'context-id',
        description: 'The answer carries a contextId the agent generated, and keeps one the client gave',
        spec: 'A2A v1.0 §3.4.1: agents MUST generate a contextId for a message without one and include it in the response; MUST accept and preserve a client-provided contextId',
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          const first = await sendText(t, v, rpcUrl, 'agtest: no context');
          const generated = first.kind === 'task' ? first.contextId : first.message['contextId'];
          t.check(typeof generated === 'string' && generated !== '', `the answer to a message without contextId has no contextId (${first.kind})`);
          const mine = `agtest-context-${t.newId()}`;
          const second = await sendText(t, v, rpcUrl, 'agtest: my context', { message: { contextId: mine } });
          const kept = second.kind === 'task' ? second.contextId : second.message['contextId'];
          t.check(kept === mine, `the client gave contextId ${mine}; the answer has ${JSON.stringify(kept)}`);
        },
      }),
      defineTest({
        name: 'unknown-task-refused',
        description: 'A message that names a task that does not exist gets error -32001 (TaskNotFound)',
        spec: 'A2A v1.0 §3.4.2: when a message includes a taskId it MUST reference an existing task; agents MUST return TaskNotFoundError (-32001) otherwise',
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          const taskId = `agtest-unknown-${t.newId()}`;
          await rpcError(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: for a task that does not exist', { taskId }) }, `${v.methods.send} naming task ${taskId}`, -32001);
        },
      }),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.message`,
    mode: 'passive',
    description: `Sending messages (A2A ${v.id}): the result is a Task or a Message, blocking and non-blocking`,
    tests,
  });
}
