import type { TestContext } from '../define.js';
import { clip, declareExtensions, exchange, type HttpAnswer } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { isObject } from './is-object.js';
import { rememberSecurity } from './access.js';
import { NEEDS_CREDENTIALS } from '../define.js';

/** The well-known path of A2A v0.3 and v1.0; `/.well-known/agent.json` is v0.2's. */
export const CARD_PATH = '/.well-known/agent-card.json';
export const LEGACY_CARD_PATH = '/.well-known/agent.json';

/** Required AgentCard members, by version (v1.0 §4.4.1 AgentCard; v0.3 §5.5 AgentCard, its JSON schema's `required`). */
const REQUIRED: Record<A2aVersion['id'], Record<string, 'string' | 'object' | 'array'>> = {
  '1.0': { name: 'string', description: 'string', version: 'string', supportedInterfaces: 'array', capabilities: 'object', defaultInputModes: 'array', defaultOutputModes: 'array', skills: 'array' },
  '0.3': { name: 'string', description: 'string', url: 'string', version: 'string', protocolVersion: 'string', capabilities: 'object', defaultInputModes: 'array', defaultOutputModes: 'array', skills: 'array' },
};

/**
 * Where the card was found: at the URL the user gave (direct configuration, v1.0 §8.2 / v0.3
 * §5.2), at the well-known URI, or only at the v0.2 path.
 */
export type CardLocation = 'given' | 'well-known' | 'legacy';

export interface FoundCard {
  url: string;
  location: CardLocation;
  answer: HttpAnswer;
  card: Record<string, unknown>;
}

export interface CardDiscovery {
  found?: FoundCard;
  /** Every URL asked, with what it answered: the reason when no card is found. */
  tried: { url: string; answered: string }[];
  /** The first candidate refused with 401 / 403: a card behind access control (v0.3 §5.4 allows it). */
  refused?: { url: string; status: number; credentials?: string[] };
}

/**
 * Finds the agent's card the way a client configured with `t.target` would: a URL with a path
 * (other than `/`) names the card itself, and is used when it answers a JSON object; otherwise,
 * and for a base URL, the origin's well-known URI, then the legacy v0.2 path. Each GET goes
 * through the adapter, so every test's transcript shows how its card was found.
 */
export async function discoverCard(t: TestContext, version: A2aVersion): Promise<CardDiscovery> {
  const target = new URL(t.target);
  const candidates: { url: string; location: CardLocation }[] = [];
  if (target.pathname !== '/' && target.pathname !== '') candidates.push({ url: target.href, location: 'given' });
  candidates.push({ url: new URL(CARD_PATH, target).href, location: 'well-known' }, { url: new URL(LEGACY_CARD_PATH, target).href, location: 'legacy' });
  const tried: CardDiscovery['tried'] = [];
  let refused: CardDiscovery['refused'];
  for (const candidate of candidates) {
    const answer = await exchange(t, { method: 'GET', url: candidate.url, headers: { Accept: 'application/json', ...version.headers } }, `GET ${candidate.url}`);
    const card = answer.status === 200 ? jsonObject(answer.body) : undefined;
    if (card) {
      rememberSecurity(t, card);
      return { found: { ...candidate, answer, card }, tried };
    }
    if (!refused && (answer.status === 401 || answer.status === 403)) refused = { url: candidate.url, status: answer.status, ...(answer.credentials ? { credentials: answer.credentials } : {}) };
    tried.push({ url: candidate.url, answered: `HTTP ${answer.status}${answer.status === 200 ? ', not a JSON object' : ''}${answer.body ? ` ${clip(answer.body, 80)}` : ''}` });
  }
  return { tried, ...(refused ? { refused } : {}) };
}

/**
 * No card found, and one place refused it for its credentials: a card behind access control is
 * allowed (v0.3 §5.4), so the test is blocked for credentials, not failed.
 */
export function blockIfCardRefused(t: TestContext, discovery: CardDiscovery): void {
  const { refused } = discovery;
  if (discovery.found || !refused) return;
  const sent = refused.credentials === undefined ? "agtest was given no credentials: give them with --a2a-header 'Name: value' or --a2a-header-env Name=VARIABLE (config: agent.headers)" : refused.credentials.length > 0 ? `it carried the credentials given (${refused.credentials.join(', ')}): check them` : "the credentials given were not sent (another origin than the agent's address)";
  t.block(`the agent refused its card to agtest with HTTP ${refused.status} (GET ${refused.url}): it requires credentials to read it; ${sent} (${describeTried(discovery.tried)})`, NEEDS_CREDENTIALS);
}

function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function describeTried(tried: CardDiscovery['tried']): string {
  return tried.map((entry) => `GET ${entry.url}: ${entry.answered}`).join('; ');
}

const matches = (value: unknown, id: A2aVersion['id']) => typeof value === 'string' && (value === id || value.startsWith(`${id}.`));

/**
 * The A2A versions the card declares: an interface (`supportedInterfaces[]`) of that
 * protocolVersion, a top-level `protocolVersion` 0.3.x, or, for 0.3, the shape of a 0.3 card (a
 * top-level `url` and no `supportedInterfaces`) whose required protocolVersion is missing.
 * `other`: it declares some version agtest does not certify (0.2.x, say).
 */
export function declaredVersions(card: Record<string, unknown>): { versions: Set<A2aVersion['id']>; other: boolean } {
  const versions = new Set<A2aVersion['id']>();
  let other = false;
  const declare = (value: unknown) => {
    if (typeof value !== 'string') return;
    if (matches(value, '1.0')) versions.add('1.0');
    else if (matches(value, '0.3')) versions.add('0.3');
    else other = true;
  };
  const interfaces = Array.isArray(card['supportedInterfaces']) ? card['supportedInterfaces'] : [];
  for (const entry of interfaces) if (isObject(entry)) declare(entry['protocolVersion']);
  declare(card['protocolVersion']);
  if (!('protocolVersion' in card) && !('supportedInterfaces' in card) && typeof card['url'] === 'string') versions.add('0.3');
  return { versions, other };
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** What the card lacks to be a `version` card: each problem a phrase ("skills is missing"). */
export function cardProblems(card: Record<string, unknown>, version: A2aVersion): string[] {
  const problems: string[] = [];
  for (const [member, type] of Object.entries(REQUIRED[version.id])) {
    if (!(member in card)) problems.push(`${member} is missing`);
    else if (typeOf(card[member]) !== type) problems.push(`${member} is ${typeOf(card[member])}, must be ${type}`);
  }
  if (version.id === '1.0' && Array.isArray(card['supportedInterfaces'])) {
    card['supportedInterfaces'].forEach((entry: unknown, index) => {
      for (const member of ['url', 'protocolBinding', 'protocolVersion']) {
        if (!isObject(entry) || typeof entry[member] !== 'string' || entry[member] === '') problems.push(`supportedInterfaces[${index}].${member} is missing or empty`);
      }
    });
  }
  if (Array.isArray(card['skills'])) {
    card['skills'].forEach((skill: unknown, index) => {
      for (const member of ['id', 'name', 'description']) if (!isObject(skill) || typeof skill[member] !== 'string') problems.push(`skills[${index}].${member} is missing`);
      if (!isObject(skill) || !Array.isArray(skill['tags'])) problems.push(`skills[${index}].tags is missing`);
    });
  }
  return problems;
}

/** How the card stands for `version`: not declared (another version is), or valid / invalid for it. */
export function cardStanding(card: Record<string, unknown>, version: A2aVersion): { declared: false; declares: string } | { declared: true; problems: string[] } {
  const { versions, other } = declaredVersions(card);
  // A card that declares no version at all is judged against every version: it is no card of any.
  if (!versions.has(version.id) && (versions.size > 0 || other)) {
    return { declared: false, declares: versions.size > 0 ? [...versions].map((id) => `A2A ${id}`).join(' and ') : 'only A2A versions agtest does not certify' };
  }
  return { declared: true, problems: cardProblems(card, version) };
}

/**
 * The JSON-RPC interface the card declares for `version`: in v1.0 a `supportedInterfaces` entry
 * (`protocolBinding` JSONRPC, `protocolVersion` 1.0); in v0.3 the same, or the top-level `url`
 * with `protocolVersion` 0.3.x and `preferredTransport` JSONRPC (its default).
 */
export function interfaceUrl(card: Record<string, unknown>, version: A2aVersion): string | undefined {
  const interfaces = Array.isArray(card['supportedInterfaces']) ? card['supportedInterfaces'] : [];
  for (const entry of interfaces) {
    if (isObject(entry) && entry['protocolBinding'] === 'JSONRPC' && matches(entry['protocolVersion'], version.id) && typeof entry['url'] === 'string') return entry['url'];
  }
  if (version.id === '0.3' && typeof card['url'] === 'string' && matches(card['protocolVersion'], '0.3')) {
    if (card['preferredTransport'] === undefined || card['preferredTransport'] === 'JSONRPC') return card['url'];
    const extra = Array.isArray(card['additionalInterfaces']) ? card['additionalInterfaces'] : [];
    for (const entry of extra) if (isObject(entry) && entry['transport'] === 'JSONRPC' && typeof entry['url'] === 'string') return entry['url'];
  }
  return undefined;
}

export interface AgentCardView extends FoundCard {
  /** The JSON-RPC URL of the interface for this version. */
  rpcUrl: string;
  claims: { streaming: boolean; push: boolean; extendedCard: boolean };
  /** URIs of extensions the card marks `required: true`. */
  requiredExtensions: string[];
}

/** The card tests: the first fails when no card is found, the second when it is not valid. */
export const cardTest = (version: A2aVersion, name: 'served' | 'required-fields') => `${version.prefix}.card.passive.${name}`;

/**
 * The card every test that is not a card test starts from. No card, or a card invalid for this
 * version: the test is blocked (the card tests carry that failure, once). A version the card does
 * not declare, or declares without a JSON-RPC interface: not-run, the agent does not claim it.
 */
export async function agentCard(t: TestContext, version: A2aVersion): Promise<AgentCardView> {
  const discovery = await discoverCard(t, version);
  blockIfCardRefused(t, discovery);
  const { found, tried } = discovery;
  if (!found) t.block(`no agent card (${describeTried(tried)}), see ${cardTest(version, 'served')}`, cardTest(version, 'served'));
  const { card } = found;
  const standing = cardStanding(card, version);
  if (!standing.declared) t.skip(`the agent card declares ${standing.declares}, not A2A ${version.id}`);
  if (standing.problems.length > 0) t.block(`the agent card is not a valid A2A ${version.id} card (${standing.problems.join('; ')}), see ${cardTest(version, 'required-fields')}`, cardTest(version, 'required-fields'));
  const rpcUrl = interfaceUrl(card, version);
  if (!rpcUrl) t.skip(`the agent card declares no JSON-RPC interface for A2A ${version.id} (agtest tests the JSON-RPC binding only)`);
  const capabilities = isObject(card['capabilities']) ? card['capabilities'] : {};
  const extensions = Array.isArray(capabilities['extensions']) ? capabilities['extensions'] : [];
  const requiredExtensions = extensions.flatMap((e) => (isObject(e) && e['required'] === true && typeof e['uri'] === 'string' ? [e['uri']] : []));
  declareExtensions(t, requiredExtensions);
  return {
    ...found,
    rpcUrl,
    claims: {
      streaming: capabilities['streaming'] === true,
      push: capabilities['pushNotifications'] === true,
      extendedCard: version.id === '1.0' ? capabilities['extendedAgentCard'] === true : card['supportsAuthenticatedExtendedCard'] === true,
    },
    requiredExtensions,
  };
}

