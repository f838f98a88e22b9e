/**
 * A2A v1.0 card rules the requirement map found unchecked: the REQUIRED members of what a card
 * may hold (provider §4.4.2, security schemes §4.5, signatures §4.4.7), the JWS header of each
 * signature (§8.4.2), and the signature over the canonical card (§8.4.1).
 */
import { constants, createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { defineTest, type Rule, type TestContext, type TestDefinition } from '../define.js';
import { cardStanding, cardTest, describeTried, discoverCard, type FoundCard } from './agent-card.js';
import { clip, exchange } from './client.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';

/** The one member each SecurityScheme kind holds (§4.5.1), with the members it REQUIRES (§4.5.2–§4.5.6). */
const SCHEME_KINDS: Record<string, readonly string[]> = {
  apiKeySecurityScheme: ['location', 'name'],
  httpAuthSecurityScheme: ['scheme'],
  oauth2SecurityScheme: ['flows'],
  openIdConnectSecurityScheme: ['openIdConnectUrl'],
  mtlsSecurityScheme: [],
};
/** The one member OAuthFlows holds (§4.5.7), with the members each flow REQUIRES (§4.5.8–§4.5.10, a2a.proto). */
const FLOW_KINDS: Record<string, readonly string[]> = {
  authorizationCode: ['authorizationUrl', 'tokenUrl', 'scopes'],
  clientCredentials: ['tokenUrl', 'scopes'],
  implicit: [],
  password: [],
  deviceCode: ['deviceAuthorizationUrl', 'tokenUrl', 'scopes'],
};

/** RFC 8785 JSON Canonicalization: members sorted by UTF-16 code units, ES number and string forms, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The field presence of the AgentCard's messages (a2a.proto, v1.0 §5.7): REQUIRED and `optional`
 * fields keep their value whatever it is; message fields (here `of`) are kept and walked; every
 * other known field has implicit presence, and its default value ("", 0, false, [], {}) is dropped.
 */
interface Presence {
  keep: readonly string[];
  of?: Record<string, string>;
}
const PRESENCE: Record<string, Presence> = {
  AgentCard: {
    keep: ['name', 'description', 'supportedInterfaces', 'version', 'capabilities', 'defaultInputModes', 'defaultOutputModes', 'skills', 'documentationUrl', 'iconUrl'],
    of: { supportedInterfaces: 'AgentInterface', provider: 'AgentProvider', capabilities: 'AgentCapabilities', skills: 'AgentSkill', securitySchemes: 'map:SecurityScheme' },
  },
  AgentInterface: { keep: ['url', 'protocolBinding', 'protocolVersion'] },
  AgentProvider: { keep: ['url', 'organization'] },
  AgentCapabilities: { keep: ['streaming', 'pushNotifications', 'extendedAgentCard', 'skillQuery'], of: { extensions: 'AgentExtension' } },
  AgentExtension: { keep: ['params'] },
  AgentSkill: { keep: ['id', 'name', 'description', 'tags'] },
  SecurityScheme: {
    keep: [],
    of: { apiKeySecurityScheme: 'APIKeySecurityScheme', httpAuthSecurityScheme: 'HTTPAuthSecurityScheme', oauth2SecurityScheme: 'OAuth2SecurityScheme', openIdConnectSecurityScheme: 'OpenIdConnectSecurityScheme', mtlsSecurityScheme: 'MutualTlsSecurityScheme' },
  },
  APIKeySecurityScheme: { keep: ['location', 'name'] },
  HTTPAuthSecurityScheme: { keep: ['scheme'] },
  OAuth2SecurityScheme: { keep: ['flows'], of: { flows: 'OAuthFlows' } },
  OpenIdConnectSecurityScheme: { keep: ['openIdConnectUrl'] },
  MutualTlsSecurityScheme: { keep: [] },
  OAuthFlows: { keep: [], of: { authorizationCode: 'AuthorizationCodeOAuthFlow', clientCredentials: 'ClientCredentialsOAuthFlow', implicit: 'ImplicitOAuthFlow', password: 'PasswordOAuthFlow', deviceCode: 'DeviceCodeOAuthFlow' } },
  AuthorizationCodeOAuthFlow: { keep: ['authorizationUrl', 'tokenUrl', 'scopes'] },
  ClientCredentialsOAuthFlow: { keep: ['tokenUrl', 'scopes'] },
  ImplicitOAuthFlow: { keep: [] },
  PasswordOAuthFlow: { keep: [] },
  DeviceCodeOAuthFlow: { keep: ['deviceAuthorizationUrl', 'tokenUrl', 'scopes'] },
};

const isDefault = (value: unknown) => value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

/**
 * The card as v1.0 §8.4.3 verifies it: "Remove properties with default values from the received
 * Agent Card" (step 3), by the field presence rules of §8.4.1 (§5.7). Unknown members are kept.
 */
export function withoutDefaults(value: unknown, type = 'AgentCard'): unknown {
  if (type.startsWith('map:')) return isObject(value) ? Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withoutDefaults(entry, type.slice(4))])) : value;
  if (Array.isArray(value)) return value.map((entry) => withoutDefaults(entry, type));
  const presence = PRESENCE[type];
  if (!presence || !isObject(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [member, entry] of Object.entries(value)) {
    const child = presence.of?.[member];
    if (child && !child.startsWith('map:') && !Array.isArray(entry)) kept[member] = withoutDefaults(entry, child); // a message field: present even when empty
    else if (presence.keep.includes(member) || !isDefault(entry)) kept[member] = child ? withoutDefaults(entry, child) : entry;
  }
  return kept;
}

function decodeHeader(encoded: unknown): Record<string, unknown> | undefined {
  if (typeof encoded !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Missing REQUIRED members of a present object, as "where.member". */
function missing(object: Record<string, unknown>, members: readonly string[], where: string): string[] {
  return members.filter((member) => object[member] === undefined || object[member] === null || object[member] === '').map((member) => `${where}.${member}`);
}

function schemeProblems(card: Record<string, unknown>): { oneOf: string[]; required: string[]; flows: string[] } {
  const found = { oneOf: [] as string[], required: [] as string[], flows: [] as string[] };
  const schemes = card['securitySchemes'];
  if (!isObject(schemes)) return found;
  for (const [name, scheme] of Object.entries(schemes)) {
    const where = `securitySchemes.${name}`;
    const kinds = isObject(scheme) ? Object.keys(SCHEME_KINDS).filter((kind) => scheme[kind] !== undefined) : [];
    if (!isObject(scheme) || kinds.length !== 1) {
      found.oneOf.push(`${where} holds ${kinds.length === 0 ? 'none' : kinds.join(' and ')} of ${Object.keys(SCHEME_KINDS).join(', ')}`);
      continue;
    }
    const kind = kinds[0]!;
    const body = scheme[kind];
    if (!isObject(body)) {
      found.required.push(`${where}.${kind} is not an object`);
      continue;
    }
    found.required.push(...missing(body, SCHEME_KINDS[kind]!, `${where}.${kind}`));
    if (kind !== 'oauth2SecurityScheme' || !isObject(body['flows'])) continue;
    const flows = body['flows'];
    const held = Object.keys(FLOW_KINDS).filter((flow) => flows[flow] !== undefined);
    if (held.length !== 1) {
      found.flows.push(`${where}.${kind}.flows holds ${held.length === 0 ? 'none' : held.join(' and ')} of ${Object.keys(FLOW_KINDS).join(', ')}`);
      continue;
    }
    const flow = flows[held[0]!];
    if (isObject(flow)) found.required.push(...missing(flow, FLOW_KINDS[held[0]!]!, `${where}.${kind}.flows.${held[0]!}`));
    else found.required.push(`${where}.${kind}.flows.${held[0]!} is not an object`);
  }
  return found;
}

/** The card a v1.0 card test judges (as card.ts does): blocked without a valid one, not-run for another version's card. */
async function v1Card(t: TestContext, v: A2aVersion): Promise<FoundCard> {
  const { found, tried } = await discoverCard(t, v);
  if (!found) t.block(`no agent card (${describeTried(tried)}), see ${cardTest(v, 'served')}`, cardTest(v, 'served'));
  const standing = cardStanding(found.card, v);
  if (!standing.declared) t.skip(`the agent card declares ${standing.declares}, not A2A ${v.id}`);
  if (standing.problems.length > 0) t.block(`the agent card is not a valid A2A ${v.id} card, see ${cardTest(v, 'required-fields')}`, cardTest(v, 'required-fields'));
  return found;
}

/** The public key a JWK describes, for the JWS alg; undefined when node cannot read it. */
export function keyOf(jwk: Record<string, unknown>): KeyObject | undefined {
  try {
    return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** Verifies a JWS signature (RFC 7515 §5.2) for the algorithms RFC 7518 and RFC 8037 name; undefined for an alg agtest cannot check. */
export function verifyJws(alg: string, key: KeyObject, input: Buffer, signature: Buffer): boolean | undefined {
  const hash = /^(?:ES|RS|PS)(256|384|512)$/.exec(alg)?.[1];
  if (alg !== 'EdDSA' && alg !== 'Ed25519' && !hash) return undefined;
  const digest = `sha${hash}`;
  try {
    if (!hash) return verifySignature(null, input, key, signature);
    if (alg.startsWith('ES')) return verifySignature(digest, input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (alg.startsWith('RS')) return verifySignature(digest, input, key, signature);
    return verifySignature(digest, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(hash) / 8 }, signature);
  } catch {
    // A key of another type than alg names (an EC key for EdDSA, ...): that signature does not verify.
    return false;
  }
}

export function cardV1Tests(v: A2aVersion): TestDefinition[] {
  const rules: Record<'provider' | 'oneOf' | 'required' | 'flows' | 'signature' | 'header' | 'typ', Rule> = {
    provider: { id: 'provider-members', level: 'MUST', cite: 'A2A v1.0 §4.4.2 AgentProvider (url, organization REQUIRED); §5.7', text: 'A provider has a url and an organization' },
    oneOf: { id: 'scheme-one-of', level: 'MUST', cite: 'A2A v1.0 §4.5.1 SecurityScheme ("A SecurityScheme MUST contain exactly one of the following: apiKeySecurityScheme, httpAuthSecurityScheme, oauth2SecurityScheme, openIdConnectSecurityScheme, mtlsSecurityScheme")', text: 'Each security scheme holds exactly one kind' },
    required: { id: 'scheme-members', level: 'MUST', cite: 'A2A v1.0 §4.5.2–§4.5.10 (APIKey location, name; HTTPAuth scheme; OAuth2 flows; OIDC openIdConnectUrl; flow URLs and scopes REQUIRED); §5.7', text: 'Each security scheme and OAuth flow has its REQUIRED members' },
    flows: { id: 'oauth-flows-one-of', level: 'MUST', cite: 'A2A v1.0 §4.5.7 OAuthFlows ("A OAuthFlows MUST contain exactly one of the following: authorizationCode, clientCredentials, implicit, password, deviceCode")', text: 'An OAuth2 scheme\'s flows hold exactly one flow' },
    signature: { id: 'signature-members', level: 'MUST', cite: 'A2A v1.0 §4.4.7 AgentCardSignature (protected, signature REQUIRED); §5.7', text: 'Each signature has a protected header and a signature' },
    header: { id: 'protected-header', level: 'MUST', cite: 'A2A v1.0 §8.4.2 Signature Format ("The protected header MUST include: alg, typ, kid")', text: "Each signature's protected header is base64url JSON naming alg, typ and kid" },
    typ: { id: 'typ-jose', level: 'SHOULD', cite: 'A2A v1.0 §8.4.2 (typ: "SHOULD be set to \\"JOSE\\" for JWS")', text: 'The protected header\'s typ is JOSE' },
  };
  const verifies: Rule = {
    id: 'verifies',
    level: 'MUST',
    cite: 'A2A v1.0 §8.4.1 Canonicalization Requirements ("the Agent Card content MUST be canonicalized using the JSON Canonicalization Scheme (JCS) as defined in RFC 8785"; "The signatures field itself MUST be excluded from the content being signed"; default values omitted); §8.4.2 (JWS, RFC 7515); §8.4.3 (verification: "Remove properties with default values from the received Agent Card")',
    text: 'A signature whose key can be fetched (jku) verifies over the RFC 8785 canonical card without its signatures and without properties holding their default value',
  };
  return [
    defineTest({
      name: 'optional-members',
      description: 'What the card holds beyond the required members is well-formed: provider, security schemes (one kind each, REQUIRED members, one OAuth flow), signatures (protected and signature; header with alg, typ, kid)',
      spec: 'A2A v1.0 §4.4.2 AgentProvider, §4.4.7 AgentCardSignature, §4.5 Security Objects, §8.4.2 Signature Format; §5.7 (REQUIRED fields)',
      rules: Object.values(rules),
      async run(t: TestContext) {
        const { card } = await v1Card(t, v);
        const provider = card['provider'];
        if (provider !== undefined) {
          const gaps = isObject(provider) ? missing(provider, ['url', 'organization'], 'provider') : ['provider is not an object'];
          t.verify('provider-members', gaps.length === 0, `the card's provider lacks ${gaps.join(', ')}`);
        }
        const schemes = schemeProblems(card);
        for (const problem of schemes.oneOf) t.verify('scheme-one-of', false, `${problem}: a SecurityScheme holds exactly one kind`);
        for (const problem of schemes.required) t.verify('scheme-members', false, `${problem} is missing (REQUIRED)`);
        for (const problem of schemes.flows) t.verify('oauth-flows-one-of', false, `${problem}: OAuthFlows holds exactly one flow`);
        const signatures = Array.isArray(card['signatures']) ? card['signatures'] : [];
        signatures.forEach((signature: unknown, n: number) => {
          const where = `signatures[${n}]`;
          const gaps = isObject(signature) ? missing(signature, ['protected', 'signature'], where) : [`${where} is not an object`];
          if (!t.verify('signature-members', gaps.length === 0, `${gaps.join(', ')} missing (REQUIRED)`) || !isObject(signature)) return;
          const header = decodeHeader(signature['protected']);
          if (!t.verify('protected-header', header !== undefined, `${where}.protected is not base64url-encoded JSON: ${clip(String(signature['protected']), 80)}`) || !header) return;
          const absent = ['alg', 'typ', 'kid'].filter((member) => typeof header[member] !== 'string' || header[member] === '');
          t.verify('protected-header', absent.length === 0, `${where}'s protected header ${JSON.stringify(header)} has no ${absent.join(', ')}`);
          if (typeof header['typ'] === 'string') t.verify('typ-jose', header['typ'] === 'JOSE', `${where}'s protected header has typ ${JSON.stringify(header['typ'])}, not "JOSE"`);
        });
      },
    }),
    defineTest({
      name: 'signature-verifies',
      description: 'Each card signature whose key is published at its jku verifies over the RFC 8785 (JCS) canonical card without signatures',
      spec: 'A2A v1.0 §8.4.1 Canonicalization Requirements (JCS, RFC 8785; signatures excluded), §8.4.2 (JWS; jku), §8.4.3',
      rules: [verifies],
      async run(t: TestContext) {
        const { card } = await v1Card(t, v);
        const signatures = Array.isArray(card['signatures']) ? card['signatures'].filter(isObject) : [];
        if (signatures.length === 0) t.skip('the card is not signed');
        const { signatures: _signatures, ...unsigned } = card;
        const payload = Buffer.from(canonicalJson(withoutDefaults(unsigned)), 'utf8').toString('base64url');
        let judged = 0;
        for (const [n, signature] of signatures.entries()) {
          const header = decodeHeader(signature['protected']);
          const jku = header?.['jku'];
          // Without a jku the key comes from a trusted key store (§8.4.3), which agtest does not have.
          if (!header || typeof jku !== 'string' || typeof header['alg'] !== 'string' || typeof signature['signature'] !== 'string') continue;
          const answer = await exchange(t, { method: 'GET', url: jku }, `GET ${jku} (the JWKS of card signature ${n + 1})`);
          let keys: unknown;
          try {
            const parsed: unknown = JSON.parse(answer.body);
            keys = isObject(parsed) ? parsed['keys'] : undefined;
          } catch {
            keys = undefined;
          }
          // The key the kid names; without a kid (optional-members judges that) any key of the JWKS may be the one.
          const candidates = Array.isArray(keys) ? keys.filter(isObject) : [];
          const jwks = typeof header['kid'] === 'string' ? candidates.filter((key) => key['kid'] === header['kid']).slice(0, 1) : candidates;
          if (jwks.length === 0) {
            judged += 1;
            t.verify('verifies', false, `signature ${n + 1}: ${jku} (HTTP ${answer.status}) holds no key${typeof header['kid'] === 'string' ? ` with kid ${JSON.stringify(header['kid'])}` : ''}`);
            continue;
          }
          const input = Buffer.from(`${String(signature['protected'])}.${payload}`, 'ascii');
          const verdicts = jwks.map((jwk) => {
            const key = keyOf(jwk);
            return key ? verifyJws(header['alg'] as string, key, input, Buffer.from(signature['signature'] as string, 'base64url')) : undefined;
          });
          if (verdicts.every((verdict) => verdict === undefined)) continue; // an algorithm or key type agtest cannot check: not judged
          const valid = verdicts.some((verdict) => verdict === true);
          judged += 1;
          t.verify('verifies', valid, `signature ${n + 1} (alg ${header['alg']}, kid ${JSON.stringify(header['kid'])}) does not verify over the JCS-canonical card without its signatures`);
        }
        if (judged === 0) t.skip('no card signature names a key agtest can fetch (jku) and check');
      },
    }),
  ];
}
