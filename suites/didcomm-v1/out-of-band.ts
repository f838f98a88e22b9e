import { defineSuite, defineTest, type Identity, type JsonMessage, type ReceivedMessage, type TestContext } from '../define.js';
import { handshakeOfRequest, handshakeResponse, readRequest } from './handshake.js';
import { DIDCOMM_PREFIX, LEGACY_PREFIX, parseMessageType } from './message-type.js';

const RFC = 'Aries RFC 0434 (Out-of-Band Protocol 1.1)';
/** An Ed25519 did:key (multicodec 0xed01, base58btc): what an inline service's keys must be. */
const ED25519_DID_KEY = /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44,45}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Decodes the `oob` parameter: Base64Url (RFC 4648 §5), padded or not — RFC 0434: the decoder
 * MUST accept both. Standard Base64's `+` and `/` are not Base64Url. Returns the reason on failure.
 */
export function decodeOobParameter(value: string): { json: JsonMessage; text: string } | { error: string } {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value) || value.replace(/=+$/, '').length % 4 === 1) {
    const bad = value.match(/[^A-Za-z0-9_=-]/)?.[0];
    return { error: bad ? `the oob parameter is not Base64Url: it contains ${JSON.stringify(bad)}${bad === '+' || bad === '/' ? ' (standard Base64, RFC 4648 §4, not Base64Url §5)' : ''}` : 'the oob parameter is not valid Base64Url (bad length or padding)' };
  }
  const text = Buffer.from(value.replace(/=+$/, ''), 'base64url').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: `the oob parameter decodes to something that is not JSON: ${JSON.stringify(text.slice(0, 60))}` };
  }
  return isObject(parsed) ? { json: parsed, text } : { error: 'the oob parameter decodes to JSON that is not an object' };
}

/** Asks for an invitation and decodes it from its URL; fails naming what is wrong with the URL. */
export async function createInvitation(t: TestContext): Promise<{ url: URL; invitation: JsonMessage; text: string }> {
  const output = await t.act('create-invitation', {});
  const printed = isObject(output) ? output['invitation_url'] : undefined;
  t.check(typeof printed === 'string', `agact create-invitation printed ${JSON.stringify(output)}, not {"invitation_url": "..."}`);
  t.check(URL.canParse(printed), `the invitation URL ${JSON.stringify(printed.slice(0, 80))} is not a URL`);
  const url = new URL(printed);
  // Read raw, percent-decoded only: form decoding (URLSearchParams) would turn a "+" into a space
  // and hide that standard Base64 was used.
  const raw = url.search.slice(1).split('&').find((pair) => pair.startsWith('oob='));
  let oob: string | null = null;
  try {
    oob = raw === undefined ? null : decodeURIComponent(raw.slice(4));
  } catch {
    t.fail(`the oob parameter has a malformed percent-escape: ${JSON.stringify(raw!.slice(4, 64))}`);
  }
  if (oob === null) {
    const other = [...url.searchParams.keys()].join(', ');
    t.fail(`the invitation URL has no oob query parameter${other ? ` (it has: ${other})` : ''}; RFC 0434 reserves oob for the message`);
  }
  const decoded = decodeOobParameter(oob);
  if ('error' in decoded) t.fail(decoded.error);
  return { url, invitation: decoded.json, text: decoded.text };
}

/**
 * The invitation for tests of what comes after it (DID exchange): a c_i parameter, standard
 * Base64 or whitespace are out_of_band's findings, not theirs, so they are read anyway.
 */
export async function createInvitationLeniently(t: TestContext): Promise<JsonMessage> {
  const output = await t.act('create-invitation', {});
  const printed = isObject(output) ? output['invitation_url'] : undefined;
  t.check(typeof printed === 'string', `agact create-invitation printed ${JSON.stringify(output)}, not {"invitation_url": "..."}`);
  const raw = /[?&](?:oob|c_i)=([^&#]+)/.exec(printed)?.[1];
  t.check(raw, `the invitation URL ${JSON.stringify(printed.slice(0, 80))} has no oob parameter`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(decodeURIComponent(raw).replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8'));
  } catch {
    t.fail('the oob parameter does not decode to JSON');
  }
  t.check(isObject(parsed), 'the oob parameter does not decode to a JSON object');
  return parsed;
}

/**
 * The key an invitation's first service names: its DID's key, its did:key, or — leniently, since
 * a raw key is out_of_band's finding — a raw base58 verkey. `unresolvable`: a DID agtest cannot read.
 */
export function invitationKey(t: TestContext, invitation: JsonMessage): { key: string } | { error: string; unresolvable?: true } {
  const service: unknown = Array.isArray(invitation['services']) ? invitation['services'][0] : undefined;
  if (typeof service === 'string') {
    const resolved = t.dids.resolve(service);
    if ('error' in resolved) return { error: `the invitation's service is a DID agtest cannot resolve: ${resolved.error}`, unresolvable: true };
    return resolved.key ? { key: resolved.key } : { error: "the invitation's service DID has no key" };
  }
  const keys = isObject(service) ? service['recipientKeys'] : undefined;
  const recipient = Array.isArray(keys) ? String(keys[0]) : '';
  const key = t.dids.didKeyToVerkey(recipient) ?? (/^[1-9A-HJ-NP-Za-km-z]{43,44}$/.test(recipient) ? recipient : undefined);
  return key ? { key } : { error: 'the invitation has no service with an Ed25519 did:key recipient (RFC 0434)' };
}

export const outOfBandActive = defineSuite({
  cluster: 'out_of_band.1_1',
  mode: 'active',
  description: "The agent's out-of-band invitations: the URL form and the message.",
  tests: [
    defineTest({
      name: 'invitation-url',
      description: 'agact create-invitation prints an invitation URL whose oob parameter is the Base64Url-encoded invitation (JSON without whitespace is a SHOULD)',
      spec: `${RFC}, "Standard Out-of-Band Message Encoding": the oob query parameter is required and holds the Base64Url-encoded message; the decoder MUST accept padded and unpadded; whitespace SHOULD be eliminated`,
      async run(t: TestContext) {
        const { invitation, text } = await createInvitation(t);
        t.check(typeof invitation['@type'] === 'string', 'the decoded invitation has no @type');
        if (/\n|": |, "/.test(text)) t.warn('the encoded invitation JSON keeps whitespace (RFC 0434: SHOULD be eliminated to keep the URL short)');
      },
    }),
    defineTest({
      name: 'well-formed',
      description: 'The invitation has the out-of-band/1.x invitation @type, an @id, handshake_protocols and/or requests~attach, and services that are DIDs or inline did-communication blocks with did:key keys',
      spec: `${RFC}, "Invitation": @id is the pthid of responses; one or both of handshake_protocols and requests~attach MUST be included; services items are DIDs or service blocks whose recipientKeys and routingKeys MUST be did:key references`,
      async run(t: TestContext) {
        const { invitation } = await createInvitation(t);
        const type = parseMessageType(invitation['@type']);
        t.check(type && type.family === 'out-of-band' && type.major === 1 && type.name === 'invitation', `@type is ${JSON.stringify(invitation['@type'])}, not ${DIDCOMM_PREFIX}out-of-band/1.1/invitation`);
        if (type.minor < 1) t.warn(`@type is out-of-band/${type.major}.${type.minor}; this cluster is 1.1`);
        if (type.legacy) t.warn(`@type uses the legacy prefix ${LEGACY_PREFIX}`);
        t.check(typeof invitation['@id'] === 'string' && invitation['@id'] !== '', 'the invitation has no @id (responses use it as ~thread.pthid)');
        const handshakes = invitation['handshake_protocols'];
        const requests = invitation['requests~attach'];
        t.check(handshakes !== undefined || requests !== undefined, 'the invitation has neither handshake_protocols nor requests~attach; one or both MUST be included');
        if (handshakes !== undefined) {
          t.check(Array.isArray(handshakes) && handshakes.length > 0 && handshakes.every((p) => typeof p === 'string' && /^(https:\/\/|did:sov:)\S+\/\d+\.\d+$/.test(p)), `handshake_protocols must be a non-empty array of protocol URIs (e.g. https://didcomm.org/didexchange/1.1), got ${JSON.stringify(handshakes)}`);
        }
        if (requests !== undefined) {
          t.check(Array.isArray(requests) && requests.length > 0 && requests.every((a) => isObject(a) && isObject(a['data'])), `requests~attach must be a non-empty array of attachments with data, got ${JSON.stringify(requests).slice(0, 120)}`);
        }
        const services = invitation['services'];
        t.check(Array.isArray(services) && services.length > 0, `services must be a non-empty array, got ${JSON.stringify(services)}`);
        services.forEach((service: unknown, index) => {
          if (typeof service === 'string') {
            t.check(/^did:[a-z0-9]+:\S+$/.test(service), `services[${index}] is the string ${JSON.stringify(service)}, which is not a DID`);
            return;
          }
          t.check(isObject(service), `services[${index}] is neither a DID nor a service block`);
          t.check(service['type'] === undefined || service['type'] === 'did-communication', `services[${index}].type is ${JSON.stringify(service['type'])}; inline blocks are did-communication`);
          const keys = service['recipientKeys'];
          t.check(Array.isArray(keys) && keys.length > 0, `services[${index}].recipientKeys must be a non-empty array`);
          for (const key of [...keys, ...(Array.isArray(service['routingKeys']) ? service['routingKeys'] : [])]) {
            t.check(typeof key === 'string' && ED25519_DID_KEY.test(key), `services[${index}] has key ${JSON.stringify(key)}; recipientKeys and routingKeys MUST be did:key references (Ed25519: did:key:z6Mk…)`);
          }
          const endpoint = service['serviceEndpoint'];
          t.check(typeof endpoint === 'string' && URL.canParse(endpoint), `services[${index}].serviceEndpoint ${JSON.stringify(endpoint)} is not a URI`);
        });
      },
    }),
  ],
});

/** What agtest's invitations offer, best first: DID exchange 1.1 and 1.0 (Aries RFC 0023). */
export const OFFERED_HANDSHAKES = [`${DIDCOMM_PREFIX}didexchange/1.1`, `${DIDCOMM_PREFIX}didexchange/1.0`];

/**
 * agtest's own invitation (DID exchange 1.1 and 1.0 as the handshakes; an inline service with a
 * fresh key of this test, or `service`, e.g. a DID the agent is already connected with), handed to
 * the agent through agact receive-invitation. `identity`: the test's identity whose key it names.
 */
export async function offerInvitation(t: TestContext, service?: string | 'new-did'): Promise<{ invitation: JsonMessage; key: string; did: string; identity: Identity | undefined }> {
  const me = service === undefined || service === 'new-did' ? t.dids.newIdentity() : undefined;
  if (service === 'new-did') service = me!.did;
  const key = me?.verkey ?? t.agtestVerkey;
  const invitation: JsonMessage = {
    '@type': `${DIDCOMM_PREFIX}out-of-band/1.1/invitation`,
    '@id': t.newId(),
    label: 'agtest',
    handshake_protocols: OFFERED_HANDSHAKES,
    services: [service ?? { id: '#inline', type: 'did-communication', recipientKeys: [t.dids.verkeyToDidKey(key)], routingKeys: [], serviceEndpoint: t.endpoint }],
  };
  const url = `${t.endpoint.startsWith('http') ? t.endpoint : 'https://agtest.invalid/'}?oob=${Buffer.from(JSON.stringify(invitation)).toString('base64url')}`;
  await t.act('receive-invitation', { invitation_url: url });
  return { invitation, key, did: me?.did ?? service ?? '', identity: me };
}

const isType = (family: string, name: string) => (m: ReceivedMessage) => {
  const type = parseMessageType(m.message['@type']);
  return type?.family === family && type.major === 1 && type.name === name;
};
const parentThread = (message: JsonMessage): unknown => (isObject(message['~thread']) ? message['~thread']['pthid'] : undefined);

export const outOfBandPassive = defineSuite({
  cluster: 'out_of_band.1_1',
  mode: 'passive',
  description: "The agent takes agtest's out-of-band invitations: it answers with the handshake, in the invitation's thread, and reuses a connection it has.",
  tests: [
    defineTest({
      name: 'accepts-invitation',
      description: "receive-invitation with agtest's invitation: the agent starts DID exchange, its request's ~thread.pthid is the invitation @id",
      spec: `${RFC}, "Responses": the response to an invitation MUST use ~thread.pthid = the invitation @id`,
      async run(t: TestContext) {
        const { invitation } = await offerInvitation(t);
        const request = await t.receive(isType('didexchange', 'request'), { description: "a DID exchange request answering agtest's invitation" });
        t.check(parentThread(request.message) === invitation['@id'], `the request's ~thread.pthid is ${JSON.stringify(parentThread(request.message) ?? null)}, not the invitation @id ${String(invitation['@id'])}`);
      },
    }),
    defineTest({
      name: 'handshake-reuse',
      description: "Connected through an invitation naming agtest's DID, a second invitation naming it gets handshake-reuse on the connection (pthid = the new invitation)",
      spec: `${RFC}, "Reuse Messages": handshake-reuse carries ~thread.pthid = the invitation @id and MUST be encrypted on the existing connection`,
      timeoutMs: 30_000,
      async run(t: TestContext) {
        // Both invitations name the same DID, agtest's DID on the connection: whether a receiver
        // matches the invitation's DID or its peer's DID, it is the connection it has.
        const first = await offerInvitation(t, 'new-did');
        const request = await t.receive(isType('didexchange', 'request'), { description: "a DID exchange request answering agtest's first invitation" });
        const reading = readRequest(t, request.message);
        const theirKey = reading.key ?? request.envelope?.sender;
        if (!theirKey) t.skip(`agtest cannot find the agent's key to connect first (${[...reading.problems, ...reading.unchecked].join('; ') || 'no keys'})`);
        await t.sendEnvelope(handshakeResponse(t, handshakeOfRequest(request.message)!, request.message, first.identity!, first.invitation['@id']), { mode: 'authcrypt', to: theirKey, expectRefusal: false });
        await t.receive(isType('didexchange', 'complete'), { description: 'the DID exchange complete that makes the first connection' });
        const second = await offerInvitation(t, first.did);
        const answer = await t.receive((m) => isType('out-of-band', 'handshake-reuse')(m) || isType('didexchange', 'request')(m), { description: "handshake-reuse (or a new request) answering the invitation that names agtest's DID" });
        if (isType('didexchange', 'request')(answer)) {
          t.warn('the agent started a second connection instead of reusing the one it has (RFC 0434: handshake-reuse)');
          return;
        }
        t.check(answer.envelope, 'handshake-reuse came in plaintext; it MUST be encrypted on the existing connection');
        t.check(answer.envelope.recipient === first.key, `handshake-reuse is encrypted to ${answer.envelope.recipient}, not to agtest's key on the connection`);
        t.check(parentThread(answer.message) === second.invitation['@id'], `handshake-reuse ~thread.pthid is ${JSON.stringify(parentThread(answer.message) ?? null)}, not the invitation @id ${String(second.invitation['@id'])}`);
        await t.sendEnvelope(
          { '@type': `${DIDCOMM_PREFIX}out-of-band/1.1/handshake-reuse-accepted`, '@id': t.newId(), '~thread': { thid: answer.message['@id'], pthid: second.invitation['@id'] } },
          { mode: 'authcrypt', to: theirKey, expectRefusal: false },
        );
      },
    }),
  ],
});
