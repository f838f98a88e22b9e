import { defineSuite, defineTest, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { clip, describeError, rpc, rpcError } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { checkAgentMessage, checkTask, obtainTask } from './task-shape.js';
import { isObject } from './is-object.js';

export function streamingSuite(v: A2aVersion): Suite {
  const tests: TestDefinition[] = [
    defineTest({
      name: 'events',
      description: `${v.methods.stream} answers text/event-stream; each event is a JSON-RPC response with the request id; a Message alone, or a Task then updates, closed at a terminal state`,
      spec: `${v.cite} ${v.sec.stream} (message-only or task-lifecycle stream, closed at a terminal state); JSON-RPC streaming: each SSE data is a JSON-RPC response`,
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.streaming) t.skip('the card does not claim streaming');
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.stream, { message: v.userMessage('agtest: stream this') }, { id });
        if (!answer.events) {
          const error = answer.response?.['error'];
          t.fail(`false advertising: the card claims streaming, but ${v.methods.stream} answered HTTP ${answer.status} ${answer.headers['content-type'] ?? ''} ${error ? `error ${describeError(error)}` : clip(answer.body, 120)}, not text/event-stream`);
        }
        t.check(answer.status === 200, `${v.methods.stream}: the stream came with HTTP ${answer.status}`);
        const { events } = answer;
        t.check(events.length > 0, `${v.methods.stream}: the stream closed without an event`);
        const shapes = events.map((event, index) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(event.data);
          } catch {
            t.fail(`event ${index + 1}: data is not JSON: ${clip(event.data, 120)}`);
          }
          if (!isObject(parsed) || parsed['jsonrpc'] !== '2.0') t.fail(`event ${index + 1}: not a JSON-RPC 2.0 response: ${clip(event.data, 120)}`);
          t.check(parsed['id'] === id, `event ${index + 1}: id ${JSON.stringify(parsed['id'])}, must be the request's ${JSON.stringify(id)}`);
          if ('error' in parsed) t.fail(`event ${index + 1}: error ${describeError(parsed['error'])}`);
          const shape = v.classify(parsed['result']);
          if (shape.kind === 'unknown') t.fail(`event ${index + 1}: ${shape.why}`);
          return shape;
        });
        const [first] = shapes;
        if (first!.kind === 'message') {
          checkAgentMessage(t, v, first!.message, 'event 1');
          t.check(shapes.length === 1, `a message-only stream MUST contain exactly one Message and then close; it had ${shapes.length} events`);
        } else {
          t.check(first!.kind === 'task', `the first event is a ${first!.kind}; a task-lifecycle stream MUST begin with the Task`);
          const task = checkTask(t, v, (first as { task: Record<string, unknown> }).task, 'event 1');
          let state = task.state;
          shapes.slice(1).forEach((shape, index) => {
            t.check(shape.kind === 'status-update' || shape.kind === 'artifact-update', `event ${index + 2} is a ${shape.kind}; after the Task only status and artifact updates may follow`);
            const event = (shape as { event: Record<string, unknown> }).event;
            t.check(event['taskId'] === task.id, `event ${index + 2}: taskId ${JSON.stringify(event['taskId'])}, the stream's task is ${task.id}`);
            if (shape.kind === 'status-update') {
              const next = isObject(event['status']) ? event['status']['state'] : undefined;
              t.check(typeof next === 'string' && v.states.all.includes(next), `event ${index + 2}: status.state ${JSON.stringify(next)} is not an A2A ${v.id} task state`);
              state = next;
            }
          });
          t.check(v.states.terminal.includes(state) || v.states.interrupted.includes(state), `the stream ended with the task in ${state}; it MUST run until a terminal (or interrupted) state`);
        }
        t.check(answer.streamEnd?.reason === 'closed', `the agent did not close the stream after its last event (${answer.streamEnd?.detail ?? answer.streamEnd?.reason})`);
      },
    }),
  ];
  if (v.id === '1.0') {
    tests.push(
      defineTest({
        name: 'subscribe-terminal-refused',
        description: 'SubscribeToTask on a task in a terminal state gets error -32004 (UnsupportedOperation)',
        spec: 'A2A v1.0 §3.1.6 Subscribe to Task errors: UnsupportedOperationError when the task is in a terminal state',
        async run(t: TestContext) {
          const { rpcUrl, claims } = await agentCard(t, v);
          if (!claims.streaming) t.skip('the card does not claim streaming');
          const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
          if (!v.states.terminal.includes(created.state)) t.skip(`the task stopped in ${created.state}, not a terminal state`);
          await rpcError(t, v, rpcUrl, v.methods.subscribe, { id: created.id }, `SubscribeToTask on ${created.state} task ${created.id}`, -32004);
        },
      }),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.streaming`,
    mode: 'passive',
    description: `Streaming over SSE (A2A ${v.id}), when the card claims it`,
    tests,
  });
}
