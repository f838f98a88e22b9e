import {
  chooseHandshake,
  createInvitationLeniently,
  handshakeComplete,
  handshakeName,
  handshakeOf,
  handshakeRequest,
  invitationKey,
  isHandshakeAnswer,
  readResponse,
  TestFailure,
  type Handshake,
  type ReceivedMessage,
  type TestContext,
  type TransportEvent,
} from '../../suites/index.js';
import type { TestSession } from './test-session.js';

/** Claiming this junction means: connect by out-of-band + DID exchange, as real agents do. */
export const DID_EXCHANGE_JUNCTION = 'didexchange.1_1.passive';
/** The test that judges what the runner's connection step needs (DID exchange); tests blocked by a failed connection name it. */
export const CONNECTION_TEST = `${DID_EXCHANGE_JUNCTION}.response-encrypted`;
/** An agent whose invitations offer only RFC 0160 connections claims this one instead. */
export const CONNECTIONS_JUNCTION = 'connections.1_0.passive';

/** Tests of the connection protocols make their own connections; every other test runs in one. */
export function runsInConnection(junction: string, claims: ReadonlySet<string>): boolean {
  const connects = claims.has(DID_EXCHANGE_JUNCTION) || claims.has(CONNECTIONS_JUNCTION);
  return connects && !junction.startsWith('didexchange.') && !junction.startsWith('connections.') && !junction.startsWith('out_of_band.');
}

/**
 * The connection step could not be made: `step` says which (invitation, request, response,
 * complete), `prerequisite` the test that judges that handshake's rules (the runner blocks the
 * test that needed the connection, naming it).
 */
export class ConnectionFailure extends TestFailure {
  constructor(
    message: string,
    readonly step: 'invitation' | 'request' | 'response' | 'complete',
    readonly prerequisite: string,
  ) {
    super(message);
  }
}

const prerequisiteOf = (handshake: Handshake | undefined): string => (handshake?.family === 'connections' ? `${CONNECTIONS_JUNCTION}.response-signed` : CONNECTION_TEST);

/**
 * Connects agtest and the agent before a test: agact create-invitation, then the handshake the
 * invitation offers (DID exchange 1.1 or 1.0, else RFC 0160 connections 1.0) as requester with a
 * fresh DID. Deliberately lenient — it needs only a response whose DID (or envelope sender) gives
 * the agent's key: every rule of the exchange is judged by the handshake's own tests, so that one
 * violation is reported once, not as every test failing. When it cannot connect it throws a
 * ConnectionFailure naming the step and what came back.
 */
export async function connectByDidExchange(t: TestContext, session: TestSession, setupKey?: string): Promise<void> {
  let handshake: Handshake | undefined;
  let step: ConnectionFailure['step'] = 'invitation';
  try {
    const invitation = await createInvitationLeniently(t);
    const chosen = chooseHandshake(invitation);
    // An invitation that offers no handshake agtest speaks is out_of_band's (and the handshake
    // tests') finding: the connection step still tries DID exchange 1.1, as it always did.
    handshake = 'error' in chosen ? handshakeOf('didexchange', 1) : chosen;
    // An invitation without a usable service is out_of_band's finding; setup's key still connects.
    const found = invitationKey(t, invitation);
    const toKey = 'key' in found ? found.key : setupKey;
    if (!toKey) throw new TestFailure('error' in found ? found.error : 'the invitation has no service with a recipient key');
    const me = t.dids.newIdentity();
    const pthid = String(invitation['@id']);
    const request = handshakeRequest(t, handshake, me, pthid);
    step = 'request';
    const { file } = await t.sendEnvelope(request, { mode: 'authcrypt', to: toKey, expectRefusal: false });
    const response = await responseOrRefusal(t, handshake, file);
    step = 'response';
    if (/problem_report$/.test(String(response.message['@type']))) {
      throw new TestFailure(`the agent answered agtest's request with a problem report: ${String(response.message['problem-code'] ?? response.message['description'] ?? '')} ${JSON.stringify(response.message['explain'] ?? '')}`.trim());
    }
    const reading = readResponse(t, handshake, response.message, toKey);
    const agentKey = reading.key ?? response.envelope?.sender;
    if (!agentKey) throw new TestFailure(`the response's DID gives no key agtest can use (${[...reading.problems, ...reading.unchecked].join('; ') || 'no keys'}) and it came without a proven sender`);
    step = 'complete';
    await t.sendEnvelope(handshakeComplete(t, handshake, request['@id'], pthid), { mode: 'authcrypt', to: agentKey, expectRefusal: false });
    const agtestDid = handshake.family === 'connections' ? me.unqualified.did : handshake.minor >= 1 ? me.did : me.peer1.did;
    session.agentVerkey = agentKey;
    session.sendsEnvelopes = true;
    session.connection = { invitationId: pthid, agentDid: String(reading.did ?? ''), agentVerkey: agentKey, agtestDid };
  } catch (error) {
    if (!(error instanceof TestFailure)) throw error;
    const how = handshake ? `out-of-band + ${handshakeName(handshake)}` : 'out-of-band';
    throw new ConnectionFailure(`could not connect by ${how} before the test (step: ${step}): ${error.message}`, step, prerequisiteOf(handshake));
  }
}

/**
 * The agent's response, or — when the transport could not deliver the request — a failure that
 * says so with the transport's reason (an agent that refuses every message over its transport
 * must be reported for that, not for a missing response).
 */
async function responseOrRefusal(t: TestContext, handshake: Handshake, file: string): Promise<ReceivedMessage> {
  const name = handshake.family === 'didexchange' ? 'DID exchange' : 'connections 1.0';
  const refused = (e: TransportEvent) => e.type === 'undeliverable' && e.file === file;
  const undelivered = (): never => {
    const event = t.transportEvents(refused)[0];
    throw new TestFailure(`the agent refused a well-formed message over ${t.transport}: the ${name} request was undeliverable${event?.type === 'undeliverable' ? ` (${event.status ? `status ${event.status}: ` : ''}${event.reason})` : ''}`);
  };
  // Waits as long as the test may: it only ends early when the transport gives up.
  const refusal = t.transportEvent(refused, { description: 'undeliverable request', timeoutMs: 3_600_000 }).then(undelivered);
  refusal.catch(() => undefined);
  try {
    return await Promise.race([t.receive(isHandshakeAnswer(handshake), { description: `${handshakeName(handshake)} response to agtest's request` }), refusal]);
  } catch (error) {
    if (t.transportEvents(refused).length > 0) undelivered();
    const sent = t.transportEvents((e) => e.type === 'sent' && e.file === file)[0];
    if (error instanceof TestFailure && sent?.type === 'sent') {
      throw new TestFailure(`the ${name} request was delivered over ${t.transport}${sent.status ? ` (status ${sent.status})` : ''}, but no response came back over ${t.transport} (${error.message})`);
    }
    throw error;
  }
}
