import { defineSuite, defineTest, TestFailure, type Identity, type JsonMessage, type ReceivedMessage, type Rule, type TestContext } from '../define.js';
import { handshakeOfRequest, handshakeResponse, readRequest } from './handshake.js';
import { serveShortUrl, type ShortUrlServer } from './short-url.js';
import { DIDCOMM_PREFIX, LEGACY_PREFIX, parseMessageType, receiveOrNothing } from './message-type.js';

const RFC = 'Aries RFC 0434 (Out-of-Band Protocol 1.1)';
const ENCODING = `${RFC}, Standard Out-of-Band Message Encoding ("The oob query parameter is required"; a URL with a Base64Url encoded json object)`;
/** Read with the invitation: an invitation URL agtest cannot decode stops every check of the invitation. */
const URL_RULE: Rule = { id: 'url', level: 'MUST', cite: ENCODING, text: "agact create-invitation's URL has an oob query parameter holding the Base64Url-encoded invitation, a JSON object" };
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
  t.check(URL.canParse(printed), `the invitation URL ${JSON.stringify(printed.slice(0, 80))} is not a URL [MUST, ${ENCODING}]`);
  const url = new URL(printed);
  // Read raw, percent-decoded only: form decoding (URLSearchParams) would turn a "+" into a space
  // and hide that standard Base64 was used.
  const raw = url.search.slice(1).split('&').find((pair) => pair.startsWith('oob='));
  let oob: string | null = null;
  try {
    oob = raw === undefined ? null : decodeURIComponent(raw.slice(4));
  } catch {
    t.fail(`the oob parameter has a malformed percent-escape: ${JSON.stringify(raw!.slice(4, 64))} [MUST, ${ENCODING}]`);
  }
  if (oob === null) {
    const other = [...url.searchParams.keys()].join(', ');
    t.fail(`the invitation URL has no oob query parameter${other ? ` (it has: ${other})` : ''}; RFC 0434 reserves oob for the message [MUST, ${ENCODING}]`);
  }
  const decoded = decodeOobParameter(oob);
  if ('error' in decoded) t.fail(`${decoded.error} [MUST, ${ENCODING}]`);
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

const WELL_FORMED_RULES: Rule[] = [
  { id: 'type', level: 'MUST', cite: `${RFC}, Invitation (@type, listed without [optional]: "the DIDComm message type"); Aries RFC 0020`, text: 'the invitation @type is an out-of-band/1.x/invitation message type URI' },
  { id: 'type-minor', level: 'policy', cite: 'agtest policy: this cluster tests out-of-band 1.1; a 1.0 invitation is read the same way (Aries RFC 0003)', text: 'the invitation @type is out-of-band/1.1 or later' },
  { id: 'type-prefix', level: 'SHOULD', cite: 'Aries RFC 0348 (Transition Message Type to HTTPs)', text: `the @type uses the ${DIDCOMM_PREFIX} prefix (the legacy ${LEGACY_PREFIX} is accepted)` },
  { id: 'id', level: 'MUST', cite: `${RFC}, Invitation (@id, listed without [optional]: "the unique ID of the message", used as the responses' pthid)`, text: 'the invitation has a non-empty string @id' },
  { id: 'handshake-or-request', level: 'MUST', cite: `${RFC}, Invitation: "One or both of handshake_protocols and requests~attach MUST be included in the message"`, text: 'the invitation has handshake_protocols, requests~attach or both' },
  { id: 'handshake-protocols', level: 'MUST', cite: `${RFC}, Invitation (handshake_protocols: "an array of protocols"); Aries RFC 0003 (protocol URIs)`, text: 'handshake_protocols, when present, is a non-empty array of protocol URIs' },
  { id: 'requests-attach', level: 'MUST', cite: `${RFC}, Invitation (requests~attach: "an attachment decorator containing an array of request messages"); Aries RFC 0017`, text: 'requests~attach, when present, is a non-empty array of attachments with data' },
  { id: 'services', level: 'MUST', cite: `${RFC}, Invitation (services, listed without [optional]: "Each item is either a DIDComm service object ... or a DID")`, text: 'services is a non-empty array whose items are DIDs or service blocks' },
  { id: 'service-type', level: 'policy', cite: `${RFC}, The services Item ("Use only entries where the type is equal to did-communication"; no keyword forbids other entries)`, text: 'inline service blocks are did-communication blocks (others are ignored by receivers)' },
  { id: 'recipient-keys', level: 'MUST', cite: `${RFC}, The services Item (the inline block parallels a DIDDoc service); Aries RFC 0067, Service Conventions (recipientKeys)`, text: 'an inline did-communication block has a non-empty recipientKeys array' },
  { id: 'did-key', level: 'MUST', cite: `${RFC}, The services Item: "The recipientKeys and routingKeys within the inline block decorator MUST be did:key references"; Aries RFC 0019 packs to Ed25519 keys`, text: 'recipientKeys and routingKeys are Ed25519 did:key references' },
  { id: 'endpoint', level: 'MUST', cite: `${RFC}, The services Item and Service Endpoint (the endpoint the response is transmitted to; a DID endpoint's serviceEndpoint MUST be a URI)`, text: 'an inline block has a serviceEndpoint that is a URI' },
];

/** The test that judges how an invitation URL carries its message; well-formed and DID exchange read the message past it. */
const INVITATION_URL_TEST = 'out_of_band.1_1.active.invitation-url';

export const outOfBandActive = defineSuite({
  cluster: 'out_of_band.1_1',
  mode: 'active',
  description: "The agent's out-of-band invitations: the URL form and the message.",
  tests: [
    defineTest({
      name: 'invitation-url',
      description: 'agact create-invitation prints an invitation URL whose oob parameter is the Base64Url-encoded invitation (JSON without whitespace is a SHOULD)',
      spec: `${RFC}, "Standard Out-of-Band Message Encoding": the oob query parameter is required and holds the Base64Url-encoded message; the decoder MUST accept padded and unpadded; whitespace SHOULD be eliminated`,
      rules: [
        URL_RULE,
        { id: 'type', level: 'MUST', cite: `${RFC}, Invitation (@type, listed without [optional]: "the DIDComm message type")`, text: 'the decoded invitation has an @type' },
        { id: 'no-whitespace', level: 'SHOULD', cite: `${RFC}, Standard Out-of-Band Message Encoding: "whitespace from the JSON string SHOULD be eliminated"`, text: 'the encoded invitation JSON has no whitespace' },
      ],
      async run(t: TestContext) {
        const { invitation, text } = await createInvitation(t);
        t.verify('type', typeof invitation['@type'] === 'string', 'the decoded invitation has no @type');
        t.verify('no-whitespace', !/\n|": |, "/.test(text), 'the encoded invitation JSON keeps whitespace (it makes the URL and its QR code longer)');
      },
    }),
    defineTest({
      name: 'well-formed',
      description: 'The invitation has the out-of-band/1.x invitation @type, an @id, handshake_protocols and/or requests~attach, and services that are DIDs or inline did-communication blocks with did:key keys',
      spec: `${RFC}, "Invitation": @id is the pthid of responses; one or both of handshake_protocols and requests~attach MUST be included; services items are DIDs or service blocks whose recipientKeys and routingKeys MUST be did:key references`,
      rules: WELL_FORMED_RULES,
      async run(t: TestContext) {
        // The URL form (oob parameter, Base64Url) is invitation-url's to judge: the message is read leniently here, and
        // an invitation that cannot be read even so (or is not made at all) fails invitation-url, which this test waits for.
        const invitation = await createInvitationLeniently(t).catch((error: unknown) => {
          if (error instanceof TestFailure) t.block(`${error.message}: ${INVITATION_URL_TEST} judges that`, INVITATION_URL_TEST);
          throw error;
        });
        const type = parseMessageType(invitation['@type']);
        if (t.verify('type', type && type.family === 'out-of-band' && type.major === 1 && type.name === 'invitation', `@type is ${JSON.stringify(invitation['@type'])}, not ${DIDCOMM_PREFIX}out-of-band/1.1/invitation`) && type) {
          t.verify('type-minor', type.minor >= 1, `@type is out-of-band/${type.major}.${type.minor}; this cluster is 1.1`);
          t.verify('type-prefix', !type.legacy, `@type uses the legacy prefix ${LEGACY_PREFIX}`);
        }
        t.verify('id', typeof invitation['@id'] === 'string' && invitation['@id'] !== '', 'the invitation has no @id (responses use it as ~thread.pthid)');
        const handshakes = invitation['handshake_protocols'];
        const requests = invitation['requests~attach'];
        t.verify('handshake-or-request', handshakes !== undefined || requests !== undefined, 'the invitation has neither handshake_protocols nor requests~attach; one or both MUST be included');
        if (handshakes !== undefined) {
          t.verify('handshake-protocols', Array.isArray(handshakes) && handshakes.length > 0 && handshakes.every((p) => typeof p === 'string' && /^(https:\/\/|did:sov:)\S+\/\d+\.\d+$/.test(p)), `handshake_protocols must be a non-empty array of protocol URIs (e.g. https://didcomm.org/didexchange/1.1), got ${JSON.stringify(handshakes)}`);
        }
        if (requests !== undefined) {
          t.verify('requests-attach', Array.isArray(requests) && requests.length > 0 && requests.every((a) => isObject(a) && isObject(a['data'])), `requests~attach must be a non-empty array of attachments with data, got ${JSON.stringify(requests).slice(0, 120)}`);
        }
        const services = invitation['services'];
        if (!t.verify('services', Array.isArray(services) && services.length > 0, `services must be a non-empty array, got ${JSON.stringify(services)}`) || !Array.isArray(services)) return;
        services.forEach((service: unknown, index) => {
          if (typeof service === 'string') {
            t.verify('services', /^did:[a-z0-9]+:\S+$/.test(service), `services[${index}] is the string ${JSON.stringify(service)}, which is not a DID`);
            return;
          }
          if (!t.verify('services', isObject(service), `services[${index}] is neither a DID nor a service block`) || !isObject(service)) return;
          if (!t.verify('service-type', service['type'] === undefined || service['type'] === 'did-communication', `services[${index}].type is ${JSON.stringify(service['type'])}; receivers use only did-communication blocks`)) return;
          const keys = service['recipientKeys'];
          t.verify('recipient-keys', Array.isArray(keys) && keys.length > 0, `services[${index}].recipientKeys must be a non-empty array`);
          for (const key of [...(Array.isArray(keys) ? keys : []), ...(Array.isArray(service['routingKeys']) ? service['routingKeys'] : [])]) {
            t.verify('did-key', typeof key === 'string' && ED25519_DID_KEY.test(key), `services[${index}] has key ${JSON.stringify(key)}; recipientKeys and routingKeys MUST be did:key references (Ed25519: did:key:z6Mk…)`);
          }
          const endpoint = service['serviceEndpoint'];
          t.verify('endpoint', typeof endpoint === 'string' && URL.canParse(endpoint), `services[${index}].serviceEndpoint ${JSON.stringify(endpoint)} is not a URI`);
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
export async function offerInvitation(
  t: TestContext,
  service?: string | 'new-did',
  options: { padded?: boolean; shorten?: (invitation: JsonMessage, longUrl: string) => Promise<string> } = {},
): Promise<{ invitation: JsonMessage; key: string; did: string; identity: Identity | undefined }> {
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
  const url = `${t.endpoint.startsWith('http') ? t.endpoint : 'https://agtest.invalid/'}?oob=${options.padded ? paddedOob(invitation) : Buffer.from(JSON.stringify(invitation)).toString('base64url')}`;
  await t.act('receive-invitation', { invitation_url: options.shorten ? await options.shorten(invitation, url) : url });
  return { invitation, key, did: me?.did ?? service ?? '', identity: me };
}

/**
 * offerInvitation, with the agent's refusal of receive-invitation returned (not thrown): where taking
 * the invitation is the test's subject, the refusal is its rule's failure, cited at the rule's level.
 */
async function offerOrRefusal(t: TestContext, options: Parameters<typeof offerInvitation>[2]): Promise<{ invitation: JsonMessage; refusal?: undefined } | { refusal: string }> {
  try {
    return await offerInvitation(t, undefined, options);
  } catch (error) {
    if (error instanceof TestFailure && error.message.startsWith('the agent refused agact receive-invitation')) return { refusal: error.message };
    throw error;
  }
}

/**
 * The invitation as padded Base64Url, as in RFC 0434's own example (a trailing "="): the label
 * grows by a character until the JSON's length needs padding, so that there is some.
 */
function paddedOob(invitation: JsonMessage): string {
  let encoded = Buffer.from(JSON.stringify(invitation)).toString('base64url');
  while (encoded.length % 4 === 0) {
    invitation['label'] = `${String(invitation['label'])}.`;
    encoded = Buffer.from(JSON.stringify(invitation)).toString('base64url');
  }
  return encoded + '='.repeat(4 - (encoded.length % 4));
}

const isType = (family: string, name: string) => (m: ReceivedMessage) => {
  const type = parseMessageType(m.message['@type']);
  return type?.family === family && type.major === 1 && type.name === name;
};
const parentThread = (message: JsonMessage): unknown => (isObject(message['~thread']) ? message['~thread']['pthid'] : undefined);

/** agtest asked the agent (agact receive-invitation) to accept an invitation offering DID exchange: it answers with its request. */
const REQUESTS: Rule = {
  id: 'request',
  level: 'MUST',
  cite: `${RFC}, Roles (the receiver responds with a message of another protocol) and Responses (handshake_protocols only: "Uses the first supported protocol from handshake_protocols to make a new connection"); asked through agact receive-invitation`,
  text: "an invitation offering DID exchange, handed over by receive-invitation, is answered with a DID exchange request",
};

export const outOfBandPassive = defineSuite({
  cluster: 'out_of_band.1_1',
  mode: 'passive',
  description: "The agent takes agtest's out-of-band invitations: it answers with the handshake, in the invitation's thread, and reuses a connection it has.",
  tests: [
    defineTest({
      name: 'accepts-invitation',
      description: "receive-invitation with agtest's invitation: the agent starts DID exchange, its request's ~thread.pthid is the invitation @id",
      spec: `${RFC}, "Responses": the response to an invitation MUST use ~thread.pthid = the invitation @id`,
      rules: [
        REQUESTS,
        { id: 'pthid', level: 'MUST', cite: `Aries RFC 0023, Correlating requests to invitations: "its ~thread.pthid MUST be equal to the @id property of the invitation"; ${RFC}, Invitation (@id "should be used as the parent thread ID")`, text: "the request's ~thread.pthid is the invitation @id" },
      ],
      async run(t: TestContext) {
        const { invitation } = await offerInvitation(t);
        const request = await t.receive(isType('didexchange', 'request'), { description: `a DID exchange request answering agtest's invitation [MUST, ${REQUESTS.cite}]` });
        t.verify('pthid', parentThread(request.message) === invitation['@id'], `the request's ~thread.pthid is ${JSON.stringify(parentThread(request.message) ?? null)}, not the invitation @id ${String(invitation['@id'])}`);
      },
    }),
    defineTest({
      name: 'decodes-padded',
      description: "receive-invitation with agtest's invitation encoded as padded Base64Url (the RFC's own example is padded): the agent starts DID exchange",
      spec: `${RFC}, Out-of-Band Message Processing: the receiver's base64url decoder MUST take padded and unpadded data`,
      rules: [
        {
          id: 'padded',
          level: 'MUST',
          cite: `${RFC}, Out-of-Band Message Processing: "the base64url decode implementation used MUST correctly decode padded and unpadded base64URL encoded data"; Responses (handshake_protocols only: "Uses the first supported protocol from handshake_protocols")`,
          text: "an invitation whose oob parameter is padded Base64Url, handed over by receive-invitation, is answered with a DID exchange request",
        },
      ],
      async run(t: TestContext) {
        const offered = await offerOrRefusal(t, { padded: true });
        if (offered.refusal !== undefined) return void t.verify('padded', false, `${offered.refusal}: it did not take agtest's invitation as padded Base64Url`);
        const { invitation } = offered;
        const request = await receiveOrNothing(t, isType('didexchange', 'request'), `a DID exchange request answering agtest's padded invitation`);
        // Its pthid is accepts-invitation's check: here only that the padded invitation was read.
        t.verify('padded', request, `no DID exchange request answered the invitation ${String(invitation['@id'])} sent as padded Base64Url (the unpadded form is accepts-invitation's check)`);
      },
    }),
    defineTest({
      name: 'short-url',
      description: 'receive-invitation with a shortened URL (no oob parameter) that agtest serves on 127.0.0.1: the agent GETs it and starts DID exchange',
      spec: `${RFC}, URL Shortening: on receipt of a shortened URL the agent MUST GET it (asking for application/json) and process the out-of-band message it gets`,
      rules: [
        { id: 'get', level: 'MUST', cite: `${RFC}, URL Shortening: "On receipt of this form of message, the agent MUST perform an HTTP GET to retrieve the associated out-of-band message"`, text: 'receive-invitation with a shortened URL makes the agent GET it' },
        { id: 'accept-json', level: 'SHOULD', cite: `${RFC}, URL Shortening: "The agent SHOULD include an Accept header requesting the application/json MIME type"`, text: 'the GET asks for application/json' },
        { ...REQUESTS, text: 'the invitation the shortened URL gives (JSON, or a redirect to the oob URL) is answered with a DID exchange request' },
      ],
      async run(t: TestContext) {
        let server: ShortUrlServer | undefined;
        try {
          const offered = await offerOrRefusal(t, { shorten: async (invitation, longUrl) => (server = await serveShortUrl(invitation, longUrl)).url });
          const request = offered.refusal === undefined ? await receiveOrNothing(t, isType('didexchange', 'request'), "a DID exchange request answering agtest's shortened invitation URL") : undefined;
          const hits = server?.hits ?? [];
          const refused = offered.refusal === undefined ? '' : ` (${offered.refusal})`;
          if (!t.verify('get', hits.length > 0, `the agent never fetched the shortened URL ${server?.url ?? ''}${refused}; it MUST GET it to retrieve the invitation`)) return;
          t.verify('accept-json', hits.some((hit) => /application\/json/i.test(hit.headers.accept ?? '')), `the agent's GET asked for ${JSON.stringify(hits[0]?.headers.accept ?? '(no Accept header)')}, not application/json (it got a redirect to the oob URL)`);
          t.verify('request', request, `the agent fetched the shortened URL but sent no DID exchange request for the invitation it got${refused}`);
        } finally {
          await server?.close();
        }
      },
    }),
    defineTest({
      name: 'handshake-reuse',
      description: "Connected through an invitation naming agtest's DID, a second invitation naming it gets handshake-reuse on the connection (pthid = the new invitation)",
      spec: `${RFC}, "Reuse Messages": handshake-reuse carries ~thread.pthid = the invitation @id and MUST be encrypted on the existing connection`,
      rules: [
        REQUESTS,
        { id: 'connects', level: 'MUST', cite: 'Aries RFC 0023, 3. Exchange Complete ("This message is required in the flow")', text: "the first invitation's DID exchange ends with the agent's complete" },
        { id: 'reuse', level: 'MAY', cite: `${RFC}, Reuse Messages: "the connection MAY be reused"; "The receiver may choose to not reuse the existing connection"`, text: "an invitation naming the DID of an existing connection is answered with handshake-reuse, not a new connection" },
        { id: 'encrypted', level: 'MUST', cite: `${RFC}, Reuse Messages: "both the handshake-reuse and handshake-reuse-accepted messages MUST be encrypted and transmitted as normal DIDComm messages"`, text: 'handshake-reuse comes in an envelope' },
        { id: 'on-connection', level: 'MUST', cite: `${RFC}, Reuse Messages ("MUST be encrypted and transmitted as normal DIDComm messages"; Responses: "Send a handshake-reuse message" on the existing connection)`, text: "handshake-reuse is encrypted to agtest's key on the existing connection" },
        { id: 'pthid', level: 'MUST', cite: `${RFC}, Reuse: the items of handshake-reuse ("pthid - the @id of the invitation message") are listed without [optional], as the invitation marks its optional items`, text: "handshake-reuse ~thread.pthid is the new invitation's @id" },
      ],
      timeoutMs: 30_000,
      async run(t: TestContext) {
        // Both invitations name the same DID, agtest's DID on the connection: whether a receiver
        // matches the invitation's DID or its peer's DID, it is the connection it has.
        const first = await offerInvitation(t, 'new-did');
        const request = await t.receive(isType('didexchange', 'request'), { description: `a DID exchange request answering agtest's first invitation [MUST, ${REQUESTS.cite}]` });
        const reading = readRequest(t, request.message);
        const theirKey = reading.key ?? request.envelope?.sender;
        if (!theirKey) t.skip(`agtest cannot find the agent's key to connect first (${[...reading.problems, ...reading.unchecked].join('; ') || 'no keys'})`);
        await t.sendEnvelope(handshakeResponse(t, handshakeOfRequest(request.message)!, request.message, first.identity!, first.invitation['@id']), { mode: 'authcrypt', to: theirKey, expectRefusal: false });
        await t.receive(isType('didexchange', 'complete'), { description: 'the DID exchange complete that makes the first connection [MUST, Aries RFC 0023, 3. Exchange Complete]' });
        const second = await offerInvitation(t, first.did);
        const answer = await t.receive((m) => isType('out-of-band', 'handshake-reuse')(m) || isType('didexchange', 'request')(m), { description: `handshake-reuse (or a new request) answering the invitation that names agtest's DID [MUST, ${REQUESTS.cite}]` });
        if (!t.verify('reuse', !isType('didexchange', 'request')(answer), 'the agent started a second connection instead of reusing the one it has (handshake-reuse)')) return;
        if (t.verify('encrypted', answer.envelope, 'handshake-reuse came in plaintext; it MUST be encrypted on the existing connection') && answer.envelope) {
          t.verify('on-connection', answer.envelope.recipient === first.key, `handshake-reuse is encrypted to ${answer.envelope.recipient}, not to agtest's key on the connection`);
        }
        t.verify('pthid', parentThread(answer.message) === second.invitation['@id'], `handshake-reuse ~thread.pthid is ${JSON.stringify(parentThread(answer.message) ?? null)}, not the invitation @id ${String(second.invitation['@id'])}`);
        await t.sendEnvelope(
          { '@type': `${DIDCOMM_PREFIX}out-of-band/1.1/handshake-reuse-accepted`, '@id': t.newId(), '~thread': { thid: answer.message['@id'], pthid: second.invitation['@id'] } },
          { mode: 'authcrypt', to: theirKey, expectRefusal: false },
        );
      },
    }),
  ],
});
