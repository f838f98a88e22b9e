import { createInvitationLeniently, invitationKey, TestFailure, type ReceivedMessage, type TestContext, type TransportEvent } from '../../suites/index.js';
import type { TestSession } from './test-session.js';

/** Claiming this junction means: connect by out-of-band + DID exchange, as real agents do. */
export const DID_EXCHANGE_JUNCTION = 'didexchange.1_1.passive';
/** The test that judges what the runner's connection step needs; tests blocked by a failed connection name it. */
export const CONNECTION_TEST = `${DID_EXCHANGE_JUNCTION}.response-encrypted`;

const RESPONSE = /\/didexchange\/1\.\d+\/response$/;

/** Tests of the connection protocols make their own connections; every other test runs in one. */
export function runsInConnection(junction: string, claims: ReadonlySet<string>): boolean {
  return claims.has(DID_EXCHANGE_JUNCTION) && !junction.startsWith('didexchange.') && !junction.startsWith('out_of_band.');
}

/**
 * Connects agtest and the agent before a test: agact create-invitation, then DID exchange 1.1
 * as requester with a fresh did:peer:2. Deliberately lenient — it needs only a response whose DID
 * (or envelope sender) gives the agent's key: every rule of the exchange is judged by the
 * didexchange tests, so that one violation is reported once, not as every test failing.
 */
export async function connectByDidExchange(t: TestContext, session: TestSession, setupKey?: string): Promise<void> {
  try {
    await connect(t, session, setupKey);
  } catch (error) {
    if (error instanceof TestFailure) throw new TestFailure(`could not connect by out-of-band + DID exchange before the test: ${error.message}`);
    throw error;
  }
}

async function connect(t: TestContext, session: TestSession, setupKey: string | undefined): Promise<void> {
  const invitation = await createInvitationLeniently(t);
  // An invitation without a usable service is out_of_band's finding; setup's key still connects.
  const found = invitationKey(t, invitation);
  const toKey = 'key' in found ? found.key : setupKey;
  if (!toKey) throw new TestFailure('error' in found ? found.error : 'the invitation has no service with a recipient key');
  const me = t.dids.newIdentity();
  const requestId = t.newId();
  const pthid = String(invitation['@id']);
  const { file } = await t.sendEnvelope(
    { '@type': 'https://didcomm.org/didexchange/1.1/request', '@id': requestId, '~thread': { thid: requestId, pthid }, label: 'agtest', did: me.did },
    { mode: 'authcrypt', to: toKey, expectRefusal: false },
  );
  const response = await responseOrRefusal(t, file);
  const did = response.message['did'];
  const resolved = typeof did === 'string' ? t.dids.resolve(did) : { error: 'no did' };
  const agentKey = ('error' in resolved ? undefined : resolved.key) ?? response.envelope?.sender;
  if (!agentKey) throw new TestFailure(`the response's DID gives no key agtest can use (${'error' in resolved ? resolved.error : 'no keys'}) and it came without a proven sender`);
  await t.sendEnvelope({ '@type': 'https://didcomm.org/didexchange/1.1/complete', '@id': t.newId(), '~thread': { thid: requestId, pthid } }, { mode: 'authcrypt', to: agentKey, expectRefusal: false });
  session.agentVerkey = agentKey;
  session.sendsEnvelopes = true;
  session.connection = { invitationId: pthid, agentDid: String(did), agentVerkey: agentKey, agtestDid: me.did };
}

/**
 * The agent's response, or — when the transport could not deliver the request — a failure that
 * says so with the transport's reason (an agent that refuses every message over its transport
 * must be reported for that, not for a missing response).
 */
async function responseOrRefusal(t: TestContext, file: string): Promise<ReceivedMessage> {
  const refused = (e: TransportEvent) => e.type === 'undeliverable' && e.file === file;
  const undelivered = (): never => {
    const event = t.transportEvents(refused)[0];
    throw new TestFailure(`the agent refused a well-formed message over ${t.transport}: the DID exchange request was undeliverable${event?.type === 'undeliverable' ? ` (${event.status ? `status ${event.status}: ` : ''}${event.reason})` : ''}`);
  };
  // Waits as long as the test may: it only ends early when the transport gives up.
  const refusal = t.transportEvent(refused, { description: 'undeliverable request', timeoutMs: 3_600_000 }).then(undelivered);
  refusal.catch(() => undefined);
  try {
    return await Promise.race([t.receive((m) => RESPONSE.test(String(m.message['@type'])), { description: 'DID exchange response to agtest request' }), refusal]);
  } catch (error) {
    if (t.transportEvents(refused).length > 0) undelivered();
    const sent = t.transportEvents((e) => e.type === 'sent' && e.file === file)[0];
    if (error instanceof TestFailure && sent?.type === 'sent') {
      throw new TestFailure(`the DID exchange request was delivered over ${t.transport}${sent.status ? ` (status ${sent.status})` : ''}, but no response came back over ${t.transport} (${error.message})`);
    }
    throw error;
  }
}
