import { defineSuite, defineTest, type Rule, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { clip, describeError, expectStreamError, notJson, rpc } from './client.js';
import type { A2aVersion, ResultShape } from './protocol-version.js';
import { a2aCodeRule, refusalRules, rulesOf, SEND_RULES, type Refusal } from './rules.js';
import { checkAgentMessage, checkTask, obtainTask } from './task-shape.js';
import { isObject } from './is-object.js';
import { streamingV1Tests, UPDATE_MEMBERS, updateProblem } from './streaming-v1.js';
import { blockIfRefusedOtherwise } from './streaming-served.js';

function streamRules(v: A2aVersion): Rule[] {
  const one = v.id === '1.0';
  return [
    { id: 'claimed-served', level: 'MUST', cite: one ? 'A2A v1.0 §3.1.2 (MUST establish a streaming connection); §9.4.2 (HTTP 200, text/event-stream)' : 'A2A v0.3 §7.2 message/stream; §7 ("For SSE streams, it is text/event-stream")', text: 'A card that claims streaming gets a text/event-stream answer' },
    { id: 'stream-status', level: one ? 'MUST' : 'policy', cite: one ? 'A2A v1.0 §9.4.2 ("Response: HTTP 200 with Content-Type: text/event-stream")' : 'agtest policy: RFC 9110 §15.3; v0.3 fixes no HTTP status', text: 'The stream comes with HTTP 200' },
    { id: 'event-response', level: 'MUST', cite: one ? 'A2A v1.0 §9.4.2 (each data: a JSON-RPC response with the request id)' : 'A2A v0.3 §7.2 (each SSE data field contains a SendStreamingMessageResponse)', text: "Each event's data is a JSON-RPC 2.0 response with the request's id and a result" },
    { id: 'event-shape', level: 'MUST', cite: one ? 'A2A v1.0 §3.2.3 StreamResponse (task, message, statusUpdate or artifactUpdate)' : 'A2A v0.3 §7.2.1 SendStreamingMessageResponse (Task, Message, TaskStatusUpdateEvent or TaskArtifactUpdateEvent)', text: 'Each result is a Task, a Message, a status update or an artifact update' },
    { id: 'stream-pattern', level: 'MUST', cite: one ? 'A2A v1.0 §3.1.2 (a Message alone then close; or the Task first, then updates)' : 'A2A v0.3 §7.2 message/stream', text: 'A Message alone, or the Task first and then status and artifact updates of that task' },
    { id: 'stream-closes', level: 'MUST', cite: one ? 'A2A v1.0 §3.1.2 ("The stream MUST close when the task reaches a terminal state")' : 'A2A v0.3 §7.2.2 TaskStatusUpdateEvent.final (the final event in the stream)', text: 'The stream runs to a terminal (or interrupted) state and then closes' },
    one
      ? { id: 'nothing-after-final', level: 'MUST', cite: 'A2A v1.0 §3.1.2 ("The stream MUST close when the task reaches a terminal state")', text: 'No event follows a status update to a terminal state' }
      : { id: 'nothing-after-final', level: 'MUST', cite: 'A2A v0.3 §7.2.2 TaskStatusUpdateEvent.final ("If true, this is the final event in the stream for this interaction")', text: 'No event follows a status update with final: true' },
    ...(one ? [UPDATE_MEMBERS] : []),
  ];
}

export function streamingSuite(v: A2aVersion): Suite {
  const tests: TestDefinition[] = [
    defineTest({
      name: 'events',
      description: `${v.methods.stream} answers text/event-stream; each event is a JSON-RPC response with the request id; a Message alone, or a Task then updates, closed at a terminal state with nothing after it`,
      spec: `${v.cite} ${v.sec.stream} (message-only or task-lifecycle stream, closed at a terminal state); JSON-RPC streaming: each SSE data is a JSON-RPC response`,
      rules: rulesOf(v, streamRules(v), ['task.members', 'message.members']),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.streaming) t.skip('the card does not claim streaming');
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.stream, { message: v.userMessage('agtest: stream this') }, { id });
        if (!answer.events) {
          const error = answer.response?.['error'];
          t.fail(`false advertising: the card claims streaming, but ${v.methods.stream} answered HTTP ${answer.status} ${answer.headers['content-type'] ?? ''} ${error ? `error ${describeError(error)}` : clip(answer.body, 120)}, not text/event-stream [MUST, ${streamRules(v)[0]!.cite}]`);
        }
        t.verify('stream-status', answer.status === 200, `${v.methods.stream}: the stream came with HTTP ${answer.status}`);
        const { events } = answer;
        if (!t.verify('stream-closes', events.length > 0, `${v.methods.stream}: the stream closed without an event`)) return;
        const shapes: Exclude<ResultShape, { kind: 'unknown' }>[] = [];
        for (const [index, event] of events.entries()) {
          const n = index + 1;
          const problem = notJson(event.data);
          if (!t.verify('event-response', problem === '', `event ${n}: ${problem}`)) return;
          const parsed: unknown = JSON.parse(event.data);
          if (!t.verify('event-response', isObject(parsed) && parsed['jsonrpc'] === '2.0', `event ${n}: not a JSON-RPC 2.0 response: ${clip(event.data, 120)}`)) return;
          const response = parsed as Record<string, unknown>;
          t.verify('event-response', response['id'] === id, `event ${n}: id ${JSON.stringify(response['id'])}, must be the request's ${JSON.stringify(id)}`);
          if (!t.verify('event-response', !('error' in response), `event ${n}: error ${describeError(response['error'])}`)) return;
          const shape = v.classify(response['result']);
          if (!t.verify('event-shape', shape.kind !== 'unknown', `event ${n}: ${shape.kind === 'unknown' ? shape.why : ''}`)) return;
          shapes.push(shape as Exclude<ResultShape, { kind: 'unknown' }>);
        }
        const [first] = shapes;
        if (first!.kind === 'message') {
          checkAgentMessage(t, v, first!.message, 'event 1');
          t.verify('stream-pattern', shapes.length === 1, `a message-only stream MUST contain exactly one Message and then close; it had ${shapes.length} events`);
        } else {
          if (!t.verify('stream-pattern', first!.kind === 'task', `the first event is a ${first!.kind}; a task-lifecycle stream MUST begin with the Task`)) return;
          const task = checkTask(t, v, (first as { task: Record<string, unknown> }).task, 'event 1');
          let state = task.state;
          let finalAt: number | undefined = v.states.terminal.includes(state) ? 1 : undefined;
          shapes.slice(1).forEach((shape, index) => {
            const n = index + 2;
            if (finalAt !== undefined) t.verify('nothing-after-final', false, `event ${n} (${shape.kind}) came after event ${finalAt}, which ${v.id === '1.0' ? `put the task in ${state}, a terminal state` : 'had final: true'}`);
            t.verify('stream-pattern', shape.kind === 'status-update' || shape.kind === 'artifact-update', `event ${n} is a ${shape.kind}; after the Task only status and artifact updates may follow`);
            const event = (shape as { event?: Record<string, unknown> }).event ?? {};
            t.verify('stream-pattern', event['taskId'] === task.id, `event ${n}: taskId ${JSON.stringify(event['taskId'])}, the stream's task is ${task.id}`);
            if (v.id === '1.0' && (shape.kind === 'status-update' || shape.kind === 'artifact-update')) {
              const problem = updateProblem(shape.kind, event);
              t.verify('update-members', problem === undefined, `event ${n} (${shape.kind}) ${problem ?? ''}`);
            }
            if (shape.kind === 'status-update') {
              const next = isObject(event['status']) ? event['status']['state'] : undefined;
              t.verify('event-shape', typeof next === 'string' && v.states.all.includes(next), `event ${n}: status.state ${JSON.stringify(next)} is not an A2A ${v.id} task state`);
              if (typeof next === 'string') state = next;
              const final = v.id === '1.0' ? v.states.terminal.includes(state) : event['final'] === true;
              if (final && finalAt === undefined) finalAt = n;
            }
          });
          t.verify('stream-closes', v.states.terminal.includes(state) || v.states.interrupted.includes(state), `the stream ended with the task in ${state}; it MUST run until a terminal (or interrupted) state`);
        }
        t.verify('stream-closes', answer.streamEnd?.reason === 'closed', `the agent did not close the stream after its last event (${answer.streamEnd?.detail ?? answer.streamEnd?.reason})`);
      },
    }),
  ];
  if (v.id === '1.0') {
    const terminal: Refusal = {
      refused: { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.1.6 Subscribe to Task, Errors (UnsupportedOperationError on a task in a terminal state); §9.4.6', text: 'SubscribeToTask on a task in a terminal state is refused' },
      code: a2aCodeRule(v, 'code', 'UnsupportedOperationError', [-32004]),
      codes: [-32004],
    };
    tests.push(
      defineTest({
        name: 'subscribe-terminal-refused',
        description: 'SubscribeToTask on a task in a terminal state gets error -32004 (UnsupportedOperation)',
        spec: 'A2A v1.0 §3.1.6 Subscribe to Task errors: UnsupportedOperationError when the task is in a terminal state',
        rules: refusalRules(v, terminal, [], SEND_RULES),
        async run(t: TestContext) {
          const { rpcUrl, claims } = await agentCard(t, v);
          if (!claims.streaming) t.skip('the card does not claim streaming');
          const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
          if (!v.states.terminal.includes(created.state)) t.skip(`the task stopped in ${created.state}, not a terminal state`);
          const id = t.newId();
          const what = `SubscribeToTask on ${created.state} task ${created.id}`;
          const answer = await rpc(t, v, rpcUrl, v.methods.subscribe, { id: created.id }, { id });
          await blockIfRefusedOtherwise(t, v, rpcUrl, answer, terminal.codes, what);
          expectStreamError(t, v, answer, what, terminal, id);
        },
      }),
      ...streamingV1Tests(v),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.streaming`,
    mode: 'passive',
    description: `Streaming over SSE (A2A ${v.id}), when the card claims it`,
    tests,
  });
}
