/**
 * certify: agtest's suites against the agent a request names, run as `agtest run` in a child
 * process (argument arrays, no shell): a crash of the run is the job's error, not the server's,
 * and a cancel stops the run and everything it started (SIGTERM, as Ctrl-C would).
 *
 * Every address the run will talk to is checked against the key's allowlist first: the agent's
 * URL, a DIDComm agent's backchannel, and for A2A every URL its Agent Card names (the suites call
 * the card's interfaces, so a card on an allowed host pointing elsewhere is refused, not followed).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { request } from 'undici';
import { CONNECT_GUARD_ENV, describeError, distRoot, type ConnectGuardSpec } from '../../common/index.js';
import { verdictOf } from '../../profiles/index.js';
import type { ServeRequest } from '../http/request-schema.js';
import { checkTarget, type Resolver } from '../security/target-guard.js';
import { pinnedDispatcher } from '../security/pinned-lookup.js';
import { parseDescription } from './parse-description.js';
import { namedEndpoints, offListEndpoints } from './named-endpoints.js';

export interface CertifyTarget {
  protocol: 'a2a' | 'didcomm-v1';
  url: string;
  backchannelUrl?: string;
  claims?: string[];
  only?: string[];
}

export type CertifyTargetOutcome = { ok: true; target: CertifyTarget } | { ok: false; question: string; missing: string[] };

/** The agent to certify: targetDetails first, else the one URL the description names; else asked back. */
export function certifyTargetOf(request: ServeRequest): CertifyTargetOutcome {
  const details = request.targetDetails ?? {};
  const protocol = details.protocol ?? 'a2a';
  let url = details.url;
  if (url === undefined) {
    const urls = parseDescription(request.taskDescription).urls;
    if (urls.length !== 1) {
      return { ok: false, question: urls.length === 0 ? 'Which agent? (set targetDetails.url: the A2A agent\'s base URL or its Agent Card\'s URL, or a DIDComm agent\'s endpoint with targetDetails.protocol "didcomm-v1")' : `The description names ${urls.join(' and ')}: which agent? (set targetDetails.url)`, missing: ['targetDetails.url'] };
    }
    url = urls[0]!;
  }
  if (protocol === 'didcomm-v1') {
    const missing = [...(details.backchannelUrl ? [] : ['targetDetails.backchannelUrl']), ...(details.claims ? [] : ['targetDetails.claims'])];
    if (missing.length > 0) {
      return { ok: false, question: `A DIDComm agent is driven through its agact HTTP backchannel and certified on the junctions it claims: set ${missing.join(' and ')} (e.g. "claims": ["trust_ping.1_0.passive"]).`, missing };
    }
  }
  return { ok: true, target: { protocol, url, ...(details.backchannelUrl ? { backchannelUrl: details.backchannelUrl } : {}), ...(details.claims ? { claims: details.claims } : {}), ...(details.only ? { only: details.only } : {}) } };
}

/** The URLs the run will reach before it starts: the agent and, for DIDComm, its backchannel. */
export function certifyUrls(target: CertifyTarget): { field: string; url: string }[] {
  return [{ field: 'targetDetails.url', url: target.url }, ...(target.backchannelUrl ? [{ field: 'targetDetails.backchannelUrl', url: target.backchannelUrl }] : [])];
}

/** Each URL checked against the allowlist; the first refusal, naming its field, or ok. */
export async function guardCertify(target: CertifyTarget, allowlist: readonly string[], resolve: Resolver): Promise<{ ok: true; pins: Record<string, string[]> } | { ok: false; field: string; reason: string }> {
  const pins: Record<string, string[]> = {};
  for (const { field, url } of certifyUrls(target)) {
    const check = await checkTarget(url, allowlist, resolve);
    if (!check.ok) return { ok: false, field, reason: check.reason };
    pins[check.url.hostname.replace(/^\[|\]$/g, '')] = check.addresses;
  }
  return { ok: true, pins };
}

const CARD_PATHS = ['/.well-known/agent-card.json', '/.well-known/agent.json'];

/**
 * The interface URLs a card names, the ones the suites call: v1.0 `supportedInterfaces[].url`,
 * v0.3 `url` and `additionalInterfaces[].url` (a provider's or documentation URL is not called).
 */
function interfaceUrls(card: unknown): string[] {
  if (!card || typeof card !== 'object') return [];
  const c = card as Record<string, unknown>;
  const listed = [c['supportedInterfaces'], c['additionalInterfaces']].flatMap((list) => (Array.isArray(list) ? list : [])).map((entry) => (entry && typeof entry === 'object' ? (entry as Record<string, unknown>)['url'] : undefined));
  return [c['url'], ...listed].filter((url): url is string => typeof url === 'string');
}

/**
 * The URLs the agent's cards name (both card paths, v1.0 and v0.3 forms), each checked. A card that
 * cannot be read is the run's finding (its card test fails), not a refusal: it names no URL.
 */
export async function guardAgentCard(agentUrl: string, allowlist: readonly string[], resolve: Resolver, signal: AbortSignal): Promise<{ ok: true } | { ok: false; reason: string }> {
  const base = new URL(agentUrl);
  const cardUrls = base.pathname.endsWith('.json') ? [base.toString()] : CARD_PATHS.map((path) => new URL(path, base).toString());
  // The card is read from the address just checked (pinned): a name re-pointed meanwhile is not asked again.
  const baseCheck = await checkTarget(agentUrl, allowlist, resolve);
  if (!baseCheck.ok) return { ok: false, reason: `${agentUrl}: ${baseCheck.reason}` };
  const dispatcher = pinnedDispatcher(baseCheck.url, baseCheck.addresses);
  try {
    for (const cardUrl of cardUrls) {
      for (const version of [undefined, '1.0']) {
        let card: unknown;
        try {
          // undici's request never follows a redirect: a 3xx is not a card, and is not followed off the allowlist.
          const response = await request(cardUrl, { dispatcher, signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]), headers: version ? { 'a2a-version': version } : {} });
          if (response.statusCode < 200 || response.statusCode > 299) {
            await response.body.dump();
            continue;
          }
          card = await response.body.json();
        } catch (error) {
          if (signal.aborted) throw error;
          continue;
        }
        for (const url of interfaceUrls(card)) {
          const check = await checkTarget(url, allowlist, resolve);
          if (!check.ok) return { ok: false, reason: `the Agent Card at ${cardUrl} names ${url}: ${check.reason}` };
        }
      }
    }
  } finally {
    void dispatcher.close();
  }
  return { ok: true };
}

export interface CertifyResult {
  protocol: CertifyTarget['protocol'];
  agentUrl: string;
  exitCode: number;
  /** Junction → verdict word (interoperable / constrained / divergent). */
  verdicts: Record<string, string>;
  profile: Record<string, unknown>;
  /** agtest run's readable report. */
  report: string;
  junit: string;
  /**
   * DIDComm: endpoints the agent named (its invitations, DID documents, did:peer services) that
   * are off the key's allowlist, with why. The run sent nothing to them (see `notes`).
   */
  offListEndpoints: { endpoint: string; reason: string }[];
  notes: string[];
}

export type CertifyOutcome = { ok: true; result: CertifyResult } | { ok: false; error: string };

/**
 * Runs agtest run against the target in a temporary folder and reads back what it wrote. `guard`
 * (the checked names' addresses and the key's allowlist) goes to the run and every process it
 * starts: their connections go to the checked addresses and stay on the list (common/connect-guard.ts).
 */
export async function runCertify(target: CertifyTarget, options: { signal: AbortSignal; timeoutMs: number; guard: ConnectGuardSpec; resolve: Resolver }): Promise<CertifyOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-certify-'));
  try {
    const out = join(dir, 'out');
    const args = [join(distRoot(), 'agtest', 'cli.js'), 'run', '--out', out];
    if (target.protocol === 'a2a') args.push('--a2a', target.url);
    else {
      // The agent is not started by agtest: its endpoint and backchannel are given, as in an agtest.config.json.
      // One agact-http session for the run (a process per action was most of a run's time), as agtest's default config.
      const config = { agent: { endpoint: target.url }, transport: { adapter: 'http' }, agact: { command: ['agact-http', '--url', target.backchannelUrl], session: true }, claims: target.claims };
      await writeFile(join(dir, 'agtest.config.json'), JSON.stringify(config, null, 2));
      args.push('--config', join(dir, 'agtest.config.json'));
    }
    for (const prefix of target.only ?? []) args.push('--only', prefix);
    const child = await execa(process.execPath, args, { cwd: dir, reject: false, cancelSignal: options.signal, timeout: options.timeoutMs, env: { NO_COLOR: '1', FORCE_COLOR: '0', [CONNECT_GUARD_ENV]: JSON.stringify(options.guard) }, stdin: 'ignore', maxBuffer: 4_000_000 });
    if (child.isCanceled) return { ok: false, error: 'cancelled' };
    if (child.timedOut) return { ok: false, error: `the certification run took over ${Math.round(options.timeoutMs / 1000)} s and was stopped` };
    let profile: Record<string, unknown>;
    try {
      profile = JSON.parse(await readFile(join(out, 'profile.json'), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      return { ok: false, error: `agtest run wrote no profile (exit ${child.exitCode}): ${String(child.stderr || child.stdout).slice(-600) || describeError(error)}` };
    }
    const junit = await readFile(join(out, 'junit.xml'), 'utf8').catch(() => '');
    const scores = (profile['profile'] ?? {}) as Record<string, string>;
    const verdicts = Object.fromEntries(Object.entries(scores).map(([junction, score]) => [junction, verdictOf(score)]));
    const offList = target.protocol === 'didcomm-v1' ? await offListEndpoints(await namedEndpoints(join(out, 'transcripts')), options.guard.allow, options.resolve) : [];
    const notes = offList.map((off) => `the agent names ${off.endpoint} (in its invitations or DID documents), but ${off.reason}: not contacted; DIDComm messages went to ${target.url} (targetDetails.url) only`);
    return { ok: true, result: { protocol: target.protocol, agentUrl: target.url, exitCode: child.exitCode ?? -1, verdicts, profile, report: String(child.stdout), junit, offListEndpoints: offList, notes } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
