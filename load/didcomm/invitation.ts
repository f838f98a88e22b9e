/**
 * Reading an out-of-band invitation URL (Aries RFC 0434) the way a receiver must: the `oob`
 * parameter holds the Base64Url JSON invitation (padded or not); its first service gives the key to
 * pack the DID exchange request to and the endpoint to send it to. A URL that breaks this is the
 * agent's protocol error, counted as such.
 */
import { didKeyToVerkey, EnvelopeError, resolvePeerDid } from '../../envelopes/index.js';
import { isLoopbackHost } from '../engine/loopback.js';
import { LoadStepError, type ScenarioContext } from '../scenario.js';

export interface ReadInvitation {
  invitation: Record<string, unknown>;
  id: string;
  /** The base58 verkey the request is packed to. */
  key: string;
  /** Where the request goes (ws://, wss://, http://, https://). */
  endpoint: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const bad = (message: string): never => {
  throw new LoadStepError('protocol', message);
};

export type DidcommTransport = 'ws' | 'http';
const SCHEME: Record<DidcommTransport, RegExp> = { ws: /^wss?:\/\//, http: /^https?:\/\// };

/** One service of the invitation as a receiver can use it, or why it cannot. */
function readService(service: unknown): { key: string; endpoint: string } | { error: string } {
  let key: string | undefined;
  let endpoint: string | undefined;
  try {
    if (typeof service === 'string') {
      const resolved = resolvePeerDid(service);
      key = resolved.services[0]?.recipientKeys[0] ?? resolved.verkeys[0];
      endpoint = resolved.services[0]?.serviceEndpoint;
    } else if (isObject(service)) {
      const keys = service['recipientKeys'];
      key = Array.isArray(keys) && typeof keys[0] === 'string' ? didKeyToVerkey(keys[0]) : undefined;
      endpoint = typeof service['serviceEndpoint'] === 'string' ? service['serviceEndpoint'] : undefined;
    }
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return { error: `the invitation's service cannot be used: ${error.message}` };
  }
  if (!key) return { error: 'the invitation has no service with an Ed25519 recipient key' };
  if (!endpoint || !SCHEME.ws.test(endpoint) && !SCHEME.http.test(endpoint)) return { error: `the invitation's service endpoint ${JSON.stringify(endpoint ?? null)} is no ws(s):// or http(s):// URL` };
  return { key, endpoint };
}

/**
 * Reads an invitation URL. `prefer` picks, among the invitation's usable services, the first whose
 * endpoint speaks that transport; an invitation that offers only the other is used as it is.
 */
export function readInvitationUrl(url: string, prefer?: DidcommTransport): ReadInvitation {
  const raw = /[?&]oob=([^&#]+)/.exec(url)?.[1];
  if (raw === undefined) bad(`the invitation URL has no oob parameter (Aries RFC 0434): ${url.slice(0, 80)}`);
  let invitation: unknown;
  try {
    invitation = JSON.parse(Buffer.from(decodeURIComponent(raw!).replace(/=+$/, ''), 'base64url').toString('utf8'));
  } catch {
    bad('the oob parameter is not Base64Url JSON (Aries RFC 0434)');
  }
  if (!isObject(invitation)) return bad('the oob parameter is not a JSON object');
  const id = invitation['@id'];
  if (typeof id !== 'string' || id === '') bad('the invitation has no @id');
  const services = (Array.isArray(invitation['services']) ? invitation['services'] : []).map(readService);
  const usable = services.filter((service): service is { key: string; endpoint: string } => !('error' in service));
  const chosen = (prefer ? usable.find((service) => SCHEME[prefer].test(service.endpoint)) : undefined) ?? usable[0];
  if (!chosen) return bad(services[0] && 'error' in services[0] ? services[0].error : 'the invitation has no services (Aries RFC 0434)');
  return { invitation, id: id as string, key: chosen.key, endpoint: chosen.endpoint };
}

/**
 * An invitation whose endpoint is not loopback, in a run that does not allow remote targets, ends
 * the run (exit 2, as a remote target named up front does): the agent decides where its peers
 * connect, so the check can only be made when the first invitation comes.
 */
export function checkInvitationTarget(invitation: ReadInvitation, ctx: Pick<ScenarioContext, 'allowRemote' | 'stopRun'>): void {
  if (ctx.allowRemote || isLoopbackHost(new URL(invitation.endpoint).hostname)) return;
  const reason = `the invitation's endpoint ${invitation.endpoint} is not loopback: load goes to loopback only unless you allow remote targets (--allow-remote)`;
  ctx.stopRun(reason);
  throw new LoadStepError('other', reason);
}
