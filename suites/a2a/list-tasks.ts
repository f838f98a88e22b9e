/**
 * ListTasks (A2A v1.0 §3.1.4; it has no v0.3 counterpart): pagination, default page size,
 * filters, order, history length, artifacts, invalid parameters. Each test makes its own tasks in
 * a context of its own, so other tasks on the agent do not change what it sees.
 */
import { defineTest, type Rule, type TestContext, type TestDefinition } from '../define.js';
import { agentCard } from './agent-card.js';
import { clip, expectError, resultOf, rpc } from './client.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';
import { insist, refusalRules, rulesOf, SEND_RULES, type Refusal } from './rules.js';
import { sendText, settledTask, stateOf } from './task-shape.js';

const PROTO = 'A2A v1.0 §1.4 (a2a.proto is the normative definition), a2a.proto ListTasksRequest';

const RULES = {
  shape: { id: 'list.shape', level: 'MUST', cite: 'A2A v1.0 §3.1.4 (outputs ListTasksResponse); a2a.proto ListTasksResponse.tasks (REQUIRED); §5.7 (REQUIRED fields MUST be present)', text: 'The result is a ListTasksResponse with a tasks array of Task objects (nextPageToken: the list test)' },
  pageSize: { id: 'page-size', level: 'MUST', cite: `${PROTO}.page_size ("The maximum number of tasks to return")`, text: 'A page holds at most pageSize tasks' },
  cursor: { id: 'cursor', level: 'MUST', cite: 'A2A v1.0 §3.1.4 ("MUST use cursor-based pagination"; nextPageToken "MUST be set to an empty string" on the final page only); a2a.proto ListTasksRequest.page_token', text: 'nextPageToken is non-empty while tasks remain, and walking it lists every task once' },
  totalSize: { id: 'total-size', level: 'MUST', cite: 'a2a.proto ListTasksResponse.total_size (REQUIRED: "Total number of tasks available (before pagination)"); A2A v1.0 §5.7', text: 'totalSize counts every matching task, not the page' },
  defaultSize: { id: 'default-page-size', level: 'MUST', cite: `${PROTO}.page_size ("If unspecified, at most 50 tasks will be returned")`, text: 'Without pageSize a page holds at most 50 tasks' },
  filter: { id: 'filter', level: 'MUST', cite: `${PROTO}.context_id, .status ("Filter tasks by their current status state"), .status_timestamp_after ("Only tasks with a status timestamp time greater than or equal to this value will be returned")`, text: 'contextId, status and statusTimestampAfter each restrict the list to the tasks that match' },
  order: { id: 'order', level: 'MUST', cite: 'A2A v1.0 §3.1.4 ("Tasks MUST be sorted by last update time in descending order")', text: 'Tasks are listed most recently updated first' },
  history: { id: 'at-most', level: 'MUST', cite: `${PROTO}.history_length ("The maximum number of messages to include in each task's history"); §3.2.4 ("at most this many recent messages")`, text: 'historyLength N lists at most N history entries per task (none for 0)' },
  omitted: { id: 'artifacts-omitted', level: 'MUST', cite: 'A2A v1.0 §3.1.4 ("When includeArtifacts is false (the default), the artifacts field MUST be omitted entirely from each Task object")', text: 'Without includeArtifacts (or with false) no listed task has an artifacts field' },
  included: { id: 'artifacts-included', level: 'SHOULD', cite: 'A2A v1.0 §3.1.4 ("When includeArtifacts is true, the artifacts field should be included with its actual content"; lower-case should); a2a.proto ListTasksRequest.include_artifacts', text: 'With includeArtifacts true a task that has artifacts is listed with them' },
} satisfies Record<string, Rule>;

const INVALID: Refusal = {
  refused: {
    id: 'refused',
    level: 'MUST',
    cite: 'A2A v1.0 §3.3.2 Validation Errors ("Servers MUST validate all input parameters before processing"; JSON-RPC -32602); §6.5 Validation Error Example (pageSize 150, historyLength -5 and an unknown status refused); a2a.proto ListTasksRequest (page_size minimum 1, maximum 100; status a TaskState; status_timestamp_after a Timestamp; page_token from a previous ListTasks)',
    text: 'ListTasks with an invalid parameter is refused',
  },
  code: { id: 'code', level: 'MUST', cite: 'JSON-RPC 2.0 §5.1 (-32602 Invalid params); A2A v1.0 §9.5 (InvalidParamsError -32602)', text: 'The error code is -32602 (Invalid params)' },
  codes: [-32602],
};

interface Page {
  tasks: Record<string, unknown>[];
  ids: unknown[];
  next: unknown;
  totalSize: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const timestampOf = (task: Record<string, unknown>) => (isObject(task['status']) && typeof task['status']['timestamp'] === 'string' ? Date.parse(task['status']['timestamp']) : Number.NaN);

async function listPage(t: TestContext, v: A2aVersion, url: string, params: Record<string, unknown>, what: string): Promise<Page> {
  const id = t.newId();
  const result = resultOf(t, v, await rpc(t, v, url, v.methods.list!, params, { id }), what, id);
  insist(t, RULES.shape, isObject(result) && Array.isArray(result['tasks']) && result['tasks'].every(isObject), `${what}: the result has no tasks array of Task objects: ${clip(JSON.stringify(result) ?? '', 160)}`);
  const tasks = result['tasks'] as Record<string, unknown>[];
  return { tasks, ids: tasks.map((task) => task['id']), next: result['nextPageToken'], totalSize: result['totalSize'] };
}

/**
 * Every page of a listing, walking nextPageToken (an agent may return fewer tasks than asked:
 * a2a.proto ListTasksRequest.page_size), at most `maxPages` of them.
 */
async function listAll(t: TestContext, v: A2aVersion, url: string, params: Record<string, unknown>, what: string, maxPages = 10): Promise<Page> {
  const first = await listPage(t, v, url, params, what);
  const tasks = [...first.tasks];
  let next = first.next;
  for (let page = 2; typeof next === 'string' && next !== '' && page <= maxPages; page++) {
    const more = await listPage(t, v, url, { ...params, pageToken: next }, `${what}, page ${page}`);
    tasks.push(...more.tasks);
    next = more.next;
  }
  return { tasks, ids: tasks.map((task) => task['id']), next, totalSize: first.totalSize };
}

/** `count` tasks in one context (the agent's for the first, given back for the others). */
async function tasksInContext(t: TestContext, v: A2aVersion, url: string, count: number, options: { wait?: boolean; pauseMs?: number } = {}) {
  const ids: string[] = [];
  const states: string[] = [];
  let contextId: string | undefined;
  for (let i = 1; i <= count; i++) {
    const outcome = await sendText(t, v, url, `agtest: list ${i} of ${count}`, { configuration: v.blocking(options.wait ?? true), ...(contextId ? { message: { contextId } } : {}) });
    if (outcome.kind !== 'task') t.skip(`the agent answered ${v.methods.send} with a Message, not a Task (allowed by ${v.cite} ${v.sec.send}), so there is no task to list`);
    if (contextId !== undefined && outcome.contextId !== contextId) t.block(`a task sent with contextId ${contextId} was put in context ${outcome.contextId}`, `${v.prefix}.message.passive.context-id`);
    contextId ??= outcome.contextId;
    ids.push(outcome.id);
    states.push(outcome.state);
    if (options.pauseMs) await sleep(options.pauseMs);
  }
  // A task still changing moves in a last-updated-first listing while it is walked: when a blocking send came
  // back early (message.blocking judges that), wait for the tasks to settle first. `states` stays as the sends
  // answered: list-order infers the update order from it only when each task was settled before the next was sent.
  if (options.wait ?? true) {
    for (const [n, taskId] of ids.entries()) {
      if (!v.states.terminal.includes(states[n]!) && !v.states.interrupted.includes(states[n]!)) await settledTask(t, v, url, taskId);
    }
  }
  return { contextId: contextId!, ids, states };
}

/**
 * A page that leaves tasks behind without nextPageToken: when the final page (the one the list
 * test reads) lacks it too, the list test carries the fault ("MUST always be present") and this
 * test is blocked; otherwise the token is missing only while tasks remain, and the caller judges.
 */
async function blockIfNeverPresent(t: TestContext, v: A2aVersion, url: string, contextId: string, what: string): Promise<void> {
  const last = await listPage(t, v, url, { contextId, pageSize: 100 }, `${v.methods.list!} of context ${contextId} with pageSize 100`);
  if (typeof last.next !== 'string') t.block(`${what}, nor has the listing of the whole context: nextPageToken is never present (the list test judges that)`, `${v.prefix}.tasks.passive.list`);
}

export function listTaskTests(v: A2aVersion): TestDefinition[] {
  const list = v.methods.list!;
  return [
    defineTest({
      name: 'list-pagination',
      description: `${list} with pageSize 1 returns one task and a nextPageToken that walks the rest (none twice, none missing); totalSize counts them all`,
      spec: 'A2A v1.0 §3.1.4 List Tasks (cursor-based pagination, nextPageToken); a2a.proto ListTasksRequest.page_size, page_token; ListTasksResponse.total_size',
      rules: rulesOf(v, [RULES.pageSize, RULES.cursor, RULES.totalSize, RULES.shape], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const { contextId, ids } = await tasksInContext(t, v, rpcUrl, 3);
        const first = await listPage(t, v, rpcUrl, { contextId, pageSize: 1 }, `${list} of context ${contextId} with pageSize 1`);
        // Tasks remain after the first page unless it listed them all (pageSize ignored: the page-size failure alone).
        const remain = ids.filter((id) => !first.ids.includes(id)).length;
        if (remain > 0 && typeof first.next !== 'string') await blockIfNeverPresent(t, v, rpcUrl, contextId, `${list} with pageSize 1 of ${ids.length} tasks has no nextPageToken`);
        t.verify('page-size', first.tasks.length <= 1, `${list} with pageSize 1 returned ${first.tasks.length} tasks`);
        t.verify('total-size', first.totalSize === ids.length, `${list} of a context holding ${ids.length} tasks says totalSize ${JSON.stringify(first.totalSize)}`);
        if (remain === 0) return;
        if (!t.verify('cursor', typeof first.next === 'string' && first.next !== '', `${list} with pageSize 1 of ${ids.length} tasks: nextPageToken is ${JSON.stringify(first.next)} though ${remain} remain; it must lead to the rest`)) return;
        const seen = [...first.ids];
        let token = first.next;
        let page = 2;
        for (; typeof token === 'string' && token !== '' && page <= ids.length + 2; page++) {
          const next = await listPage(t, v, rpcUrl, { contextId, pageSize: 1, pageToken: token }, `${list} page ${page} (pageSize 1)`);
          t.verify('page-size', next.tasks.length <= 1, `${list} page ${page} with pageSize 1 returned ${next.tasks.length} tasks`);
          seen.push(...next.ids);
          token = next.next;
        }
        // An empty last page after a full one is allowed (a2a.proto page_size: "The service may return fewer than this value").
        if (typeof token !== 'string') await blockIfNeverPresent(t, v, rpcUrl, contextId, `${list} page ${page - 1} (pageSize 1) has no nextPageToken`);
        t.verify('cursor', typeof token === 'string', `${list} page ${page - 1} (pageSize 1) has no nextPageToken; it MUST always be present ("" on the final page)`);
        t.verify('cursor', typeof token !== 'string' || token === '', `after ${ids.length + 2} pages of one task the nextPageToken is still ${JSON.stringify(token)}: it never ends`);
        const twice = seen.filter((id, index) => seen.indexOf(id) !== index);
        t.verify('cursor', twice.length === 0, `walking nextPageToken listed ${JSON.stringify(twice)} more than once (pages: ${JSON.stringify(seen)})`);
        const missing = ids.filter((id) => !seen.includes(id));
        t.verify('cursor', missing.length === 0, `walking nextPageToken never listed ${missing.join(', ')} (pages: ${JSON.stringify(seen)})`);
      },
    }),
    defineTest({
      name: 'list-default-page-size',
      description: `${list} without pageSize returns at most 50 tasks (of 51 in a context) and a nextPageToken`,
      spec: 'a2a.proto ListTasksRequest.page_size ("If unspecified, at most 50 tasks will be returned"); A2A v1.0 §3.1.4 nextPageToken',
      rules: rulesOf(v, [RULES.defaultSize, RULES.cursor, RULES.shape], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const { contextId, ids } = await tasksInContext(t, v, rpcUrl, 51, { wait: false });
        // A default page size means something only for an agent that pages: paging itself is list-pagination's to judge.
        const probe = await listPage(t, v, rpcUrl, { contextId, pageSize: 1 }, `${list} of context ${contextId} (${ids.length} tasks) with pageSize 1`);
        const pagination = `${v.prefix}.tasks.passive.list-pagination`;
        if (probe.tasks.length > 1) t.block(`${list} with pageSize 1 returned ${probe.tasks.length} tasks: it does not page (list-pagination judges that)`, pagination);
        if (typeof probe.next !== 'string') {
          await blockIfNeverPresent(t, v, rpcUrl, contextId, `${list} with pageSize 1 of ${ids.length} tasks has no nextPageToken`);
          t.block(`${list} with pageSize 1 of ${ids.length} tasks has no nextPageToken (list-pagination judges that)`, pagination);
        }
        if (probe.next === '') t.block(`${list} with pageSize 1 of ${ids.length} tasks returned nextPageToken "" (list-pagination judges that)`, pagination);
        const page = await listPage(t, v, rpcUrl, { contextId }, `${list} of context ${contextId} (${ids.length} tasks) without pageSize`);
        t.verify('default-page-size', page.tasks.length <= 50, `${list} without pageSize returned ${page.tasks.length} tasks; at most 50`);
        if (page.tasks.length < ids.length) t.verify('cursor', typeof page.next === 'string' && page.next !== '', `${list} returned ${page.tasks.length} of ${ids.length} tasks with nextPageToken ${JSON.stringify(page.next)}; it must lead to the rest`);
      },
    }),
    defineTest({
      name: 'list-filters',
      description: `${list} filters by contextId, by status and by statusTimestampAfter`,
      spec: 'a2a.proto ListTasksRequest.context_id, status, status_timestamp_after; A2A v1.0 §3.1.4',
      rules: rulesOf(v, [RULES.filter, RULES.shape], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const { contextId, ids } = await tasksInContext(t, v, rpcUrl, 2, { pauseMs: 25 });
        const all = await listAll(t, v, rpcUrl, { contextId }, `${list} of context ${contextId}`);
        const strays = all.tasks.filter((task) => task['contextId'] !== contextId).map((task) => `${String(task['id'])} (context ${String(task['contextId'])})`);
        t.verify('filter', strays.length === 0, `${list} with contextId ${contextId} listed tasks of other contexts: ${strays.join(', ')}`);
        const missing = ids.filter((id) => !all.ids.includes(id));
        t.verify('filter', missing.length === 0, `${list} with contextId ${contextId} does not list ${missing.join(', ')}`);
        const listed = all.tasks.filter((task) => ids.includes(String(task['id'])));
        const held = new Set(listed.map((task) => String(stateOf(task))));
        const state = [...held][0];
        if (state !== undefined) {
          const matching = await listAll(t, v, rpcUrl, { contextId, status: state }, `${list} of context ${contextId} with status ${state}`);
          const wrong = matching.tasks.filter((task) => stateOf(task) !== state).map((task) => `${String(task['id'])} (${String(stateOf(task))})`);
          t.verify('filter', wrong.length === 0, `${list} with status ${state} listed tasks in other states: ${wrong.join(', ')}`);
          const absent = listed.filter((task) => stateOf(task) === state && !matching.ids.includes(task['id'])).map((task) => String(task['id']));
          t.verify('filter', absent.length === 0, `${list} with status ${state} does not list ${absent.join(', ')}, which are ${state}`);
        }
        const other = v.states.all.find((s) => !held.has(s) && !v.states.terminal.includes(s) && s !== 'TASK_STATE_WORKING' && s !== 'TASK_STATE_SUBMITTED');
        if (other !== undefined) {
          const none = await listAll(t, v, rpcUrl, { contextId, status: other }, `${list} of context ${contextId} with status ${other}`);
          t.verify('filter', none.tasks.length === 0, `${list} with status ${other} listed ${none.tasks.length} tasks, though none in context ${contextId} is ${other}: ${none.tasks.map((task) => `${String(task['id'])} (${String(stateOf(task))})`).join(', ')}`);
        }
        // statusTimestampAfter: the later task's own status timestamp keeps it (>=) and drops the earlier one.
        const [earlier, later] = ids.map((id) => listed.find((task) => task['id'] === id));
        const [from, to] = [earlier, later].map((task) => (task ? timestampOf(task) : Number.NaN));
        if (earlier && later && from! < to!) {
          const after = (later['status'] as Record<string, unknown>)['timestamp'] as string;
          const recent = await listAll(t, v, rpcUrl, { contextId, statusTimestampAfter: after }, `${list} of context ${contextId} with statusTimestampAfter ${after}`);
          t.verify('filter', recent.ids.includes(later['id']), `${list} with statusTimestampAfter ${after} does not list task ${String(later['id'])}, whose status timestamp is ${after} (greater than or equal)`);
          t.verify('filter', !recent.ids.includes(earlier['id']), `${list} with statusTimestampAfter ${after} lists task ${String(earlier['id'])}, whose status timestamp is earlier`);
        }
      },
    }),
    defineTest({
      name: 'list-order',
      description: `${list} lists the most recently updated task first`,
      spec: 'A2A v1.0 §3.1.4 Ordering ("MUST return tasks sorted by their last update time in descending order")',
      rules: rulesOf(v, [RULES.order, RULES.shape], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        // Six tasks: an agent that orders some other way (e.g. by id) matches by chance once in 720.
        const { contextId, ids, states } = await tasksInContext(t, v, rpcUrl, 6, { pauseMs: 25 });
        const page = await listAll(t, v, rpcUrl, { contextId }, `${list} of context ${contextId}`);
        const order = page.ids.filter((id) => ids.includes(String(id)));
        // Each task was finished (a terminal state) before the next was sent: the last sent is the last updated.
        if (states.every((state) => v.states.terminal.includes(state))) {
          const expected = [...ids].reverse();
          t.verify('order', JSON.stringify(order) === JSON.stringify(expected), `${list} order ${JSON.stringify(order)}; the tasks were finished one after the other, so the last updated first is ${JSON.stringify(expected)}`);
        }
        const stamps = page.tasks.map(timestampOf);
        if (stamps.every((stamp) => !Number.isNaN(stamp))) {
          const rising = stamps.findIndex((stamp, index) => index > 0 && stamp > stamps[index - 1]!);
          t.verify('order', rising === -1, `${list}: task ${rising} (${String(page.ids[rising])}) has a later status timestamp than the task before it: not most recent first`);
        }
      },
    }),
    defineTest({
      name: 'list-history-length',
      description: `${list} with historyLength 1 lists at most one history message per task, with 0 none`,
      spec: 'a2a.proto ListTasksRequest.history_length; A2A v1.0 §3.2.4 History Length Semantics',
      rules: rulesOf(v, [RULES.history, RULES.shape], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const { contextId } = await tasksInContext(t, v, rpcUrl, 1);
        for (const length of [1, 0]) {
          const page = await listAll(t, v, rpcUrl, { contextId, historyLength: length }, `${list} with historyLength ${length}`);
          const over = page.tasks.filter((task) => Array.isArray(task['history']) && task['history'].length > length).map((task) => `${String(task['id'])} (${(task['history'] as unknown[]).length})`);
          t.verify('at-most', over.length === 0, `${list} with historyLength ${length} lists more history entries: ${over.join(', ')}`);
        }
      },
    }),
    defineTest({
      name: 'list-artifacts',
      description: `${list} omits artifacts unless includeArtifacts is true, and then includes them`,
      spec: 'A2A v1.0 §3.1.4 (includeArtifacts false, the default: the artifacts field MUST be omitted entirely); a2a.proto ListTasksRequest.include_artifacts',
      rules: rulesOf(v, [RULES.omitted, RULES.included, RULES.shape], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const { contextId, ids } = await tasksInContext(t, v, rpcUrl, 1);
        for (const params of [{ contextId }, { contextId, includeArtifacts: false }]) {
          const what = `${list} ${params.includeArtifacts === false ? 'with includeArtifacts false' : 'without includeArtifacts'}`;
          const page = await listAll(t, v, rpcUrl, params, what);
          const with_ = page.tasks.filter((task) => 'artifacts' in task).map((task) => `${String(task['id'])} (${JSON.stringify(task['artifacts']).slice(0, 40)})`);
          t.verify('artifacts-omitted', with_.length === 0, `${what} lists tasks with an artifacts field: ${with_.join(', ')}`);
        }
        const id = t.newId();
        const got = resultOf(t, v, await rpc(t, v, rpcUrl, v.methods.get, { id: ids[0] }, { id }), `${v.methods.get} ${ids[0]}`, id);
        const artifacts = isObject(got) && Array.isArray(got['artifacts']) ? got['artifacts'] : [];
        if (artifacts.length === 0) return;
        const page = await listAll(t, v, rpcUrl, { contextId, includeArtifacts: true }, `${list} with includeArtifacts true`);
        const task = page.tasks.find((entry) => entry['id'] === ids[0]);
        t.verify('artifacts-included', task !== undefined && Array.isArray(task['artifacts']) && task['artifacts'].length === artifacts.length, `${list} with includeArtifacts true lists task ${ids[0]} with artifacts ${JSON.stringify(task?.['artifacts'])}; ${v.methods.get} shows ${artifacts.length}`);
      },
    }),
    defineTest({
      name: 'list-invalid-params',
      description: `${list} with pageSize 0, -1 or 150, a negative historyLength, an unknown status, a pageToken it never issued, or a statusTimestampAfter that is no timestamp gets error -32602`,
      spec: 'A2A v1.0 §3.3.2 Validation Errors; §6.5 Validation Error Example; a2a.proto ListTasksRequest (page_size 1–100); JSON-RPC 2.0 §5.1 -32602',
      rules: refusalRules(v, INVALID),
      async run(t: TestContext) {
        const { rpcUrl } = await agentCard(t, v);
        const cases: Record<string, unknown>[] = [
          { pageSize: 0 },
          { pageSize: -1 },
          { pageSize: 150 },
          { historyLength: -1 },
          { status: 'TASK_STATE_AGTEST_UNKNOWN' },
          { pageToken: 'agtest-never-issued-%%%' },
          { statusTimestampAfter: 'not-a-timestamp' },
        ];
        for (const params of cases) {
          const what = `${list} with ${JSON.stringify(params)}`;
          const id = t.newId();
          const answer = await rpc(t, v, rpcUrl, list, params, { id });
          if (answer.response && 'error' in answer.response) expectError(t, v, answer, what, INVALID, id);
          else t.verify('refused', false, `${what}: expected JSON-RPC error -32602, got ${answer.response ? 'a result' : `HTTP ${answer.status}`}: ${clip(answer.body, 160)}`);
        }
      },
    }),
  ];
}
