/**
 * One fault, one failure for a card that claims streaming but does not serve it: the events test
 * judges the claim; every other streaming test that meets a refusal where it needed a stream (or
 * another error) first tries the events test's own request, and is blocked by it when that is
 * refused too.
 */
import type { TestContext } from '../define.js';
import { clip, describeError, firstEvent, rpc, type RpcAnswer } from './client.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';

/** The test that judges whether the card's streaming claim is served; the other streaming tests wait for it. */
export const streamProbeTest = (v: A2aVersion) => `${v.prefix}.streaming.passive.events`;

/** The error a streaming request was refused with: a JSON-RPC error body, or a stream whose first event is an error. */
export function streamRefusal(answer: RpcAnswer): Record<string, unknown> | undefined {
  if (answer.events?.[0]) {
    const event = firstEvent(answer);
    return isObject(event?.['error']) ? event['error'] : undefined;
  }
  const error = answer.response?.['error'];
  return isObject(error) ? error : undefined;
}

/** How an answer that is no stream reads in a reason. */
export function describeUnstreamed(answer: RpcAnswer): string {
  const error = streamRefusal(answer);
  return error ? `error ${describeError(error)}` : `HTTP ${answer.status} ${clip(answer.body, 120)}`;
}

/**
 * Called when a streaming request of another test got no stream: the events test's own request is
 * tried; when it gets no stream either, the claim itself is false and events carries that failure,
 * so this test is blocked. Otherwise the answer is this test's own to judge, and it goes on.
 */
export async function blockIfStreamingNotServed(t: TestContext, v: A2aVersion, url: string, seen: string): Promise<void> {
  const id = t.newId();
  const probe = await rpc(t, v, url, v.methods.stream, { message: v.userMessage('agtest: stream this') }, { id });
  if (!probe.events || streamRefusal(probe)) {
    t.block(`the card claims streaming, but ${seen}, and ${v.methods.stream} of a plain message (the events test's own request) got ${describeUnstreamed(probe)}, no event stream, too: ${streamProbeTest(v)} judges that`, streamProbeTest(v));
  }
}

/**
 * A streaming request that must be refused with one of `codes`: a refusal with another code
 * (-32004 UnsupportedOperation, say) or an answer that is neither a stream nor a JSON-RPC error
 * is first tried against the events test's request.
 */
export async function blockIfRefusedOtherwise(t: TestContext, v: A2aVersion, url: string, answer: RpcAnswer, codes: readonly number[], what: string): Promise<void> {
  const error = streamRefusal(answer);
  if (answer.events && !error) return;
  if (error && codes.includes(error['code'] as number)) return;
  await blockIfStreamingNotServed(t, v, url, `${what} got ${describeUnstreamed(answer)}`);
}
