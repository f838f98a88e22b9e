import { decodeVerkey, verkeyToDidKey } from '../envelopes/index.js';
import { validateProfile } from '../profiles/index.js';
import type { Agent, Message } from './agent.js';
import { readBody, sendJson, type Handler } from './http-util.js';
import { sameType } from './message-type.js';
import type { Outbound } from './outbound.js';
import { createBasicMessage } from './protocols/basicmessage.js';
import { createQuery } from './protocols/discover-features.js';
import { createInvitation } from './protocols/out-of-band.js';
import { receiveInvitation } from './protocols/did-exchange.js';
import { createPing } from './protocols/trust-ping.js';

type Params = Record<string, unknown>;
/** An action's answer: HTTP status and JSON body. */
type Answer = [number, Record<string, unknown>];
type Action = (params: Params) => Answer | Promise<Answer>;

const bad = (error: string): Answer => [400, { error }];

/**
 * The backchannel agact-http drives: POST `{"action", "params"}` → JSON object. 501 means "not
 * supported", which agact reports as such rather than as a failure.
 */
export function createBackchannelHandler(agent: Agent, outbound: Outbound, dropConnections: () => void, mediatorStats: () => object): Handler {
  // send-* answer only once the POST is done, so the message is on its way when agact returns.
  const sendNew = async (message: Message): Promise<Answer> =>
    (await outbound.send(message)) ? [200, { id: message['@id'] }] : [502, { error: `could not deliver ${String(message['@type'])} to ${agent.peer ?? '(no peer: call setup first)'}` }];

  const actions: Record<string, Action> = {
    setup(params) {
      const endpoint = params['endpoint'];
      if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return bad('setup needs params.endpoint, a URL');
      const verkey = params['verkey'];
      if (verkey !== undefined) {
        try {
          decodeVerkey(String(verkey));
        } catch (error) {
          return bad(`setup params.verkey: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      agent.reset(endpoint, verkey === undefined ? undefined : String(verkey));
      // agtest names the DID exchange connection the test runs in: what the agent sends goes there.
      const named = params['connection'];
      if (named !== undefined) {
        const did = typeof named === 'object' && named !== null ? (named as Record<string, unknown>)['agent_did'] : undefined;
        const connection = [...agent.connections.values()].find((c) => c.did === did);
        if (!connection) return bad(`setup params.connection.agent_did ${JSON.stringify(did ?? null)} is none of this agent's connections`);
        agent.startConnection(connection.keys, connection.theirKey, connection.theirEndpoint);
      }
      // The agent's own key, for envelope tests: agtest packs to it and checks it signs its envelopes.
      return [200, { verkey: agent.keys.verkey, did: verkeyToDidKey(agent.keys.verkey) }];
    },
    teardown() {
      agent.reset();
      return [200, {}];
    },
    'create-invitation'() {
      if (agent.has('oob-refuse-invitations')) return [403, { error: 'fault oob-refuse-invitations: this agent makes no invitations' }];
      const { invitation, url } = createInvitation(agent);
      return [200, { invitation_url: url, invitation }];
    },
    /** Accepts an out-of-band invitation URL (RFC 0434): DID exchange request, or handshake-reuse. */
    async 'receive-invitation'(params) {
      const url = params['invitation_url'];
      if (typeof url !== 'string') return bad('receive-invitation needs params.invitation_url, a string');
      let invitation = invitationFromUrl(url, agent.has('oob-reject-padding'));
      // RFC 0434, URL Shortening: a URL without oob is fetched (JSON, or a redirect to the oob URL).
      if (invitation === undefined && !/[?&]oob=/.test(url) && !agent.has('oob-no-short-url')) invitation = invitationFromUrl((await fetchShortUrl(url)) ?? '', false);
      if (!isObject(invitation)) return bad('receive-invitation: the URL has no oob parameter holding a Base64Url JSON invitation, and is no shortened URL giving one');
      const accepted = receiveInvitation(agent, invitation);
      if ('error' in accepted) return bad(`receive-invitation: ${accepted.error}`);
      return (await outbound.send(accepted.message, accepted.via)) ? [200, { id: accepted.message['@id'] }] : [502, { error: `could not deliver ${String(accepted.message['@type'])}` }];
    },
    'send-ping'(params) {
      const comment = params['comment'];
      if (comment !== undefined && typeof comment !== 'string') return bad('send-ping params.comment must be a string');
      return sendNew(createPing(agent, params['response_requested'] !== false, comment));
    },
    'send-message'(params) {
      const content = params['content'];
      if (typeof content !== 'string') return bad('send-message needs params.content, a string');
      return sendNew(createBasicMessage(agent, content));
    },
    'send-query'(params) {
      const query = params['query'] ?? '*';
      if (typeof query !== 'string') return bad('send-query params.query must be a string');
      return sendNew(createQuery(agent, query));
    },
    /** Replaces the profiles the agent self-reports (agent-metadata 1.0) with `params.profile`. */
    'load-profile'(params) {
      const checked = validateProfile(params['profile']);
      if (!checked.valid) return bad(`load-profile needs params.profile, an interop profile: ${checked.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
      agent.profiles = [checked.profile];
      return [200, {}];
    },
    /** For transport tests: the connections drop as if the network failed; the agent stays up. */
    'drop-connections'() {
      dropConnections();
      return [200, {}];
    },
    /** What the mediator role did with the forwards it got: a load run accounts for its losses with it. */
    'mediator-stats'() {
      return [200, { ...mediatorStats() }];
    },
    received(params) {
      const type = params['type'];
      if (type !== undefined && typeof type !== 'string') return bad('received params.type must be a string');
      const messages = type === undefined ? agent.received : agent.received.filter((m) => sameType(String(m['@type']), type));
      return [200, { messages }];
    },
  };

  return async (request, response) => {
    if (request.method !== 'POST') return sendJson(response, 405, { error: 'POST {"action", "params"} to this URL' });
    const body = await readBody(request);
    if (body === undefined) return sendJson(response, 413, { error: 'request over 1 MiB' });
    let call: unknown;
    try {
      call = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return sendJson(response, 400, { error: `body is not JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
    if (!isObject(call) || typeof call['action'] !== 'string') return sendJson(response, 400, { error: 'body must be {"action": string, "params": object}' });
    const params = call['params'] ?? {};
    if (!isObject(params)) return sendJson(response, 400, { error: 'params must be an object' });
    const name = call['action'];
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (!action) return sendJson(response, 501, { error: `action not supported: ${name}` });
    const [status, result] = await action(params);
    if (status >= 400) agent.log(`backchannel ${name}: ${status} ${String(result['error'])}`);
    sendJson(response, status, result);
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The invitation in a URL's oob parameter (Base64Url, padded or not), if it holds one. */
function invitationFromUrl(url: string, rejectPadding: boolean): unknown {
  const raw = /[?&]oob=([^&#]+)/.exec(url)?.[1];
  if (raw === undefined || (rejectPadding && /=|%3D/i.test(raw))) return undefined;
  try {
    return JSON.parse(Buffer.from(decodeURIComponent(raw), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A shortened invitation URL, fetched (GET, asking for JSON): an `oob=` URL for invitationFromUrl,
 * from the JSON body re-encoded or from where a redirect led; undefined when it gives neither.
 */
async function fetchShortUrl(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
    if (/application\/json/i.test(response.headers.get('content-type') ?? '')) return `https://invitation.invalid/?oob=${Buffer.from(await response.text()).toString('base64url')}`;
    return response.url;
  } catch {
    return undefined;
  }
}
