/**
 * An agent may refuse a request at the HTTP layer for lack of credentials (401 / 403, a body that
 * is no JSON-RPC response): A2A v1.0 §7.4 / v0.3 §4.4 let it, when its card declares the security
 * it requires. That is no protocol fault, and the tests that needed the call are blocked, never
 * failed. One test per version, `card.passive.access`, carries the account: blocked for
 * credentials when the card declares them, failed when the agent requires what its card does not
 * declare (then every other test is blocked by it).
 */
import { NEEDS_CREDENTIALS, type Rule, type TestContext } from '../define.js';
import { isObject } from './is-object.js';
import type { A2aVersion } from './protocol-version.js';

/** What of an HTTP answer (client.ts HttpAnswer) a refusal is judged by; client.ts imports this file, so not that type. */
interface HttpAnswer {
  status: number;
  body: string;
  credentials?: string[];
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** The probe test of a version: what an HTTP-layer refusal is blocked by. */
export const accessTest = (v: A2aVersion) => `${v.prefix}.card.passive.access`;

/** What the card says of authentication: whether it declares any, and its schemes in words. */
export interface DeclaredSecurity {
  declared: boolean;
  /** It requires them: `security` (v0.3) / `securityRequirements` (v1.0) is a non-empty list. */
  required: boolean;
  /** `apiKey: http bearer; oauth: OAuth 2.0`, or `none` */
  schemes: string;
}

const declaredBy = new WeakMap<TestContext, DeclaredSecurity>();

/** Remembers what the test's card declares, for the refusals its calls may meet. */
export function rememberSecurity(t: TestContext, card: Record<string, unknown>): void {
  declaredBy.set(t, declaredSecurity(card));
}

/** v1.0 `securitySchemes` (one-of objects) and `securityRequirements`; v0.3 OpenAPI-style `securitySchemes` and `security`. */
export function declaredSecurity(card: Record<string, unknown>): DeclaredSecurity {
  const schemes = isObject(card['securitySchemes']) ? Object.entries(card['securitySchemes']) : [];
  const required = [card['security'], card['securityRequirements']].some((list) => Array.isArray(list) && list.length > 0);
  return { declared: schemes.length > 0 || required, required, schemes: schemes.length > 0 ? schemes.map(([name, scheme]) => `${name}, ${schemeKind(scheme)}`).join('; ') : required ? 'security requirements without schemes' : 'none' };
}

function schemeKind(scheme: unknown): string {
  if (!isObject(scheme)) return 'unreadable';
  const text = (value: unknown) => (typeof value === 'string' ? value : '?');
  // v0.3 (OpenAPI): a `type`.
  if (typeof scheme['type'] === 'string') {
    if (scheme['type'] === 'http') return `http ${text(scheme['scheme']).toLowerCase()}`;
    if (scheme['type'] === 'apiKey') return `API key in ${text(scheme['in'])} ${text(scheme['name'])}`;
    return scheme['type'];
  }
  // v1.0: exactly one of these members (§4.5.1).
  const http = scheme['httpAuthSecurityScheme'];
  if (isObject(http)) return `http ${text(http['scheme']).toLowerCase()}`;
  const apiKey = scheme['apiKeySecurityScheme'];
  if (isObject(apiKey)) return `API key in ${text(apiKey['location'])} ${text(apiKey['name'])}`;
  const kinds: Record<string, string> = { oauth2SecurityScheme: 'OAuth 2.0', openIdConnectSecurityScheme: 'OpenID Connect', mtlsSecurityScheme: 'mutual TLS' };
  const kind = Object.keys(kinds).find((key) => key in scheme);
  return kind ? kinds[kind]! : Object.keys(scheme).join('/') || 'empty';
}

/** Refused at the HTTP layer: 401 (not authenticated) or 403 (not allowed). */
export function refusedAtHttp(answer: HttpAnswer): boolean {
  return answer.status === 401 || answer.status === 403;
}

const HOW = "give them with --a2a-header 'Name: value' or --a2a-header-env Name=VARIABLE (config: agent.headers)";

/** What the credentials did for this request, in words. */
function credentialsSent(t: TestContext, answer: HttpAnswer, url: string): string {
  if (answer.credentials === undefined) return 'agtest was given no credentials';
  if (answer.credentials.length > 0) return `it carried the credentials given (${answer.credentials.join(', ')}): check them`;
  const origin = URL.canParse(url) ? new URL(url).origin : url;
  return `the credentials given were not sent: ${origin} is not the origin of the agent's address ${new URL(t.target).origin}, and agtest sends them there only`;
}

/** The full account of a refusal: what was refused, how, what the card declares, what to do. */
export function refusalAccount(t: TestContext, answer: HttpAnswer, what: string, url: string): string {
  const security = declaredBy.get(t) ?? { declared: false, required: false, schemes: 'none' };
  const body = answer.body ? ` ${clip(answer.body, 160)}` : '';
  const sent = credentialsSent(t, answer, url);
  if (security.declared) return `the agent requires credentials (card security: ${security.schemes}) and refused agtest's ${what} with HTTP ${answer.status}${body}; ${sent}${answer.credentials === undefined ? `: ${HOW}` : ''}`;
  return `${what} was refused with HTTP ${answer.status}${body} (${sent}), but the agent card declares no security scheme, so no client can know which credentials it requires`;
}

/**
 * A call of any test but the probe that was refused at the HTTP layer: the test is blocked, by the
 * operator's credentials when the card declares security, else by the probe (which fails).
 */
export function blockRefused(t: TestContext, v: A2aVersion, answer: HttpAnswer, what: string): never {
  const security = declaredBy.get(t);
  if (security?.declared) t.block(`${what}: refused with HTTP ${answer.status} for lack of credentials (${answer.credentials?.length ? 'the credentials given were refused' : 'none sent'}), see ${accessTest(v)}`, NEEDS_CREDENTIALS);
  t.block(`${what}: refused with HTTP ${answer.status}, and the card declares no security scheme: ${accessTest(v)} judges that`, accessTest(v));
}

/** A card that requires security: a call without credentials must not be served (v1.0 §3.3.2, §7.4; v0.3 §4.4). */
export function enforcedRule(v: A2aVersion): Rule {
  return {
    id: 'rejects-missing',
    level: 'MUST',
    cite:
      v.id === '1.0'
        ? 'A2A v1.0 §3.3.2 Authentication Errors ("Servers MUST reject requests with invalid or missing authentication credentials"); §7.4 ("MUST authenticate every incoming request")'
        : 'A2A v0.3 §4.4 Server Responsibilities for Authentication ("MUST authenticate every incoming request based on the provided HTTP credentials and its declared authentication requirements from its Agent Card")',
    text: 'When the card requires security (security / securityRequirements), a send without credentials is refused, not served',
  };
}

export function accessRule(v: A2aVersion): Rule {
  return {
    id: 'declared-auth',
    level: 'MUST',
    cite:
      v.id === '1.0'
        ? 'A2A v1.0 §7.4 Server Authentication Responsibilities ("MUST authenticate every incoming request based on the provided credentials and its declared authentication requirements"); §7.3 (a client discovers the required schemes in securitySchemes)'
        : 'A2A v0.3 §4.4 Server Responsibilities for Authentication ("MUST authenticate every incoming request based on the provided HTTP credentials and its declared authentication requirements from its Agent Card"); §4.3',
    text: 'An agent that refuses requests at the HTTP layer (401 / 403) for their credentials declares the security it requires in its card',
  };
}
