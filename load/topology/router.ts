/**
 * The mediator under test, as the command reaches it: `--router URL`, an out-of-band invitation URL
 * (its `oob` parameter, Aries RFC 0434) or an HTTP URL that answers with one (GET, else the
 * backchannel's POST {"action": "create-invitation"}); with no URL, the built-in reference agent
 * (its mediator role) started as a child process on WebSocket, and stopped at the end.
 */
import { Pool } from 'undici';
import { AgtestError } from '../../common/index.js';
import { referenceAgentCommand, startAgent, type StartedAgent } from '../didcomm/agent-process.js';
import { readInvitationUrl, type ReadInvitation } from '../didcomm/invitation.js';
import { httpInvite } from '../didcomm/invite.js';
import { isLoopbackHost } from '../engine/loopback.js';

export interface Router {
  /** The first invitation (its endpoint is where every agent connects). */
  invitation: ReadInvitation;
  /**
   * An invitation for one more agent: a fresh one when the router gives invitations (an HTTP URL,
   * the built-in mediator: invitations may be single-use, as Credo's are by default), else the same.
   */
  invite(): Promise<ReadInvitation>;
  /** Every agent uses the same invitation (an invitation URL given as --router). */
  shared: boolean;
  /** What the report names: the URL given, or "built-in reference mediator". */
  name: string;
  /** The built-in mediator's process (for generator health and its exit). */
  agent?: StartedAgent;
  close(): Promise<void>;
}

export interface RouterOptions {
  router?: string;
  /** Built-in reference mediator only: named faults (reference-agent/faults.ts). */
  faults?: readonly string[];
  allowRemote: boolean;
  log(line: string): void;
}

const fail = (message: string, cause?: unknown): never => {
  throw new AgtestError('AGTEST_LOAD_ROUTER_FAILED', message, cause === undefined ? {} : { cause });
};

function readInvitation(url: string, from: string): ReadInvitation {
  let invitation: ReadInvitation;
  try {
    invitation = readInvitationUrl(url, 'ws');
  } catch (error) {
    return fail(`${from}: the invitation cannot be used: ${(error as Error).message}`, error);
  }
  if (!/^wss?:\/\//.test(invitation.endpoint)) fail(`${from}: the mediator's invitation offers no WebSocket endpoint (its service is ${invitation.endpoint}); virtual agents are mediated over WebSocket (Aries RFC 0092 return route)`);
  return invitation;
}

/** An HTTP URL that answers with an invitation: a bare URL, {"invitation_url": …} or {"url": …}. */
async function fetchInvitationUrl(url: string): Promise<string> {
  const target = new URL(url);
  const pool = new Pool(target.origin);
  const path = `${target.pathname}${target.search}`;
  try {
    let response;
    try {
      response = await pool.request({ path, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
      // Not a page that gives an invitation: perhaps a backchannel (agact's POST {"action": …}).
      if (response.statusCode >= 400 && response.statusCode < 500) {
        await response.body.dump();
        response = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'create-invitation', params: {} }), headersTimeout: 10_000, bodyTimeout: 10_000 });
      }
    } catch (error) {
      return fail(`--router ${url}: cannot reach it: ${(error as Error).message}`, error);
    }
    const text = (await response.body.text()).trim();
    if (response.statusCode < 200 || response.statusCode > 299) fail(`--router ${url} answered ${response.statusCode} to GET and to POST {"action":"create-invitation"}, not an invitation`);
    if (/[?&]oob=/.test(text) && !text.startsWith('{')) return text;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail(`--router ${url} answered with neither an invitation URL nor JSON holding one: ${JSON.stringify(text.slice(0, 120))}`);
    }
    const fields = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    const found = [fields['invitation_url'], fields['invitationUrl'], fields['url']].find((v): v is string => typeof v === 'string' && /[?&]oob=/.test(v));
    return found ?? fail(`--router ${url} answered JSON without an invitation URL (invitation_url, invitationUrl or url with ?oob=): ${text.slice(0, 120)}`);
  } finally {
    await pool.close();
  }
}

export async function openRouter(options: RouterOptions): Promise<Router> {
  if (options.router === undefined) return startBuiltin(options);
  if (options.faults?.length) fail('--fault is for the built-in reference mediator; with --router, start your mediator as you want it');
  const url = options.router;
  if (!URL.canParse(url)) fail(`--router ${JSON.stringify(url)} is not a URL: give the mediator's invitation URL (…?oob=…) or an HTTP URL that answers with one`);
  const parsed = new URL(url);
  const from = `--router ${url.slice(0, 80)}`;
  const checked = (invitation: ReadInvitation): ReadInvitation => {
    if (!options.allowRemote && !isLoopbackHost(new URL(invitation.endpoint).hostname)) fail(`the mediator's endpoint ${invitation.endpoint} is not loopback: load goes to loopback only unless you allow remote targets (--allow-remote)`);
    return invitation;
  };
  if (/[?&]oob=/.test(url)) {
    // One invitation for every agent: the mediator's invitation must be multi-use.
    const invitation = checked(readInvitation(url, from));
    return { invitation, invite: async () => invitation, shared: true, name: url, close: async () => undefined };
  }
  if (/^wss?:$/.test(parsed.protocol)) fail(`--router ${url}: a WebSocket endpoint alone names no key to reach the mediator with: give its invitation URL (…?oob=…) or an HTTP URL that answers with one`);
  if (!/^https?:$/.test(parsed.protocol)) fail(`--router ${url}: give an http(s) URL or an invitation URL (…?oob=…), not ${parsed.protocol}`);
  if (!options.allowRemote && !isLoopbackHost(parsed.hostname)) fail(`--router ${url} is not loopback: load goes to loopback only unless you allow remote targets (--allow-remote)`);
  const invite = async () => checked(readInvitation(await fetchInvitationUrl(url), from));
  return { invitation: await invite(), invite, shared: false, name: url, close: async () => undefined };
}

async function startBuiltin(options: RouterOptions): Promise<Router> {
  let agent: StartedAgent;
  try {
    agent = await startAgent(referenceAgentCommand('ws', options.faults ?? []), options.log);
  } catch (error) {
    return fail(`the built-in reference mediator did not start: ${(error as Error).message}`, error);
  }
  try {
    const backchannel = agent.ready['backchannel'];
    if (typeof backchannel !== 'string') fail('the built-in reference mediator\'s ready line has no backchannel');
    const made = httpInvite({ url: backchannel as string });
    const invite = async () => readInvitation(await made.invite(AbortSignal.timeout(10_000)), 'the built-in reference mediator');
    const faults = options.faults?.length ? ` with faults ${options.faults.join(', ')}` : '';
    let invitation: ReadInvitation;
    try {
      invitation = await invite();
    } catch (error) {
      await made.close();
      throw error;
    }
    return {
      invitation,
      invite,
      shared: false,
      name: `built-in reference mediator${faults}`,
      agent,
      async close() {
        await made.close();
        await agent.stop();
      },
    };
  } catch (error) {
    await agent.stop();
    throw error;
  }
}
