import { defineSuite, defineTest, type JsonMessage, type TestContext } from '../define.js';
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
async function createInvitation(t: TestContext): Promise<{ url: URL; invitation: JsonMessage; text: string }> {
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
