import { defineSuite, defineTest, type ReceivedMessage, type Rule, type TestContext } from '../define.js';
import { describeMessage, describeProblem, isProblemReport, parseMessageType, threadId } from '../didcomm-v1/message-type.js';

const pthidOf = (message: Record<string, unknown>): unknown => (typeof message['~thread'] === 'object' && message['~thread'] !== null ? (message['~thread'] as Record<string, unknown>)['pthid'] : undefined);
import { answerOf, cmType, clientLink, isCm, keyOf, mediate, register, RFC_0008_THREAD, RFC_0211, type ClientLink } from './client.js';

const THREAD = (what: string): Rule => ({ id: 'thread', level: 'MUST', cite: RFC_0008_THREAD, text: `the ${what}'s ~thread.thid is the request's @id` });
const KEYS_DID_KEY = `${RFC_0211}, Encoding of keys: "All keys are encoded using the did:key method as per RFC0360"`;
const RESULTS = ['client_error', 'server_error', 'no_change', 'success'];
const REQUIRES = ['didexchange.1_1.passive'];

function checkThread(t: TestContext, answer: ReceivedMessage, id: string, what: string): void {
  t.verify('thread', threadId(answer.message) === id, `the ${what} ~thread.thid is ${JSON.stringify(threadId(answer.message) ?? null)}, expected the request @id ${id}`);
}

/** A keylist-update of one key, and its response (undefined, with the failure recorded, when none came). */
async function update(t: TestContext, link: ClientLink, verkey: string, action: 'add' | 'remove', used: Set<string>, options: { thread: boolean }): Promise<{ entry: Record<string, unknown> | undefined; answer: ReceivedMessage } | undefined> {
  const id = t.newId();
  const recipientKey = t.dids.verkeyToDidKey(verkey);
  await link.send({ '@type': cmType('keylist-update'), '@id': id, updates: [{ recipient_key: recipientKey, action }] });
  const answer = await answerOf(t, isCm('keylist-update-response'), id, used, `a keylist-update-response to keylist-update ${action}`);
  if (!t.verify('answered', answer, `no keylist-update-response to agtest's keylist-update (${action} ${recipientKey})`) || !answer) return undefined;
  if (options.thread) checkThread(t, answer, id, 'keylist-update-response');
  const updated = Array.isArray(answer.message['updated']) ? (answer.message['updated'] as unknown[]) : [];
  const entry = updated.find((u): u is Record<string, unknown> => typeof u === 'object' && u !== null && keyOf(t, (u as Record<string, unknown>)['recipient_key']) === verkey);
  return { entry, answer };
}

function checkResult(t: TestContext, found: { entry: Record<string, unknown> | undefined; answer: ReceivedMessage }, action: string): void {
  const { entry } = found;
  t.verify(
    'result',
    entry && entry['action'] === action && RESULTS.includes(String(entry['result'])),
    entry ? `the updated entry for the key has action ${JSON.stringify(entry['action'])} and result ${JSON.stringify(entry['result'] ?? null)}; expected action "${action}" and a result of ${RESULTS.join(', ')}` : `the keylist-update-response lists no entry for the key (${describeMessage(found.answer)})`,
  );
}

/** The keys a keylist-query lists (verkeys), or undefined when none came. */
async function query(t: TestContext, link: ClientLink, used: Set<string>, options: { thread: boolean }): Promise<{ keys: string[]; raw: unknown[]; answer: ReceivedMessage } | undefined> {
  const id = t.newId();
  await link.send({ '@type': cmType('keylist-query'), '@id': id });
  const answer = await answerOf(t, isCm('keylist'), id, used, 'a keylist');
  // Whether a keylist-query is answered at all is keylist-query's rule; elsewhere its absence blocks.
  if (!answer) {
    // A problem-report in its thread is the agent's own word on why (e.g. "message type is not supported").
    const refusal = t.received((m) => isProblemReport(m) && (threadId(m.message) === id || pthidOf(m.message) === id))[0];
    const why = refusal ? `: it answered ${describeProblem(refusal)}` : '';
    if (t.test.endsWith('.keylist-query')) t.verify('answered', false, `no keylist answered agtest's keylist-query${why}`);
    else t.block("no keylist answered agtest's keylist-query, so what the remove did cannot be seen", 'coordinate_mediation.1_0.passive.keylist-query');
    return undefined;
  }
  if (options.thread) checkThread(t, answer, id, 'keylist');
  const listed = Array.isArray(answer.message['keys']) ? (answer.message['keys'] as unknown[]) : [];
  const raw = listed.map((k) => (typeof k === 'object' && k !== null ? (k as Record<string, unknown>)['recipient_key'] : k));
  return { keys: raw.map((k) => keyOf(t, k)).filter((k): k is string => k !== undefined), raw, answer };
}

export const coordinateMediationPassive = defineSuite({
  cluster: 'coordinate_mediation.1_0',
  mode: 'passive',
  description: 'The agent as mediator (Aries RFC 0211): grants or denies mediation, keeps the keylist a client updates, lists it.',
  tests: [
    defineTest({
      name: 'grant',
      description: 'A mediate-request on a connection gets a mediate-grant (endpoint, did:key routing keys) or a mediate-deny, threaded to it.',
      spec: `${RFC_0211}, Flow, Mediation Grant, Mediation Deny`,
      requires: REQUIRES,
      rules: [
        { id: 'answered', level: 'MUST', cite: `${RFC_0211}, Flow: "If the mediator is willing to route messages, it will respond with a mediate-grant message"; Mediation Deny ("notification of the mediator denying the recipient's request")`, text: 'a mediate-request gets a mediate-grant or a mediate-deny' },
        THREAD('mediate-grant or mediate-deny'),
        { id: 'endpoint', level: 'MUST', cite: `${RFC_0211}, Motivation ("The Recipient must know which endpoint and routing key(s) to share") and Mediation Grant (endpoint: "The endpoint reported to mediation client connections")`, text: 'a mediate-grant has an endpoint that is a URI' },
        { id: 'routing-keys', level: 'MUST', cite: `${RFC_0211}, Mediation Grant (routing_keys: "List of keys in intended routing order. Key used as recipient of forward messages")`, text: 'a mediate-grant has a non-empty routing_keys array' },
        { id: 'did-key', level: 'MUST', cite: KEYS_DID_KEY, text: 'every routing key is an Ed25519 did:key' },
      ],
      async run(t) {
        const link = await clientLink(t, { queued: false });
        const id = t.newId();
        await link.send({ '@type': cmType('mediate-request'), '@id': id });
        const answer = await answerOf(t, (m) => isCm('mediate-grant')(m) || isCm('mediate-deny')(m), id, new Set(), 'a mediate-grant or mediate-deny');
        if (!t.verify('answered', answer, "agtest's mediate-request got neither a mediate-grant nor a mediate-deny") || !answer) return;
        checkThread(t, answer, id, parseMessageType(answer.message['@type'])?.name ?? 'answer');
        if (parseMessageType(answer.message['@type'])?.name === 'mediate-deny') return;
        const endpoint = answer.message['endpoint'];
        t.verify('endpoint', typeof endpoint === 'string' && URL.canParse(endpoint), `the mediate-grant endpoint is ${JSON.stringify(endpoint ?? null)}, not a URI`);
        const keys = answer.message['routing_keys'];
        if (!t.verify('routing-keys', Array.isArray(keys) && keys.length > 0, `the mediate-grant routing_keys is ${JSON.stringify(keys ?? null)}, not a non-empty array`) || !Array.isArray(keys)) return;
        const bad = keys.filter((k) => typeof k !== 'string' || t.dids.didKeyToVerkey(k) === undefined);
        t.verify('did-key', bad.length === 0, `routing key(s) ${bad.map((k) => JSON.stringify(k)).join(', ')} are not Ed25519 did:key`);
      },
    }),
    defineTest({
      name: 'keylist-update',
      description: 'Once granted, a keylist-update adding a key gets a keylist-update-response with that key, action add and a result.',
      spec: `${RFC_0211}, Keylist Update, Keylist Update Response`,
      requires: REQUIRES,
      rules: [
        { id: 'answered', level: 'MUST', cite: `${RFC_0211}, Keylist Update Response ("Confirmation of requested keylist updates")`, text: 'a keylist-update gets a keylist-update-response' },
        THREAD('keylist-update-response'),
        { id: 'result', level: 'MUST', cite: `${RFC_0211}, Keylist Update Response (updated: recipient_key, action, and result: "One of client_error, server_error, no_change, success")`, text: 'the response lists the key with action add and a result of client_error, server_error, no_change or success' },
        { id: 'success', level: 'policy', cite: `agtest policy: ${RFC_0211}, Flow ("When a new key is used by the recipient, it must be registered with the mediator"); a granted client's new key is expected to register`, text: "a new key's add, after a grant, reports success" },
      ],
      async run(t) {
        const link = await clientLink(t, { queued: false });
        const used = new Set<string>();
        await mediate(t, link, used);
        const found = await update(t, link, t.dids.newRecipientKey(), 'add', used, { thread: true });
        if (!found) return;
        checkResult(t, found, 'add');
        // A missing or unknown result is the result rule's failure; which result it is, only then.
        if (found.entry && RESULTS.includes(String(found.entry['result']))) t.verify('success', found.entry['result'] === 'success', `adding a new key reported result ${JSON.stringify(found.entry['result'] ?? null)}, not success`);
      },
    }),
    defineTest({
      name: 'keylist-query',
      description: 'A keylist-query after adding a key gets a keylist that lists it (did:key).',
      spec: `${RFC_0211}, Key List Query, Key List`,
      requires: REQUIRES,
      rules: [
        { id: 'answered', level: 'MUST', cite: `${RFC_0211}, Key List ("Response to key list query, containing retrieved keys")`, text: 'a keylist-query gets a keylist' },
        THREAD('keylist'),
        { id: 'lists-key', level: 'MUST', cite: `${RFC_0211}, Key List Query ("Query mediator for a list of keys registered for this connection")`, text: 'the keylist lists the key the client registered' },
        { id: 'did-key', level: 'MUST', cite: KEYS_DID_KEY, text: 'the keys of the keylist are did:key' },
      ],
      async run(t) {
        const link = await clientLink(t, { queued: false });
        const used = new Set<string>();
        await mediate(t, link, used);
        const key = t.dids.newRecipientKey();
        await register(t, link, key, used);
        const listed = await query(t, link, used, { thread: true });
        if (!listed) return;
        t.verify('lists-key', listed.keys.includes(key), `the keylist (${listed.raw.length} key(s)) does not list the key agtest registered, ${t.dids.verkeyToDidKey(key)}`);
        const bad = listed.raw.filter((k) => typeof k !== 'string' || !k.startsWith('did:key:'));
        t.verify('did-key', bad.length === 0, `keylist key(s) ${bad.slice(0, 3).map((k) => JSON.stringify(k)).join(', ')} are not did:key`);
      },
    }),
    defineTest({
      name: 'keylist-remove',
      description: 'A keylist-update removing a registered key gets a result, and the keylist no longer lists the key.',
      spec: `${RFC_0211}, Flow ("keylist-update and keylist-query methods are used over time to identify and remove keys"), Keylist Update`,
      requires: REQUIRES,
      rules: [
        { id: 'answered', level: 'MUST', cite: `${RFC_0211}, Keylist Update Response ("Confirmation of requested keylist updates")`, text: 'the keylist-update (remove) gets a keylist-update-response' },
        // No thread rule: how answers are threaded is keylist-update's and keylist-query's subject
        // (a mediator that threads them wrong fails those tests, not this one too).
        { id: 'removed', level: 'MUST', cite: `${RFC_0211}, Flow ("used over time to identify and remove keys that are no longer in use") and Key List Query ("keys registered for this connection")`, text: 'after a remove reported success, the keylist no longer lists the key' },
      ],
      async run(t) {
        const link = await clientLink(t, { queued: false });
        const used = new Set<string>();
        await mediate(t, link, used);
        const key = t.dids.newRecipientKey();
        await register(t, link, key, used);
        const found = await update(t, link, key, 'remove', used, { thread: false });
        if (!found) return;
        // The response's form is keylist-update's subject; here only what the remove did counts.
        if (['client_error', 'server_error'].includes(String(found.entry?.['result']))) return;
        const listed = await query(t, link, used, { thread: false });
        if (listed) t.verify('removed', !listed.keys.includes(key), `the keylist still lists ${t.dids.verkeyToDidKey(key)} after its remove reported success`);
      },
    }),
  ],
});
