/**
 * One fault, one failure for a card that claims push notifications but does not serve them:
 * set-config judges the claim; every other push test that meets a refusal where it needed a
 * config served (or another error) first tries set-config's own request, and is blocked by
 * set-config when that is refused too.
 */
import type { TestContext } from '../define.js';
import { describeError, namedCall, type RpcAnswer } from './client.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';
import type { Refusal } from './rules.js';
import { obtainTask } from './task-shape.js';

/** The test that judges whether the card's push claim is served; the other push tests wait for it. */
export const pushProbeTest = (v: A2aVersion) => `${v.prefix}.push.passive.set-config`;

/** What set-config sends: a config with agtest's webhook, on a finished task (nothing is notified after the test). */
export async function setPlainConfig(t: TestContext, v: A2aVersion, url: string): Promise<{ answer: RpcAnswer; id: string; what: string }> {
  const created = await obtainTask(t, v, url, v.blocking(true));
  return namedCall(t, v, url, v.methods.pushSet, v.pushSetParams(created.id, t.endpoint), `${v.methods.pushSet} for task ${created.id}`);
}

/** Why a push-config create was not served (an error, or no JSON-RPC result), or undefined when it was. */
export function notServed(answer: RpcAnswer): string | undefined {
  const response = answer.response;
  if (response && 'error' in response) return `error ${describeError(response['error'])}`;
  if (!response || !('result' in response)) return `HTTP ${answer.status} without a JSON-RPC result`;
  return undefined;
}

/**
 * Called when a push call of another test was refused: set-config's own request is tried; when it
 * is refused too, the claim itself is false and set-config carries that failure, so this test is
 * blocked. Otherwise the refusal is this test's own to judge, and it goes on.
 */
export async function blockIfPushNotServed(t: TestContext, v: A2aVersion, url: string, seen: string): Promise<void> {
  const probe = await setPlainConfig(t, v, url);
  const why = notServed(probe.answer);
  if (why) t.block(`the card claims push notifications, but ${seen}, and ${probe.what} (set-config's own request) got ${why} too: ${pushProbeTest(v)} judges that`, pushProbeTest(v));
}

/** A push call whose result the test needs: any refusal is first tried against set-config's request. */
export async function pushCall(t: TestContext, v: A2aVersion, url: string, method: string, params: unknown, what: string): Promise<{ answer: RpcAnswer; id: string; what: string }> {
  const call = await namedCall(t, v, url, method, params, what);
  const why = notServed(call.answer);
  if (why) await blockIfPushNotServed(t, v, url, `${what} got ${why}`);
  return call;
}

/**
 * A push call that must be refused with `refusal.codes`: an error of another code (-32003
 * PushNotificationNotSupported, say) or no JSON-RPC answer is first tried against set-config's
 * request. The answer is returned for expectError to judge.
 */
export async function pushRefusalCall(t: TestContext, v: A2aVersion, url: string, method: string, params: unknown, what: string, refusal: Refusal): Promise<{ answer: RpcAnswer; id: string }> {
  const { answer, id } = await namedCall(t, v, url, method, params, what);
  const response = answer.response;
  const error = response && 'error' in response ? response['error'] : undefined;
  const expected = isObject(error) && (refusal.codes.length === 0 || refusal.codes.includes(error['code'] as number));
  const answered = response !== undefined && ('result' in response || error !== undefined);
  if (!expected && (error !== undefined || !answered)) await blockIfPushNotServed(t, v, url, `${what} got ${notServed(answer) ?? 'no JSON-RPC answer'}`);
  return { answer, id };
}
