/**
 * A2A v1.0 rules of sends that the requirement map found unchecked: a follow-up's context
 * (§3.4.3), the history a send may return (§3.2.2), the members of Parts, Artifacts and agent Messages (§4.1,
 * §5.7), timestamps (§5.6.1) and fresh task ids (§3.4.2).
 */
import { defineTest, type Rule, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';
import { resultOf, rpc, rpcError, shapeOf } from './client.js';
import { rulesOf, SEND_RULES, type Refusal } from './rules.js';
import { obtainTask, sendText, type SendOutcome } from './task-shape.js';

const PART_CONTENTS = ['text', 'raw', 'url', 'data'] as const;
/** ISO 8601 in UTC, 'Z' and nothing else (v1.0 §5.6.1). */
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function partProblems(parts: unknown, where: string): string[] {
  if (!Array.isArray(parts)) return [];
  return parts.flatMap((part, index) => {
    if (!isObject(part)) return [`${where} part ${index + 1} is not an object`];
    const held = PART_CONTENTS.filter((key) => key in part);
    return held.length === 1 ? [] : [`${where} part ${index + 1} holds ${held.length === 0 ? 'none' : held.join(' and ')} of text, raw, url, data: a Part MUST contain exactly one`];
  });
}

export function messageV1Tests(v: A2aVersion): TestDefinition[] {
  const historyAtMost: Rule = {
    id: 'at-most',
    level: 'MUST NOT',
    cite: 'A2A v1.0 §3.2.2 SendMessageConfiguration.historyLength ("The server MUST NOT return more messages than the provided value")',
    text: 'A send with configuration.historyLength N returns a Task with at most N history entries',
  };
  const members: Record<'part' | 'artifact' | 'timestamp' | 'context' | 'unique', Rule> = {
    part: { id: 'part-content', level: 'MUST', cite: 'A2A v1.0 §4.1.6 Part ("A Part MUST contain exactly one of the following: text, raw, url, data")', text: 'Every part of an artifact, a history message or a status message holds exactly one of text, raw, url, data' },
    artifact: { id: 'artifact-members', level: 'MUST', cite: 'A2A v1.0 §4.1.7 Artifact (artifactId, parts REQUIRED; "Must contain at least one part"); §5.7', text: 'Every artifact has an artifactId and at least one part' },
    timestamp: { id: 'timestamp', level: 'MUST', cite: 'A2A v1.0 §5.6.1 Timestamps (ISO 8601 strings in UTC; "MUST NOT include timezone offsets other than \'Z\'")', text: "A status timestamp is an ISO 8601 date-time in UTC, ending in 'Z'" },
    // A policy, not a MUST: the only text asking for it is a lower-case "must" in a field description
    // (not a BCP 14 keyword, RFC 8174), a2a.proto leaves Message.context_id optional, and §3.4.1 makes
    // generating a contextId for a message without one a MAY (context-id judges the MUST that follows).
    context: { id: 'message-context', level: 'policy', cite: 'agtest policy, after A2A v1.0 §4.1.4 Message ("For server messages, context_id must be provided", lower-case, not a BCP 14 keyword per RFC 8174); not a MUST here: a2a.proto Message.context_id is optional and §3.4.1 says "Agents MAY generate a new contextId when processing a Message that does not include a contextId field"', text: 'A Message the agent answers with carries a contextId' },
    unique: { id: 'unique-task-id', level: 'MUST', cite: 'A2A v1.0 §3.4.2 ("Agents MUST generate a unique taskId for each new task they create")', text: 'Two sends that start new tasks get two different task ids' },
  };
  const context: Record<'mismatch' | 'infer', Rule> = {
    mismatch: { id: 'mismatch-refused', level: 'MUST', cite: 'A2A v1.0 §3.4.3 Context Continuity ("Agents MUST reject messages containing mismatching contextId and taskId (i.e., the provided contextId is different from that of the referenced Task)"); no error code named', text: 'A message naming a running task with another contextId is refused (any error)' },
    infer: { id: 'context-inferred', level: 'MUST', cite: 'A2A v1.0 §3.4.3 Context Continuity ("Agents MUST infer contextId from the task if only taskId is provided")', text: "A follow-up naming only a task's id is answered in that task's context" },
  };
  const mismatch: Refusal = { refused: context.mismatch, codes: [] };
  return [
    defineTest({
      name: 'follow-up-context',
      description: 'To a task still running: a message with the taskId and another contextId is refused; one with the taskId only is answered in the task\'s context',
      spec: 'A2A v1.0 §3.4.3 Context Continuity: MUST infer contextId from the task if only taskId is provided; MUST reject mismatching contextId and taskId',
      rules: rulesOf(v, [context.mismatch, context.infer], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const running = await obtainTask(t, v, rpcUrl, v.blocking(false));
        if (v.states.terminal.includes(running.state)) t.skip(`task ${running.id} was ${running.state} already when the send returned: it takes no follow-up`);
        const other = `agtest-other-context-${t.newId()}`;
        await rpcError(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: a follow-up in the wrong context', { taskId: running.id, contextId: other }) }, `${v.methods.send} naming task ${running.id} (context ${running.contextId}) with contextId ${other}`, mismatch);
        const id = t.newId();
        // Non-blocking: the answer carries the context at once, however long the task then runs.
        const answer = await rpc(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: a follow-up naming only the task', { taskId: running.id }), configuration: v.blocking(false) }, { id });
        // An agent may refuse a follow-up (e.g. the task finished meanwhile): then there is no context to judge.
        if (!answer.response || 'error' in answer.response) return;
        const shape = shapeOf(t, v, resultOf(t, v, answer, `${v.methods.send} naming only task ${running.id}`, id), `${v.methods.send} result`);
        const contextId = shape.kind === 'task' ? shape.task['contextId'] : shape.kind === 'message' ? shape.message['contextId'] : undefined;
        t.verify('context-inferred', contextId === running.contextId, `a follow-up naming only task ${running.id} was answered in context ${JSON.stringify(contextId)}; the task's context is ${running.contextId}`);
      },
    }),
    defineTest({
      name: 'send-history-length',
      description: 'A send with configuration.historyLength 0 returns a Task without history entries, with 1 at most one',
      spec: 'A2A v1.0 §3.2.2 SendMessageConfiguration.historyLength: the server MUST NOT return more messages than the provided value',
      rules: rulesOf(v, [historyAtMost], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        for (const historyLength of [0, 1]) {
          const outcome = await sendText(t, v, rpcUrl, `agtest: history ${historyLength}`, { configuration: { ...v.blocking(true), historyLength } });
          if (outcome.kind === 'message') t.skip('the agent answered with a Message, which has no history');
          const history = outcome.task['history'];
          const count = Array.isArray(history) ? history.length : 0;
          t.verify('at-most', count <= historyLength, `${v.methods.send} with historyLength ${historyLength} returned task ${outcome.id} with ${count} history entries`);
        }
      },
    }),
    defineTest({
      name: 'object-members',
      description: 'What a send returns has the members v1.0 requires: one content per Part, an artifactId and parts per Artifact, UTC timestamps, a contextId on a Message, a fresh id per new task',
      spec: 'A2A v1.0 §4.1.4 Message, §4.1.6 Part, §4.1.7 Artifact, §5.6.1 Timestamps, §5.7 (REQUIRED fields), §3.4.2 (unique task ids)',
      rules: rulesOf(v, Object.values(members), SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const outcomes: SendOutcome[] = [];
        // The same text twice: a new task each time all the same, each with its own id.
        for (let n = 0; n < 2; n += 1) outcomes.push(await sendText(t, v, rpcUrl, 'agtest: members probe', { configuration: v.blocking(true) }));
        for (const [index, outcome] of outcomes.entries()) {
          const what = `send ${index + 1}`;
          if (outcome.kind === 'message') {
            const message = outcome.message;
            t.verify('message-context', typeof message['contextId'] === 'string' && message['contextId'] !== '', `${what}: the agent's Message has no contextId`);
            for (const problem of partProblems(message['parts'], `${what}: the Message`)) t.verify('part-content', false, problem);
            continue;
          }
          const task = outcome.task;
          const status = isObject(task['status']) ? task['status'] : {};
          const stamp = status['timestamp'];
          if (stamp !== undefined) t.verify('timestamp', typeof stamp === 'string' && UTC_TIMESTAMP.test(stamp) && !Number.isNaN(Date.parse(stamp)), `${what}: task ${outcome.id} has status.timestamp ${JSON.stringify(stamp)}, not an ISO 8601 UTC time ending in Z`);
          if (isObject(status['message'])) for (const problem of partProblems(status['message']['parts'], `${what}: the status message`)) t.verify('part-content', false, problem);
          const artifacts = Array.isArray(task['artifacts']) ? task['artifacts'] : [];
          artifacts.forEach((artifact, n) => {
            const where = `${what}: artifact ${n + 1} of task ${outcome.id}`;
            if (!t.verify('artifact-members', isObject(artifact), `${where} is not an object`) || !isObject(artifact)) return;
            t.verify('artifact-members', typeof artifact['artifactId'] === 'string' && artifact['artifactId'] !== '', `${where} has no artifactId`);
            t.verify('artifact-members', Array.isArray(artifact['parts']) && artifact['parts'].length > 0, `${where} has no parts`);
            for (const problem of partProblems(artifact['parts'], where)) t.verify('part-content', false, problem);
          });
          const history = Array.isArray(task['history']) ? task['history'] : [];
          history.forEach((entry, n) => {
            if (isObject(entry)) for (const problem of partProblems(entry['parts'], `${what}: history message ${n + 1}`)) t.verify('part-content', false, problem);
          });
        }
        const [first, second] = outcomes;
        if (first?.kind === 'task' && second?.kind === 'task') t.verify('unique-task-id', first.id !== second.id, `two sends of the same text without a taskId both returned task ${first.id}; each new task needs its own id`);
      },
    }),
  ];
}
