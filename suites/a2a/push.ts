import { defineSuite, defineTest, type Suite, type TestContext, type ReceivedMessage, TestFailure } from '../define.js';
import { agentCard } from './agent-card.js';
import { describeError, expectError, namedCall, resultOf } from './client.js';
import { blockIfPushNotServed, pushCall, pushRefusalCall, setPlainConfig } from './push-served.js';
import { obtainTask } from './task-shape.js';
import { a2aCodeRule, refusalRules, rulesOf, SEND_RULES, type Refusal } from './rules.js';
import type { Rule } from '../define.js';
import { isObject } from './is-object.js';
import { A2A_V0_3, A2A_V1_0, type A2aVersion } from './protocol-version.js';
import { pushV1Tests } from './push-v1.js';

function parseBody(m: ReceivedMessage): unknown {
  try {
    return JSON.parse(String(m.message['body']));
  } catch {
    return undefined;
  }
}

/** The task state a push payload reports: a Task, a status update, or a StreamResponse wrapping either. */
function stateIn(body: unknown): unknown {
  if (!isObject(body)) return undefined;
  const inner = isObject(body['task']) ? body['task'] : isObject(body['statusUpdate']) ? body['statusUpdate'] : body;
  return isObject(inner['status']) ? inner['status']['state'] : undefined;
}

function pushRules(v: A2aVersion): Record<'claimed' | 'config' | 'lifecycle' | 'delivery' | 'form', Rule> {
  const one = v.id === '1.0';
  return {
    claimed: { id: 'claimed-served', level: 'MUST', cite: one ? 'A2A v1.0 §3.1.7 (available when the agent supports push notifications); §3.3.4' : 'A2A v0.3 §7.5 (requires capabilities.pushNotifications: true)', text: 'A card that claims push notifications accepts a push config' },
    config: { id: 'config-returned', level: 'MUST', cite: one ? 'A2A v1.0 §3.1.7 (outputs the created configuration)' : 'A2A v0.3 §7.5 (result: TaskPushNotificationConfig)', text: "The created config comes back with agtest's webhook URL" },
    lifecycle: { id: 'lifecycle', level: 'MUST', cite: one ? 'A2A v1.0 §3.1.7 (created with an assigned ID), §3.1.8 (Get MUST fail when the config does not exist), §3.1.9, §3.1.10 (MUST permanently remove)' : 'A2A v0.3 §7.6–§7.8 (get, list, delete)', text: 'A created config has an id; get returns it, list includes it, delete removes it' },
    delivery: { id: 'delivers', level: 'MUST', cite: one ? 'A2A v1.0 §3.5.1 (the agent sends HTTP POST requests to the webhook when the task changes), §4.3' : 'A2A v0.3 §9.5 push notifications (HTTP POST of task updates to the webhook)', text: "Task updates are POSTed as JSON to agtest's webhook, up to the task's final state" },
    form: { id: 'version-form', level: 'MUST', cite: one ? 'A2A v1.0 §5.5 (ProtoJSON enum names, TASK_STATE_*)' : 'A2A v0.3 §6.3 TaskState (completed, failed, ...)', text: "A task created over this version is notified in this version's form" },
  };
}

export function pushSuite(v: A2aVersion): Suite {
  const rules = pushRules(v);
  const unknownConfig: Refusal = {
    refused:
      v.id === '1.0'
        ? { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.1.8 ("The operation MUST fail if the configuration does not exist"), §3.1.9 (TaskNotFoundError); §3.3.2 Resource Errors ("Servers MUST return a not found error")', text: 'A push config or task id that was never issued is refused' }
        : { id: 'refused', level: 'MUST', cite: 'A2A v0.3 §7.6, §7.7 (their result is a config, which an unknown id has none of); §8.2 TaskNotFoundError', text: 'A push config or task id that was never issued is refused' },
    code: a2aCodeRule(v, 'code', 'TaskNotFoundError', [-32001]),
    codes: [-32001],
  };
  return defineSuite({
    cluster: `${v.prefix}.push`,
    mode: 'passive',
    description: `Push notifications (A2A ${v.id}), when the card claims them: agtest's endpoint is the webhook`,
    tests: [
      defineTest({
        name: 'set-config',
        description: `${v.methods.pushSet} for a task returns the config with agtest's webhook URL`,
        spec: `${v.cite} ${v.sec.pushSet}`,
        rules: rulesOf(v, [rules.claimed, rules.config], SEND_RULES),
        async run(t: TestContext) {
          const { rpcUrl, claims } = await agentCard(t, v);
          if (!claims.push) t.skip('the card does not claim push notifications');
          // The probe the other push tests try when they are refused: a finished task, so no notification comes after the test.
          const { answer, id } = await setPlainConfig(t, v, rpcUrl);
          const error = answer.response?.['error'];
          if (error) t.fail(`false advertising: the card claims push notifications, but ${v.methods.pushSet} answered error ${describeError(error)} [MUST, ${rules.claimed.cite}]`);
          const result = resultOf(t, v, answer, v.methods.pushSet, id);
          const url = isObject(result) ? (v.id === '1.0' ? result['url'] : isObject(result['pushNotificationConfig']) ? result['pushNotificationConfig']['url'] : undefined) : undefined;
          t.verify('config-returned', url === t.endpoint, `${v.methods.pushSet}: the returned config has url ${JSON.stringify(url)}, agtest set ${t.endpoint}`);
        },
      }),
      defineTest({
        name: 'config-lifecycle',
        description: 'A created push config has an id; get returns it, list includes it, delete removes it (a get afterwards fails)',
        spec: `${v.cite} ${v.id === '1.0' ? '§3.1.7–§3.1.10 (Create / Get / List / Delete Push Notification Config: the created config has an assigned ID; Get MUST fail once it does not exist)' : '§7.5–§7.8 tasks/pushNotificationConfig/set, get, list, delete'}`,
        rules: rulesOf(v, [rules.lifecycle], SEND_RULES),
        async run(t: TestContext) {
          const { rpcUrl, claims } = await agentCard(t, v);
          if (!claims.push) t.skip('the card does not claim push notifications');
          const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
          const call = (method: string, params: Record<string, unknown>, what: string) => pushCall(t, v, rpcUrl, method, params, what);
          const set = await call(v.methods.pushSet, v.pushSetParams(created.id, t.endpoint), v.methods.pushSet);
          const configOf = (result: unknown) => (v.id === '1.0' ? result : isObject(result) ? result['pushNotificationConfig'] : undefined);
          const config = configOf(resultOf(t, v, set.answer, set.what, set.id));
          const configId = isObject(config) ? config['id'] : undefined;
          t.check(typeof configId === 'string' && configId !== '', `${v.methods.pushSet}: the created config has no id (${JSON.stringify(config)}) [MUST, ${rules.lifecycle.cite}]`);
          const ids = v.id === '1.0' ? { taskId: created.id, id: configId } : { id: created.id, pushNotificationConfigId: configId };
          const got = await call(v.methods.pushGet, ids, `${v.methods.pushGet} ${configId}`);
          const gotConfig = configOf(resultOf(t, v, got.answer, got.what, got.id));
          t.verify('lifecycle', isObject(gotConfig) && gotConfig['url'] === t.endpoint, `${got.what}: expected the config with url ${t.endpoint}, got ${JSON.stringify(gotConfig)}`);
          const listed = await call(v.methods.pushList, v.id === '1.0' ? { taskId: created.id } : { id: created.id }, `${v.methods.pushList} of task ${created.id}`);
          const listResult = resultOf(t, v, listed.answer, listed.what, listed.id);
          const entries = v.id === '1.0' ? (isObject(listResult) ? listResult['configs'] : undefined) : listResult;
          t.verify('lifecycle', Array.isArray(entries) && entries.some((entry) => isObject(configOf(entry)) && (configOf(entry) as Record<string, unknown>)['id'] === configId), `${listed.what} does not list config ${configId}: ${JSON.stringify(listResult).slice(0, 160)}`);
          const deleted = await call(v.methods.pushDelete, ids, `${v.methods.pushDelete} ${configId}`);
          resultOf(t, v, deleted.answer, deleted.what, deleted.id);
          // Refused as it must be: an error here is the verdict, not a push refusal to probe.
          const after = await namedCall(t, v, rpcUrl, v.methods.pushGet, ids, `${v.methods.pushGet} ${configId} after delete`);
          t.verify('lifecycle', after.answer.response !== undefined && 'error' in after.answer.response, `config ${configId} was deleted, yet ${v.methods.pushGet} still returns it: ${after.answer.body.slice(0, 160)}`);
        },
      }),
      defineTest({
        name: 'config-unknown',
        description: `${v.methods.pushGet} of a config id never created, and ${v.methods.pushGet} / ${v.methods.pushList} of a task id never issued, get error -32001 (TaskNotFound)`,
        spec: `${v.cite} ${v.id === '1.0' ? '§3.1.8 (Get MUST fail if the configuration does not exist; TaskNotFoundError), §3.1.9 (TaskNotFoundError: the task ID does not exist); §5.4 (-32001)' : '§7.6, §7.7 (results are configs, which an unknown id has none of); §8.2 TaskNotFoundError (-32001)'}`,
        rules: refusalRules(v, unknownConfig, [], SEND_RULES),
        async run(t: TestContext) {
          const { rpcUrl, claims } = await agentCard(t, v);
          if (!claims.push) t.skip('the card does not claim push notifications');
          const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
          const never = `agtest-unknown-${t.newId()}`;
          const getParams = (taskId: string, configId: string) => (v.id === '1.0' ? { taskId, id: configId } : { id: taskId, pushNotificationConfigId: configId });
          const refused = async (method: string, params: Record<string, unknown>, what: string) => {
            const { answer, id } = await pushRefusalCall(t, v, rpcUrl, method, params, what, unknownConfig);
            expectError(t, v, answer, what, unknownConfig, id);
          };
          await refused(v.methods.pushGet, getParams(created.id, never), `${v.methods.pushGet} of config ${never} (never created) on task ${created.id}`);
          await refused(v.methods.pushGet, getParams(never, never), `${v.methods.pushGet} on task ${never} (never issued)`);
          await refused(v.methods.pushList, v.id === '1.0' ? { taskId: never } : { id: never }, `${v.methods.pushList} of task ${never} (never issued)`);
        },
      }),
      defineTest({
        name: 'delivers',
        description: "A task sent with a push config POSTs its updates to agtest's webhook, up to its final state",
        spec: `${v.cite} ${v.sec.pushSet} / push notification payload: the agent POSTs task updates to the configured webhook`,
        rules: rulesOf(v, [rules.claimed, rules.delivery, rules.form], SEND_RULES),
        async run(t: TestContext) {
          const { rpcUrl, claims } = await agentCard(t, v);
          if (!claims.push) t.skip('the card does not claim push notifications');
          const token = `agtest-${t.newId()}`;
          const refused = (why: string) => blockIfPushNotServed(t, v, rpcUrl, `a send with a push config ${why}`);
          const created = await obtainTask(t, v, rpcUrl, { ...v.blocking(false), ...v.pushInline(t.endpoint, token) }, { onRefusal: refused }).catch((error: unknown) => {
            if (error instanceof TestFailure && /-32003/.test(error.message)) t.fail(`false advertising: the card claims push notifications, but a send with a push config was refused (${error.message}) [MUST, ${rules.claimed.cite}]`);
            throw error;
          });
          const about = (m: ReceivedMessage) => m.message['a2a'] === 'push' && String(m.message['body']).includes(created.id);
          const push = await t.receive(about, { description: `a push notification about task ${created.id} at ${t.endpoint}` });
          t.verify('delivers', push.message['method'] === 'POST', `the push notification came as ${String(push.message['method'])}, not POST`);
          t.verify('delivers', isObject(parseBody(push)), `the push notification body is not a JSON object: ${String(push.message['body']).slice(0, 120)}`);
          const final = (m: ReceivedMessage) => about(m) && [...v.states.terminal, ...v.states.interrupted].includes(String(stateIn(parseBody(m))));
          try {
            await t.receive(final, { description: `a push notification of task ${created.id}'s final state` });
          } catch (error) {
            if (!(error instanceof TestFailure)) throw error;
            // The final state may have come in the other version's form: say so, it is why a client of this version misses it.
            const other = v.id === '1.0' ? A2A_V0_3 : A2A_V1_0;
            const states = t.received(about).map((m) => String(stateIn(parseBody(m))));
            if (states.some((state) => other.states.terminal.includes(state))) {
              t.fail(`task ${created.id} was created over A2A ${v.id}, but its push notifications come in A2A ${other.id}'s form (states ${states.join(', ')}; bodies like ${String(t.received(about).at(-1)?.message['body']).slice(0, 100)}); a ${v.id} client reads ${v.states.terminal.join(', ')} [MUST, ${rules.form.cite}]`);
            }
            throw error;
          }
        },
      }),
      ...(v.id === '1.0' ? pushV1Tests(v) : []),
    ],
  });
}
