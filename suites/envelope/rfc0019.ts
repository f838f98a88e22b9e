import { defineSuite, defineTest, type JsonMessage, type ReceivedMessage, type Rule, type TestContext } from '../define.js';
import { deliveryOf, either, errorStatuses, messageType, ofType, receiveOrNothing, repliesTo } from '../didcomm-v1/message-type.js';

const RFC = 'Aries RFC 0019 (Encryption Envelope)';
/**
 * Keys are exchanged through the backchannel for now: setup gives the agent agtest's verkey
 * (`params.verkey`) and the agent prints its own (`{"verkey": ...}`). Out-of-band invitations and
 * DID exchange will replace that; the envelope rules checked here do not change with it.
 */
const KEYS = 'keys from agact setup (params.verkey in, {"verkey"} out)';
const isPingResponse = ofType('trust_ping', 1, 'ping_response');
const isPing = ofType('trust_ping', 1, 'ping');

function agentKey(t: TestContext): string {
  t.check(t.agentVerkey, `the agent claims envelopes but its setup printed no {"verkey": ...} (${KEYS})`);
  return t.agentVerkey;
}

/** The rules checkAuthcryptFromAgent judges. */
const AUTHCRYPT_RULES: Rule[] = [
  { id: 'envelope', level: 'MUST', cite: `${RFC}, pack output format and Unpack Algorithm`, text: 'the message arrives in an RFC 0019 envelope that agtest can open with its key' },
  {
    id: 'authcrypt',
    level: 'MUST',
    cite: `${RFC}, Authcrypt mode ("When the sender is revealed, we are in authcrypt mode"); Aries RFC 0048, Trust (a ping and its response prove the keys at both ends)`,
    text: "it is Authcrypt, from the agent's key, to agtest's key",
  },
];

/** `received` came in an Authcrypt envelope from the agent's key to agtest's (typ, enc: unpacking checked them). */
function checkAuthcryptFromAgent(t: TestContext, received: ReceivedMessage, what: string): void {
  if (!t.verify('envelope', !received.envelopeError, `${what} arrived as an envelope agtest could not open: ${received.envelopeError?.reason}`)) return;
  if (!t.verify('envelope', received.envelope, `${what} arrived in plaintext (${received.mediaType}), not in an RFC 0019 envelope`) || !received.envelope) return;
  t.verify('authcrypt', received.envelope.alg === 'Authcrypt', `${what} is ${received.envelope.alg}: a reply to an Authcrypt message must be Authcrypt, so that its sender is proven`);
  t.verify('authcrypt', received.envelope.sender === t.agentVerkey, `${what} is from key ${received.envelope.sender}, not the agent's key ${t.agentVerkey} from setup`);
  t.verify('authcrypt', received.envelope.recipient === t.agtestVerkey, `${what} is for key ${received.envelope.recipient}, not agtest's ${t.agtestVerkey}`);
}

function ping(t: TestContext): JsonMessage {
  return { '@type': messageType('trust_ping', '1.0', 'ping'), '@id': t.newId(), response_requested: true, '~transport': { return_route: 'all' } };
}

async function readBack(t: TestContext, content: string): Promise<boolean> {
  const output = (await t.act('received', { type: messageType('basicmessage', '1.0', 'message') })) as { messages?: { content?: unknown }[] } | undefined;
  return (output?.messages ?? []).some((message) => message.content === content);
}

/** One byte of a base64url field flipped, so that the AEAD tag no longer matches. */
function flipped(field: string): string {
  const bytes = Buffer.from(field, 'base64url');
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

/** Beyond this, a refusal has not come; above the warning, it came slowly. */
const SLOW_REFUSAL_LIMIT_MS = 15_000;
const SLOW_REFUSAL_WARN_MS = 2_000;

export const envelopePassive = defineSuite({
  cluster: 'envelope.rfc0019',
  mode: 'passive',
  description: 'The agent opens RFC 0019 envelopes addressed to it and answers in kind.',
  tests: [
    defineTest({
      name: 'unpacks-authcrypt',
      description: 'An Authcrypt ping to the agent key is answered with an Authcrypt ping_response from that key to agtest.',
      spec: `${RFC}: pack_message/unpack_message, Authcrypt mode (the recipient learns the sender's verkey and answers it); ${KEYS}`,
      requires: ['trust_ping.1_0.passive'],
      rules: [
        { id: 'answered', level: 'MUST', cite: `${RFC}, Unpack Algorithm (a sender is included: auth_decrypt); Aries RFC 0048, Roles ("The receiver responds")`, text: 'an Authcrypt ping to the agent key is opened and answered' },
        ...AUTHCRYPT_RULES,
      ],
      async run(t: TestContext) {
        agentKey(t);
        const message = ping(t);
        const id = String(message['@id']);
        await t.sendEnvelope(message, { mode: 'authcrypt' });
        // Any ping_response of this test (or a reply in the ping's thread) will do: threading is trust_ping's check.
        const response = await receiveOrNothing(t, either(isPingResponse, repliesTo(id)), `a ping_response to the Authcrypt ping ${id}`);
        if (!t.verify('answered', response, `no reply to the Authcrypt ping ${id} arrived`) || !response) return;
        checkAuthcryptFromAgent(t, response, 'the ping_response');
      },
    }),
    defineTest({
      name: 'unpacks-anoncrypt',
      description: 'An Anoncrypt ping to the agent key is taken (not refused by the transport); an answer is welcome but not required (no answer is a warning).',
      spec: `${RFC}: Anoncrypt mode (the sender stays anonymous; the recipient opens it with anon_decrypt); ${KEYS}`,
      requires: ['trust_ping.1_0.passive'],
      rules: [
        {
          id: 'not-refused',
          level: 'MUST',
          cite: `${RFC}, Unpack Algorithm, step 3 ("If a sender is NOT included use anon_decrypt")`,
          text: 'an Anoncrypt envelope to the agent key is not refused (an HTTP 4xx answer says the agent would not take it)',
        },
        {
          id: 'answered',
          level: 'policy',
          cite: `${RFC} defines how an Anoncrypt envelope is opened, not that its sender gets an answer (the sender is anonymous; Aries RFC 0048 leaves answering to the agent's policy)`,
          text: 'the Anoncrypt ping is answered (the only way agtest sees that it was opened); no answer, or an HTTP 5xx, is a warning',
        },
        { id: 'readable-answer', level: 'MUST', cite: `${RFC}, pack output format`, text: 'an answer, when there is one, is an envelope agtest can open' },
      ],
      async run(t: TestContext) {
        agentKey(t);
        const message = ping(t);
        const id = String(message['@id']);
        // Its refusal is judged here, not a separate finding.
        const { file } = await t.sendEnvelope(message, { mode: 'anoncrypt', expectRefusal: true });
        // The envelope names no sender: an answer can only go to the peer the session knows.
        const [response, delivery] = await Promise.all([receiveOrNothing(t, either(isPingResponse, repliesTo(id)), `a ping_response to the Anoncrypt ping ${id}`), deliveryOf(t, file)]);
        const statuses = errorStatuses(delivery);
        const refused = statuses.filter((status) => status >= 400 && status < 500);
        t.verify('not-refused', refused.length === 0, `the agent refused the Anoncrypt ping with HTTP ${refused.join(', ')}${delivery.final?.type === 'undeliverable' ? `: ${delivery.final.reason}` : ''}`);
        if (response) {
          t.verify('readable-answer', !response.envelopeError, `the ping_response arrived as an envelope agtest could not open: ${response.envelopeError?.reason}`);
        } else if (refused.length === 0) {
          t.verify('answered', false, `no answer to the Anoncrypt ping ${id}${statuses.length > 0 ? ` (its delivery was answered HTTP ${statuses.join(', ')})` : ''}: agtest cannot see whether it was opened`);
        }
      },
    }),
    defineTest({
      name: 'unpacks-multi-recipient',
      description: "An Authcrypt ping packed for two keys, the agent's listed second, is opened and answered.",
      spec: `${RFC}: pack_message takes a list of receiver verkeys; unpack looks up the kid of each recipient; ${KEYS}`,
      requires: ['trust_ping.1_0.passive'],
      rules: [
        {
          id: 'answered',
          level: 'MUST',
          cite: `${RFC}, Unpack Algorithm, step 2 ("Lookup the kid for each recipient in the wallet to see if the wallet possesses a private key associated with the public key listed"); Aries RFC 0048, Roles ("The receiver responds")`,
          text: "an Authcrypt ping whose protected.recipients lists another key before the agent's is opened and answered",
        },
      ],
      async run(t: TestContext) {
        const key = agentKey(t);
        const message = ping(t);
        const id = String(message['@id']);
        // agtest's own key stands for the other recipient (another agent of the same party, say).
        // A refusal by the transport is judged here (no answer), not a separate finding.
        await t.sendEnvelope(message, { mode: 'authcrypt', to: key, before: [t.agtestVerkey], expectRefusal: true });
        const response = await receiveOrNothing(t, either(isPingResponse, repliesTo(id)), `a ping_response to the ping ${id} packed for two keys`);
        t.verify('answered', response, `no reply to the Authcrypt ping ${id} whose recipients list ${t.agtestVerkey.slice(0, 12)}... before the agent's key: the agent looked only at the first recipient, or refused an envelope for several keys`);
      },
    }),
    defineTest({
      name: 'survives-bad-envelopes',
      timeoutMs: 3 * SLOW_REFUSAL_LIMIT_MS + 10_000,
      description: 'Tampered, misaddressed and garbled envelopes are not acted on, and the agent then still answers a good one.',
      spec: `${RFC}: the AEAD tag authenticates ciphertext and protected header; a recipient unpacks only envelopes with its kid. An agent must drop what fails and keep working (Aries RFC 0035 allows a problem-report)`,
      requires: ['trust_ping.1_0.passive'],
      rules: [
        { id: 'not-taken-in', level: 'MUST NOT', cite: `${RFC}, Unpack Algorithm (the AEAD tag authenticates ciphertext and protected header; only a recipient holding a kid's private key can unpack)`, text: 'a basicmessage in a tampered or misaddressed envelope does not show in read-back' },
        { id: 'keeps-working', level: 'MUST', cite: 'Aries RFC 0048, Roles ("The receiver responds"), for a good ping sent after three bad envelopes', text: 'a good Authcrypt ping sent after the bad envelopes is answered' },
        { id: 'refuses-promptly', level: 'policy', cite: `agtest policy: a sender waits for the answer to its POST (${SLOW_REFUSAL_WARN_MS} ms)`, text: 'each bad envelope is answered (refused or accepted) within 2 s' },
      ],
      async run(t: TestContext) {
        const key = agentKey(t);
        const contents = { tampered: `tampered ${t.newId()}`, misaddressed: `misaddressed ${t.newId()}` };
        const basic = (content: string) => ({ '@type': messageType('basicmessage', '1.0', 'message'), '@id': t.newId(), sent_time: new Date().toISOString(), content });
        const bad = [
          await t.sendEnvelope(basic(contents.tampered), { mode: 'authcrypt', mutate: (envelope) => ({ ...envelope, ciphertext: flipped(envelope.ciphertext) }) }),
          // Packed to agtest's own key: a well-formed envelope that is not for the agent.
          await t.sendEnvelope(basic(contents.misaddressed), { mode: 'authcrypt', to: t.agtestVerkey }),
          await t.sendEnvelope(basic('garbled'), { mode: 'anoncrypt', to: key, mutate: (envelope) => ({ ...envelope, protected: 'e30' }) }),
        ];
        // The good ping must not queue behind a refusal still in flight: wait for each outcome.
        // Strict ordering: each comes after the one before, so the gap is the agent's time.
        let since = performance.now();
        for (const { file } of bad) {
          // The agent's time is until its first answer; retries of an error answer are the adapter's.
          const first = await t.transportEvent((e) => (e.type === 'sent' || e.type === 'undeliverable' || e.type === 'retrying') && e.file === file, {
            description: `the transport's outcome for the bad envelope ${file}`,
            timeoutMs: SLOW_REFUSAL_LIMIT_MS,
          });
          const took = Math.round(performance.now() - since);
          const status = first.type === 'sent' || first.type === 'undeliverable' || first.type === 'retrying' ? first.status : undefined;
          t.verify('refuses-promptly', took <= SLOW_REFUSAL_WARN_MS, `the agent held a bad envelope about ${took} ms before answering${status ? ` ${status}` : ''} (its sender waits that long; it could refuse at once)`);
          const { final } = await deliveryOf(t, file, SLOW_REFUSAL_LIMIT_MS);
          if (!final) t.fail(`the transport reported no outcome for the bad envelope ${file} within ${SLOW_REFUSAL_LIMIT_MS} ms: the adapter is still retrying it`);
          since = performance.now();
        }
        const message = ping(t);
        await t.sendEnvelope(message, { mode: 'authcrypt' });
        // Only that it answers: how it answers is unpacks-authcrypt's check.
        const id = String(message['@id']);
        const answer = await receiveOrNothing(t, either(isPingResponse, repliesTo(id)), `a ping_response to the good ping ${id}`);
        t.verify('keeps-working', answer, `expected a ping_response to the good ping ${id} sent after three bad envelopes; none arrived`);
        t.verify('not-taken-in', !(await readBack(t, contents.tampered)), 'the agent took in a basicmessage whose ciphertext was tampered with');
        t.verify('not-taken-in', !(await readBack(t, contents.misaddressed)), 'the agent took in a basicmessage packed for another key');
      },
    }),
  ],
});

export const envelopeActive = defineSuite({
  cluster: 'envelope.rfc0019',
  mode: 'active',
  description: "What the agent sends on its own comes in a well-formed RFC 0019 envelope from its key.",
  tests: [
    defineTest({
      name: 'sends-authcrypt',
      description: 'send-ping: the ping arrives as an Authcrypt envelope from the agent key to agtest.',
      spec: `${RFC}: Authcrypt from the sender's key; ${KEYS}`,
      requires: ['trust_ping.1_0.active'],
      rules: AUTHCRYPT_RULES,
      async run(t: TestContext) {
        agentKey(t);
        await t.act('send-ping', { response_requested: false });
        const sent = await t.receive((m) => isPing(m) || m.envelopeError !== undefined, { description: 'the ping send-ping asked for' });
        // Its media type is transport.http.active's check.
        checkAuthcryptFromAgent(t, sent, 'the ping');
      },
    }),
  ],
});
