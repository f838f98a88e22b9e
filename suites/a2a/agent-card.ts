import type { TestContext } from '../define.js';
import { clip, exchange, type HttpAnswer } from './client.js';
import type { A2aVersion } from './protocol-version.js';
import { isObject } from './is-object.js';

/** The well-known path of A2A v0.3 and v1.0; `/.well-known/agent.json` is v0.2's. */
export const CARD_PATH = '/.well-known/agent-card.json';
export const LEGACY_CARD_PATH = '/.well-known/agent.json';

export interface AgentCardView {
  card: Record<string, unknown>;
  answer: HttpAnswer;
  /** The JSON-RPC URL of the interface for this version. */
  rpcUrl: string;
  claims: { streaming: boolean; push: boolean; extendedCard: boolean };
  /** URIs of extensions the card marks `required: true`. */
  requiredExtensions: string[];
}

/** GETs the card (as a client of `version` would); `card` is set when it is a JSON object. */
export async function fetchCard(t: TestContext, version: A2aVersion, path = CARD_PATH): Promise<{ answer: HttpAnswer; card?: Record<string, unknown> }> {
  const answer = await exchange(t, { method: 'GET', url: path, headers: { Accept: 'application/json', ...version.headers } }, `GET ${path}`);
  if (answer.status !== 200) return { answer };
  try {
    const parsed: unknown = JSON.parse(answer.body);
    return isObject(parsed) ? { answer, card: parsed } : { answer };
  } catch {
    return { answer };
  }
}

/**
 * The JSON-RPC interface the card declares for `version`: in v1.0 a `supportedInterfaces` entry
 * (`protocolBinding` JSONRPC, `protocolVersion` 1.0); in v0.3 the same, or the top-level `url`
 * with `protocolVersion` 0.3.x and `preferredTransport` JSONRPC (its default).
 */
export function interfaceUrl(card: Record<string, unknown>, version: A2aVersion): string | undefined {
  const sameVersion = (value: unknown) => typeof value === 'string' && (value === version.id || value.startsWith(`${version.id}.`));
  const interfaces = Array.isArray(card['supportedInterfaces']) ? card['supportedInterfaces'] : [];
  for (const entry of interfaces) {
    if (isObject(entry) && entry['protocolBinding'] === 'JSONRPC' && sameVersion(entry['protocolVersion']) && typeof entry['url'] === 'string') return entry['url'];
  }
  if (version.id === '0.3' && typeof card['url'] === 'string' && sameVersion(card['protocolVersion'])) {
    if (card['preferredTransport'] === undefined || card['preferredTransport'] === 'JSONRPC') return card['url'];
    const extra = Array.isArray(card['additionalInterfaces']) ? card['additionalInterfaces'] : [];
    for (const entry of extra) if (isObject(entry) && entry['transport'] === 'JSONRPC' && typeof entry['url'] === 'string') return entry['url'];
  }
  return undefined;
}

/**
 * The card a test of `version` starts from. No card: the test fails (nothing of A2A can be
 * reached without it). No interface for this version: the test is not-run, because the agent
 * does not claim this version.
 */
export async function agentCard(t: TestContext, version: A2aVersion): Promise<AgentCardView> {
  const { answer, card } = await fetchCard(t, version);
  if (!card) t.fail(`no agent card: GET ${CARD_PATH} answered HTTP ${answer.status} ${clip(answer.body, 120)}`);
  const rpcUrl = interfaceUrl(card, version);
  if (!rpcUrl) t.skip(`the agent card declares no JSON-RPC interface for A2A ${version.id}`);
  const capabilities = isObject(card['capabilities']) ? card['capabilities'] : {};
  const extensions = Array.isArray(capabilities['extensions']) ? capabilities['extensions'] : [];
  return {
    card,
    answer,
    rpcUrl,
    claims: {
      streaming: capabilities['streaming'] === true,
      push: capabilities['pushNotifications'] === true,
      extendedCard: version.id === '1.0' ? capabilities['extendedAgentCard'] === true : card['supportsAuthenticatedExtendedCard'] === true,
    },
    requiredExtensions: extensions.flatMap((e) => (isObject(e) && e['required'] === true && typeof e['uri'] === 'string' ? [e['uri']] : [])),
  };
}
