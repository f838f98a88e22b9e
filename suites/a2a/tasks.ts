import { defineSuite, defineTest, type Suite, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { resultOf, rpc, rpcError } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { checkTask, getTask, obtainTask } from './task-shape.js';
import { isObject } from './is-object.js';

export function tasksSuite(v: A2aVersion): Suite {
  const tests: TestDefinition[] = [
    defineTest({
      name: 'get-unknown',
      description: `${v.methods.get} of an id that was never issued gets error -32001 (TaskNotFound)`,
      spec: `${v.cite} ${v.sec.get} errors: TaskNotFoundError (-32001)`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, v.methods.get, { id: `agtest-unknown-${t.newId()}` }, `${v.methods.get} of an unknown id`, -32001);
      },
    }),
    defineTest({
      name: 'cancel-unknown',
      description: `${v.methods.cancel} of an id that was never issued gets error -32001 (TaskNotFound)`,
      spec: `${v.cite} ${v.sec.cancel} errors: TaskNotFoundError (-32001)`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        await rpcError(t, v, rpcUrl, v.methods.cancel, { id: `agtest-unknown-${t.newId()}` }, `${v.methods.cancel} of an unknown id`, -32001);
      },
    }),
    defineTest({
      name: 'get',
      description: `${v.methods.get} returns the task a send created, in the same context and state, and a terminal state does not change`,
      spec: `${v.cite} ${v.sec.get}; Task lifecycle: terminal states (completed, failed, canceled, rejected) are final`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        const got = await getTask(t, v, rpcUrl, created.id);
        t.check(got.contextId === created.contextId, `task ${created.id} was created in context ${created.contextId}; ${v.methods.get} says ${got.contextId}`);
        if (v.states.terminal.includes(created.state)) t.check(got.state === created.state, `task ${created.id} was ${created.state} (terminal) and is now ${got.state}: a terminal state is final`);
      },
    }),
    defineTest({
      name: 'history-length',
      description: 'historyLength 0 returns no history; historyLength 1 at most one message',
      spec: `${v.cite} ${v.sec.history}: 0 → no history (the field SHOULD be omitted); > 0 → at most that many recent messages`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        const none = await getTask(t, v, rpcUrl, created.id, { historyLength: 0 });
        const history0 = none.task['history'];
        t.check(history0 === undefined || (Array.isArray(history0) && history0.length === 0), `historyLength 0 returned ${Array.isArray(history0) ? history0.length : JSON.stringify(history0)} history entries`);
        if (history0 !== undefined) t.warn('historyLength 0: the history field SHOULD be omitted, it is present (empty)');
        const one = await getTask(t, v, rpcUrl, created.id, { historyLength: 1 });
        const history1 = one.task['history'];
        t.check(history1 === undefined || (Array.isArray(history1) && history1.length <= 1), `historyLength 1 returned ${Array.isArray(history1) ? history1.length : JSON.stringify(history1)} history entries`);
      },
    }),
    defineTest({
      name: 'cancel',
      description: `${v.methods.cancel} of a task still running returns it canceled, and it stays canceled; a task that finished first is refused with -32002`,
      spec: `${v.cite} ${v.sec.cancel}: the operation attempts to cancel and returns the updated task; TaskNotCancelableError when it is no longer cancelable; canceled is a terminal state`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(false));
        const id = t.newId();
        const answer = await rpc(t, v, rpcUrl, v.methods.cancel, { id: created.id }, { id });
        const error = answer.response?.['error'];
        if (isObject(error) && error['code'] === -32002) {
          const now = await getTask(t, v, rpcUrl, created.id);
          t.check(v.states.terminal.includes(now.state), `${v.methods.cancel} answered -32002 (not cancelable), but task ${created.id} is ${now.state}, not in a terminal state`);
          return;
        }
        const result = resultOf(t, answer, `${v.methods.cancel} of ${created.state} task ${created.id}`, id);
        t.check(isObject(result), `${v.methods.cancel}: the result is not a Task`);
        const canceled = v.states.terminal.find((state) => /cancel/i.test(state))!;
        const returned = checkTask(t, v, result, `${v.methods.cancel} result`);
        t.check(returned.state === canceled, `${v.methods.cancel} accepted the cancel of task ${created.id} but returned it ${returned.state}, not ${canceled}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        const later = await getTask(t, v, rpcUrl, created.id);
        t.check(later.state === canceled, `task ${created.id} was canceled and is now ${later.state}: a terminal state is final`);
      },
    }),
    defineTest({
      name: 'not-cancelable',
      description: `${v.methods.cancel} of a task in a terminal state gets error -32002 (TaskNotCancelable)`,
      spec: `${v.cite} ${v.sec.cancel} errors: TaskNotCancelableError (-32002) when the task is not in a cancelable state`,
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        if (!v.states.terminal.includes(created.state)) t.skip(`the task stopped in ${created.state}, not a terminal state`);
        await rpcError(t, v, rpcUrl, v.methods.cancel, { id: created.id }, `${v.methods.cancel} of ${created.state} task ${created.id}`, -32002);
      },
    }),
  ];
  if (v.methods.list) {
    const list = v.methods.list;
    tests.push(
      defineTest({
        name: 'list',
        description: `${list} returns tasks (the one just created among them) and a nextPageToken`,
        spec: 'A2A v1.0 §3.1.4 List Tasks: nextPageToken MUST always be present ("" on the last page); tasks sorted by last update, newest first',
        async run(t: TestContext) {
          const { rpcUrl } = await agentCard(t, v);
          const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
          const id = t.newId();
          const result = resultOf(t, await rpc(t, v, rpcUrl, list, { contextId: created.contextId }, { id }), list, id);
          t.check(isObject(result) && Array.isArray(result['tasks']), `${list}: the result has no tasks array`);
          t.check(typeof result['nextPageToken'] === 'string', `${list}: nextPageToken is ${JSON.stringify(result['nextPageToken'])}; it MUST always be present ("" on the last page)`);
          const ids = (result['tasks'] as unknown[]).map((task) => (isObject(task) ? task['id'] : undefined));
          t.check(ids.includes(created.id), `${list} in context ${created.contextId} does not list task ${created.id} (listed: ${ids.join(', ') || 'none'})`);
        },
      }),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.tasks`,
    mode: 'passive',
    description: `Tasks (A2A ${v.id}): get, cancel, unknown ids, terminal states, history length${v.methods.list ? ', list' : ''}`,
    tests,
  });
}
