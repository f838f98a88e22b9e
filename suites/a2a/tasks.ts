import { defineSuite, defineTest, type Rule, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { resultOf, rpc, rpcError } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { a2aCodeRule, commonRule, insist, refusalRules, rulesOf, SEND_RULES, type Refusal } from './rules.js';
import { checkTask, getTask, obtainTask } from './task-shape.js';
import { isObject } from './is-object.js';
import { listTaskTests } from './list-tasks.js';

/** Terminal states are final: v1.0 refuses messages to them (§3.1.1), v0.3 says they can't be restarted (§7.1). */
const terminalFinal = (v: A2aVersion): Rule => ({
  id: 'terminal-final',
  level: 'MUST',
  cite: v.id === '1.0' ? 'A2A v1.0 §3.1.1 (tasks in a terminal state cannot accept further messages), §4.1.3 TaskState (terminal states)' : 'A2A v0.3 §7.1 ("A task which has reached a terminal state ... can\'t be restarted"), §6.3 TaskState',
  text: 'A task in a terminal state stays in it',
});

export function tasksSuite(v: A2aVersion): Suite {
  const notFound = (operation: string, section: string): Refusal => ({
    refused: {
      id: 'refused',
      level: 'MUST',
      cite: v.id === '1.0' ? `A2A v1.0 ${section} (Errors: TaskNotFoundError); §3.3.2 Resource Errors ("Servers MUST return a not found error")` : `A2A v0.3 ${section} (its result is a Task, which an unknown id has none of); §8.2 TaskNotFoundError`,
      text: `${operation} of a task id that was never issued is refused`,
    },
    code: a2aCodeRule(v, 'code', 'TaskNotFoundError', [-32001]),
    codes: [-32001],
  });
  const getUnknown = notFound(v.methods.get, v.sec.get);
  const cancelUnknown = notFound(v.methods.cancel, v.sec.cancel);
  const notCancelable: Refusal = {
    refused:
      v.id === '1.0'
        ? { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.1.5 Cancel Task, Errors (TaskNotCancelableError: already completed, failed or canceled); §3.3.2', text: 'A cancel of a task in a terminal state is refused' }
        : { id: 'refused', level: 'SHOULD', cite: 'A2A v0.3 §7.4 tasks/cancel (success is not guaranteed); §8.2 TaskNotCancelableError ("Servers SHOULD use these codes")', text: 'A cancel of a task in a terminal state is refused' },
    code: a2aCodeRule(v, 'code', 'TaskNotCancelableError', [-32002]),
    codes: [-32002],
  };
  const sameContext: Rule = {
    id: 'same-task',
    level: 'MUST',
    cite: v.id === '1.0' ? 'A2A v1.0 §3.1.3 Get Task (the current state of a previously initiated task); §3.4.1 (a contextId groups the task)' : 'A2A v0.3 §7.3 tasks/get (the current state of a previously initiated task)',
    text: `${v.methods.get} returns the task a send created, in the context it was created in`,
  };
  const tests: TestDefinition[] = [
    defineTest({
      name: 'get-unknown',
      description: `${v.methods.get} of an id that was never issued gets error -32001 (TaskNotFound)`,
      spec: `${v.cite} ${v.sec.get} errors: TaskNotFoundError (-32001)`,
      rules: refusalRules(v, getUnknown),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, v.methods.get, { id: `agtest-unknown-${t.newId()}` }, `${v.methods.get} of an unknown id`, getUnknown);
      },
    }),
    defineTest({
      name: 'cancel-unknown',
      description: `${v.methods.cancel} of an id that was never issued gets error -32001 (TaskNotFound)`,
      spec: `${v.cite} ${v.sec.cancel} errors: TaskNotFoundError (-32001)`,
      rules: refusalRules(v, cancelUnknown),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, v.methods.cancel, { id: `agtest-unknown-${t.newId()}` }, `${v.methods.cancel} of an unknown id`, cancelUnknown);
      },
    }),
    defineTest({
      name: 'get',
      description: `${v.methods.get} returns the task a send created, in the same context and state, and a terminal state does not change`,
      spec: `${v.cite} ${v.sec.get}; Task lifecycle: terminal states (completed, failed, canceled, rejected) are final`,
      rules: rulesOf(v, [sameContext, terminalFinal(v)], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        const got = await getTask(t, v, rpcUrl, created.id);
        t.verify('same-task', got.contextId === created.contextId, `task ${created.id} was created in context ${created.contextId}; ${v.methods.get} says ${got.contextId}`);
        if (v.states.terminal.includes(created.state)) t.verify('terminal-final', got.state === created.state, `task ${created.id} was ${created.state} (terminal) and is now ${got.state}: a terminal state is final`);
      },
    }),
    defineTest({
      name: 'history-length',
      description: 'historyLength 0 returns no history; historyLength 1 at most one message',
      spec: `${v.cite} ${v.sec.history}`,
      rules: rulesOf(
        v,
        [
          {
            id: 'at-most',
            level: 'MUST',
            cite: v.id === '1.0' ? 'A2A v1.0 §3.2.4 History Length Semantics (0: no history; > 0: "at most this many recent messages")' : 'A2A v0.3 §7.3.1 TaskQueryParams.historyLength (the number of recent messages to be retrieved)',
            text: 'historyLength N returns at most N history entries (none for 0)',
          },
          ...(v.id === '1.0' ? [{ id: 'omitted', level: 'SHOULD' as const, cite: 'A2A v1.0 §3.2.4 ("0: ... the history field SHOULD be omitted")', text: 'historyLength 0 omits the history field' }] : []),
        ],
        SEND_RULES,
      ),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        const none = await getTask(t, v, rpcUrl, created.id, { historyLength: 0 });
        const history0 = none.task['history'];
        t.verify('at-most', history0 === undefined || (Array.isArray(history0) && history0.length === 0), `historyLength 0 returned ${Array.isArray(history0) ? history0.length : JSON.stringify(history0)} history entries`);
        // The SHOULD is about an empty history field; history entries at all are the MUST above.
        if (v.id === '1.0' && !(Array.isArray(history0) && history0.length > 0)) t.verify('omitted', history0 === undefined, 'historyLength 0: the history field is present (empty); it should be omitted');
        const one = await getTask(t, v, rpcUrl, created.id, { historyLength: 1 });
        const history1 = one.task['history'];
        t.verify('at-most', history1 === undefined || (Array.isArray(history1) && history1.length <= 1), `historyLength 1 returned ${Array.isArray(history1) ? history1.length : JSON.stringify(history1)} history entries`);
      },
    }),
    defineTest({
      name: 'cancel',
      description: `${v.methods.cancel} of a task still running returns it canceled, and it stays canceled; a task that finished first is refused with -32002`,
      spec: `${v.cite} ${v.sec.cancel}: the operation attempts to cancel and returns the updated task; TaskNotCancelableError when it is no longer cancelable; canceled is a terminal state`,
      rules: rulesOf(
        v,
        [
          { id: 'canceled', level: 'MUST', cite: v.id === '1.0' ? 'A2A v1.0 §3.1.5 Cancel Task (returns the updated task with cancellation status)' : 'A2A v0.3 §7.4 tasks/cancel (result: the Task)', text: 'An accepted cancel returns the task canceled' },
          terminalFinal(v),
        ],
        SEND_RULES,
      ),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(false));
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.cancel, { id: created.id }, { id });
        const error = answer.response?.['error'];
        if (isObject(error) && error['code'] === -32002) {
          const now = await getTask(t, v, rpcUrl, created.id);
          t.verify('terminal-final', v.states.terminal.includes(now.state), `${v.methods.cancel} answered -32002 (not cancelable), but task ${created.id} is ${now.state}, not in a terminal state`);
          return;
        }
        const result = resultOf(t, v, answer, `${v.methods.cancel} of ${created.state} task ${created.id}`, id);
        insist(t, commonRule(v, 'task.members'), isObject(result), `${v.methods.cancel}: the result is not a Task`);
        const canceled = v.states.terminal.find((state) => /cancel/i.test(state))!;
        const returned = checkTask(t, v, result, `${v.methods.cancel} result`);
        t.verify('canceled', returned.state === canceled, `${v.methods.cancel} accepted the cancel of task ${created.id} but returned it ${returned.state}, not ${canceled}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        const later = await getTask(t, v, rpcUrl, created.id);
        if (returned.state === canceled) t.verify('terminal-final', later.state === canceled, `task ${created.id} was canceled and is now ${later.state}: a terminal state is final`);
      },
    }),
    defineTest({
      name: 'not-cancelable',
      description: `${v.methods.cancel} of a task in a terminal state gets error -32002 (TaskNotCancelable)`,
      spec: `${v.cite} ${v.sec.cancel} errors: TaskNotCancelableError (-32002) when the task is not in a cancelable state`,
      rules: refusalRules(v, notCancelable, [terminalFinal(v)], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        if (!v.states.terminal.includes(created.state)) t.skip(`the task stopped in ${created.state}, not a terminal state`);
        const what = `${v.methods.cancel} of ${created.state} task ${created.id}`;
        const error = await rpcError(t, v, rpcUrl, v.methods.cancel, { id: created.id }, what, notCancelable);
        if (error) return;
        // Served (a SHOULD-level deviation in v0.3): the task must still be what it was.
        const now = await getTask(t, v, rpcUrl, created.id);
        t.verify('terminal-final', now.state === created.state, `${what} was answered with a result, and the task is now ${now.state}: a terminal state is final`);
      },
    }),
  ];
  if (v.methods.list) {
    const list = v.methods.list;
    tests.push(
      defineTest({
        name: 'list',
        description: `${list} returns tasks (the one just created among them) and a nextPageToken`,
        spec: 'A2A v1.0 §3.1.4 List Tasks: nextPageToken MUST always be present ("" on the last page)',
        rules: rulesOf(
          v,
          [
            { id: 'tasks', level: 'MUST', cite: 'A2A v1.0 §3.1.4 List Tasks (ListTasksResponse.tasks)', text: 'The result has a tasks array listing the task just created in that context' },
            { id: 'page-token', level: 'MUST', cite: 'A2A v1.0 §3.1.4 ("The nextPageToken field MUST always be present in the response")', text: 'The result has a nextPageToken string' },
          ],
          SEND_RULES,
        ),
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
          const id = t.newId();
          const answer = await rpc(t, v, rpcUrl, list, { contextId: created.contextId }, { id });
          const result = resultOf(t, v, answer, list, id);
          t.verify('page-token', isObject(result) && typeof result['nextPageToken'] === 'string', `${list}: nextPageToken is ${JSON.stringify(isObject(result) ? result['nextPageToken'] : undefined)}; it MUST always be present ("" on the last page)`);
          if (!t.verify('tasks', isObject(result) && Array.isArray(result['tasks']), `${list}: the result has no tasks array`)) return;
          const ids = ((result as Record<string, unknown>)['tasks'] as unknown[]).map((task) => (isObject(task) ? task['id'] : undefined));
          t.verify('tasks', ids.includes(created.id), `${list} in context ${created.contextId} does not list task ${created.id} (listed: ${ids.join(', ') || 'none'})`);
        },
      }),
      ...listTaskTests(v),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.tasks`,
    mode: 'passive',
    description: `Tasks (A2A ${v.id}): get, cancel, unknown ids, terminal states, history length${v.methods.list ? ', list (pagination, filters, order, artifacts, invalid parameters)' : ''}`,
    tests,
  });
}
