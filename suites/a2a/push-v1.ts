/**
 * A2A v1.0 push-config rules the requirement map found unchecked: a create without its REQUIRED
 * url (§3.1.7), create and delete naming a task never issued (§3.1.7, §3.1.10), delete is
 * idempotent (§3.1.10), and the credentials of a config's authentication reach the webhook
 * (§4.3.3, §13.2).
 */
import { defineTest, TestFailure, type ReceivedMessage, type Rule, type TestDefinition, type TestContext } from '../define.js';
import { agentCard } from './agent-card.js';
import { expectError, namedCall, resultOf } from './client.js';
import { blockIfPushNotServed, pushCall, pushRefusalCall } from './push-served.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';
import { a2aCodeRule, refusalRules, rulesOf, SEND_RULES, type Refusal } from './rules.js';
import { obtainTask } from './task-shape.js';

/**
 * No final-state notification for a config with authentication: a config without it (what the
 * delivers test sets) is tried; when that gets none either, delivery itself is broken, which
 * delivers judges, and this test is blocked by it (one fault, one failure).
 */
async function blockIfNoDelivery(t: TestContext, v: A2aVersion, url: string, settled: readonly string[]): Promise<void> {
  const probe = await obtainTask(t, v, url, { ...v.blocking(false), ...v.pushInline(t.endpoint, `agtest-${t.newId()}`) });
  const final = (m: ReceivedMessage) => m.message['a2a'] === 'push' && String(m.message['body']).includes(probe.id) && settled.some((state) => String(m.message['body']).includes(state));
  const delivered = await t.receive(final, { description: `a push notification of task ${probe.id} (a config without authentication) in its final state` }).then(
    () => true,
    (error: unknown) => {
      if (error instanceof TestFailure) return false;
      throw error;
    },
  );
  if (!delivered) t.block(`no final-state push notification arrives for a config without authentication either (task ${probe.id}): ${v.prefix}.push.passive.delivers judges that`, `${v.prefix}.push.passive.delivers`);
}

export function pushV1Tests(v: A2aVersion): TestDefinition[] {
  const urlRequired: Refusal = {
    // §5.7 is the text on REQUIRED fields and sets rejecting them at SHOULD; §3.3.2's general "MUST
    // validate" names no rejection of a missing field, so the specific SHOULD decides.
    refused: { id: 'refused', level: 'SHOULD', cite: 'A2A v1.0 §5.7 Field Presence ("Implementations SHOULD validate these requirements and reject messages with missing required fields"); §3.1.7 Create Push Notification Config, Inputs (url REQUIRED); §3.3.2 ("Servers MUST validate all input parameters before processing")', text: 'A push config without url is refused' },
    code: { id: 'code', level: 'MUST', cite: 'JSON-RPC 2.0 §5.1 (-32602 Invalid params); A2A v1.0 §3.3.2 (validation errors: JSON-RPC -32602), §9.5', text: 'The error code is -32602 (Invalid params)' },
    codes: [-32602],
  };
  const unknownTask: Refusal = {
    refused: { id: 'refused', level: 'MUST', cite: 'A2A v1.0 §3.1.7 and §3.1.10 Errors (TaskNotFoundError: "The task ID does not exist"); §3.3.2 ("Servers MUST return appropriate errors")', text: 'Creating or deleting a push config of a task never issued is refused' },
    code: a2aCodeRule(v, 'code', 'TaskNotFoundError', [-32001]),
    codes: [-32001],
  };
  const idempotent: Rule = {
    id: 'idempotent',
    level: 'MUST',
    cite: 'A2A v1.0 §3.1.10 Delete Push Notification Config ("This operation MUST be idempotent - multiple deletions of the same config have the same effect"; "MUST permanently remove the specified push notification configuration")',
    text: 'Deleting a config twice leaves it gone and every other config of the task in place',
  };
  const credentials: Rule = {
    id: 'credentials',
    level: 'MUST',
    cite: 'A2A v1.0 §4.3.3 Push Notification Payload, Authentication ("The agent MUST include authentication credentials in the request headers as specified in the PushNotificationConfig.authentication field"); §13.2; AuthenticationInfo (scheme from the IANA HTTP Authentication Scheme registry)',
    text: 'A push config with authentication {scheme Bearer, credentials X} is notified with Authorization: Bearer X',
  };
  const configIds = (result: unknown): string[] => {
    const configs = isObject(result) && Array.isArray(result['configs']) ? result['configs'] : [];
    return configs.map((config: unknown) => (isObject(config) ? String(config['id']) : '')).filter((id) => id !== '');
  };
  return [
    defineTest({
      name: 'config-url-required',
      description: 'CreateTaskPushNotificationConfig without url gets error -32602 (Invalid params)',
      spec: 'A2A v1.0 §3.1.7 (url REQUIRED); §5.7 (SHOULD reject a missing REQUIRED field); §3.3.2 (validation errors: -32602)',
      rules: refusalRules(v, urlRequired, [], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.push) t.skip('the card does not claim push notifications');
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        const what = `${v.methods.pushSet} without url for task ${created.id}`;
        const { answer, id } = await pushRefusalCall(t, v, rpcUrl, v.methods.pushSet, { taskId: created.id, token: 'agtest' }, what, urlRequired);
        expectError(t, v, answer, what, urlRequired, id);
      },
    }),
    defineTest({
      name: 'config-unknown-task',
      description: 'CreateTaskPushNotificationConfig and DeleteTaskPushNotificationConfig naming a task never issued get error -32001 (TaskNotFound)',
      spec: 'A2A v1.0 §3.1.7, §3.1.10 errors: TaskNotFoundError; §5.4 (-32001)',
      rules: refusalRules(v, unknownTask),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.push) t.skip('the card does not claim push notifications');
        const never = `agtest-unknown-${t.newId()}`;
        const refused = async (method: string, params: Record<string, unknown>, what: string) => {
          const { answer, id } = await pushRefusalCall(t, v, rpcUrl, method, params, what, unknownTask);
          expectError(t, v, answer, what, unknownTask, id);
        };
        await refused(v.methods.pushSet, v.pushSetParams(never, t.endpoint), `${v.methods.pushSet} for task ${never} (never issued)`);
        await refused(v.methods.pushDelete, { taskId: never, id: never }, `${v.methods.pushDelete} on task ${never} (never issued)`);
      },
    }),
    defineTest({
      name: 'config-delete-idempotent',
      description: 'Deleting a push config twice: the second delete may succeed or fail, but the config stays gone and the task\'s other config stays',
      spec: 'A2A v1.0 §3.1.10 Delete Push Notification Config: MUST be idempotent; MUST permanently remove the specified configuration',
      rules: rulesOf(v, [idempotent], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.push) t.skip('the card does not claim push notifications');
        const created = await obtainTask(t, v, rpcUrl, v.blocking(true));
        const call = (method: string, params: Record<string, unknown>, what: string) => pushCall(t, v, rpcUrl, method, params, what);
        const make = async () => {
          const set = await call(v.methods.pushSet, v.pushSetParams(created.id, t.endpoint), v.methods.pushSet);
          const result = resultOf(t, v, set.answer, set.what, set.id);
          const id = isObject(result) ? result['id'] : undefined;
          t.check(typeof id === 'string' && id !== '', `${v.methods.pushSet}: the created config has no id (${JSON.stringify(result)}) [MUST, A2A v1.0 §3.1.7 (created with an assigned ID)]`);
          return id;
        };
        const gone = await make();
        const kept = await make();
        const first = await call(v.methods.pushDelete, { taskId: created.id, id: gone }, `${v.methods.pushDelete} ${gone}`);
        resultOf(t, v, first.answer, first.what, first.id);
        // A single delete that leaves the config is config-lifecycle's failure (its own check, a get after one delete):
        // whether a second delete is idempotent cannot be judged then (one fault, one failure).
        const afterOne = await namedCall(t, v, rpcUrl, v.methods.pushGet, { taskId: created.id, id: gone }, `${v.methods.pushGet} ${gone} after one delete`);
        const lifecycle = `${v.prefix}.push.passive.config-lifecycle`;
        if (!(afterOne.answer.response !== undefined && 'error' in afterOne.answer.response)) t.block(`config ${gone} was deleted once, yet ${afterOne.what} still returns it: ${lifecycle} judges that`, lifecycle);
        // The second delete may answer success or an error (the config is gone either way): its effect is what counts.
        const second = await namedCall(t, v, rpcUrl, v.methods.pushDelete, { taskId: created.id, id: gone }, `${v.methods.pushDelete} ${gone} again`);
        t.verify('rpc.response', second.answer.response !== undefined, `${second.what}: the body is not a JSON-RPC response: ${second.answer.body.slice(0, 120)}`);
        const listed = await call(v.methods.pushList, { taskId: created.id }, `${v.methods.pushList} of task ${created.id}`);
        const ids = configIds(resultOf(t, v, listed.answer, listed.what, listed.id));
        t.verify('idempotent', !ids.includes(gone), `config ${gone} was deleted twice, yet ${listed.what} still lists it`);
        t.verify('idempotent', ids.includes(kept), `deleting config ${gone} a second time removed config ${kept} too: ${listed.what} lists ${JSON.stringify(ids)}`);
      },
    }),
    defineTest({
      name: 'delivers-credentials',
      description: 'A push config with authentication {scheme: Bearer, credentials} is notified with Authorization: Bearer <credentials>',
      spec: 'A2A v1.0 §4.3.3 (the agent MUST include authentication credentials in the request headers as the config\'s authentication specifies); §13.2',
      rules: rulesOf(v, [credentials], SEND_RULES),
      async run(t: TestContext) {
        const { rpcUrl, claims } = await agentCard(t, v);
        if (!claims.push) t.skip('the card does not claim push notifications');
        const secret = `agtest-${t.newId()}`;
        const configuration = { ...v.blocking(false), taskPushNotificationConfig: { url: t.endpoint, token: 'agtest', authentication: { scheme: 'Bearer', credentials: secret } } };
        const created = await obtainTask(t, v, rpcUrl, configuration, { onRefusal: (why) => blockIfPushNotServed(t, v, rpcUrl, `a send with a push config ${why}`) });
        const about = (m: ReceivedMessage) => m.message['a2a'] === 'push' && String(m.message['body']).includes(created.id);
        // Up to the state the task settles in (terminal, or interrupted: §3.2.2 input-required, auth-required), so that no
        // notification of this task arrives after the test.
        const settled = [...v.states.terminal, ...v.states.interrupted];
        const final = (m: ReceivedMessage) => about(m) && settled.some((state) => String(m.message['body']).includes(state));
        try {
          await t.receive(final, { description: `a push notification about task ${created.id} at ${t.endpoint} in its final state` });
        } catch (error) {
          if (error instanceof TestFailure) await blockIfNoDelivery(t, v, rpcUrl, settled);
          throw error;
        }
        for (const [n, push] of t.received(about).entries()) {
          const headers = isObject(push.message['headers']) ? push.message['headers'] : {};
          const authorization = headers['authorization'];
          // Auth schemes are case-insensitive (RFC 9110 §11.1); the credentials are compared as sent.
          const [scheme, ...rest] = typeof authorization === 'string' ? authorization.split(' ') : [];
          t.verify('credentials', scheme?.toLowerCase() === 'bearer' && rest.join(' ') === secret, `push notification ${n + 1} about task ${created.id} came with Authorization ${JSON.stringify(authorization)}; its config asked for Bearer ${secret}`);
        }
      },
    }),
  ];
}
