/**
 * Asking the agent for an out-of-band invitation, one per flow: the seed's way (an HTTP request to
 * an agent endpoint, the URL taken from the JSON answer by a path such as `invitation_url` or
 * `result.invitation.url`), or agact `create-invitation` (DESIGN.md §6; exit 3 is the agent's
 * refusal). A 4xx answer is the agent refusing ('refused'), a 5xx an 'http-status' error.
 */
import { Pool } from 'undici';
import { invokeAgact } from '../../agact/index.js';
import { AgtestError, isAgtestError, resolveCommand } from '../../common/index.js';
import { classifyError } from '../engine/classify.js';
import { LoadStepError } from '../scenario.js';

export interface HttpInvite {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON; default the reference agent's backchannel call {"action": "create-invitation", "params": {}}. */
  body?: unknown;
  /** Where the URL is in the JSON answer: dot path with [n] indexes; default "invitation_url". */
  invitation_url_path?: string;
}

export type Invite = (signal: AbortSignal) => Promise<string>;

const BODY_EXCERPT = 200;

/** Follows a path like `a.b[0].c` into a JSON value. */
export function atPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.').flatMap((piece) => piece.split(/[[\]]/).filter(Boolean))) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[/^\d+$/.test(part) && Array.isArray(current) ? Number(part) : part];
  }
  return current;
}

export function parsePath(path: string): string {
  if (!/^[A-Za-z0-9_$-]+(\[\d+\])*(\.[A-Za-z0-9_$-]+(\[\d+\])*)*$/.test(path)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `invite.http.invitation_url_path ${JSON.stringify(path)} is not a path like invitation_url or result.invitation[0].url`);
  return path;
}

export function httpInvite(config: HttpInvite): { invite: Invite; close(): Promise<void> } {
  const url = new URL(config.url);
  const path = parsePath(config.invitation_url_path ?? 'invitation_url');
  const pool = new Pool(url.origin, { keepAliveTimeout: 10_000 });
  const method = (config.method ?? 'POST').toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? null : JSON.stringify(config.body ?? { action: 'create-invitation', params: {} });
  const headers = { ...(body === null ? {} : { 'content-type': 'application/json' }), ...(config.headers ?? {}) };
  const where = `${method} ${config.url}`;
  return {
    async invite(signal) {
      let response;
      try {
        response = await pool.request({ path: `${url.pathname}${url.search}`, method: method as 'POST', headers, body, signal });
      } catch (error) {
        if (signal.aborted) throw error;
        const classified = classifyError(error);
        throw new LoadStepError(classified.errorClass, `${where}: ${classified.message}`, classified.detail);
      }
      const text = await response.body.text();
      if (response.statusCode >= 400 && response.statusCode < 500) throw new LoadStepError('refused', `the agent refused to create an invitation: ${where} answered ${response.statusCode}`, { status: response.statusCode, body: text.slice(0, BODY_EXCERPT) });
      if (response.statusCode < 200 || response.statusCode > 299) throw new LoadStepError('http-status', `${where} answered ${response.statusCode}`, { status: response.statusCode, body: text.slice(0, BODY_EXCERPT) });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new LoadStepError('protocol', `${where} answered ${response.statusCode} with something that is not JSON`, { body: text.slice(0, BODY_EXCERPT) });
      }
      const found = atPath(json, path);
      if (typeof found !== 'string') throw new LoadStepError('protocol', `${where}: the answer has no string at ${path}`, { body: text.slice(0, BODY_EXCERPT) });
      return found;
    },
    close: () => pool.close(),
  };
}

export function agactInvite(agact: readonly string[], timeoutMs: number): Invite {
  // agtest's own programs (agact-http) run by path, without PATH or npx.
  const command = resolveCommand(agact);
  return async (signal) => {
    let outcome;
    try {
      outcome = await invokeAgact({ action: 'create-invitation', params: {} }, { command, timeoutMs, signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason as Error;
      if (isAgtestError(error) && error.code === 'AGTEST_AGACT_TIMEOUT') throw new LoadStepError('timeout', error.message);
      throw new LoadStepError('other', (error as Error).message);
    }
    if (outcome.status === 'refused') throw new LoadStepError('refused', `the agent refused to create an invitation: ${outcome.reason}`);
    if (outcome.status === 'not-supported') throw new LoadStepError('refused', 'agact create-invitation is not supported by this agent (exit 2)');
    const url = typeof outcome.output === 'object' && outcome.output !== null ? (outcome.output as Record<string, unknown>)['invitation_url'] : undefined;
    if (typeof url !== 'string') throw new LoadStepError('protocol', `agact create-invitation printed ${JSON.stringify(outcome.output)?.slice(0, BODY_EXCERPT)}, not {"invitation_url": "..."}`);
    return url;
  };
}
