import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { AgtestError, connectGuardFromEnv, describeError, isAgtestError } from '../../common/index.js';
import type { RunInterruption } from '../../profiles/index.js';
import type { RunProgress } from './run-test.js';

/** Exit codes of an interrupted run: 2 for a harness fault, 128 + signal number for a signal. */
export function interruptionExitCode(interruption: RunInterruption): 2 | 130 | 143 {
  if (interruption.signal === 'SIGINT') return 130;
  if (interruption.signal === 'SIGTERM') return 143;
  return 2;
}

/** How long a harness error waits for a child's exit to show up, so that the cause wins over its consequence. */
export const ROOT_CAUSE_GRACE_MS = 500;

/**
 * The account of what stopped the run. A child that exited is the cause of whatever followed it
 * (a refused connection, a 502, a broken backchannel), so an exit seen within the grace period wins.
 */
export async function rootCause(error: unknown, exits: readonly { who: string; error: AgtestError }[], progress: RunProgress, graceMs = ROOT_CAUSE_GRACE_MS): Promise<RunInterruption> {
  const interrupted = isAgtestError(error) && error.code === 'AGTEST_INTERRUPTED';
  if (!interrupted) await firstExit(exits, graceMs);
  const cause = !interrupted && exits[0] ? exits[0].error : error;
  const where = { phase: progress.phase, ...(progress.test ? { test: progress.test } : {}) };
  if (!isAgtestError(cause)) return { code: 'AGTEST_INTERNAL', cause: `agtest itself failed: ${describeError(cause)}`, ...where };
  const signal = cause.code === 'AGTEST_INTERRUPTED' ? /SIG[A-Z]+/.exec(cause.message)?.[0] : undefined;
  return { code: cause.code, cause: cause.message, ...where, ...(signal ? { signal } : {}) };
}

/** Waits until a child's exit was recorded, or `ms` passed. */
export async function firstExit(exits: readonly unknown[], ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (exits.length === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The agent's and the adapter's stderr, kept in the output folder (messages name the file, not a line of it). */
export interface RunLogs {
  agent: WriteStream;
  adapter: WriteStream;
  agentPath: string;
  adapterPath: string;
  close(): Promise<void>;
}

export async function openLogs(outDir: string): Promise<RunLogs> {
  const dir = join(outDir, 'logs');
  await mkdir(dir, { recursive: true });
  const agentFile = join(dir, 'agent.stderr.log');
  const adapterFile = join(dir, 'adapter.stderr.log');
  const agent = createWriteStream(agentFile);
  const adapter = createWriteStream(adapterFile);
  const shown = (file: string) => relative(process.cwd(), file) || file;
  return {
    agent,
    adapter,
    agentPath: shown(agentFile),
    adapterPath: shown(adapterFile),
    close: () => Promise.all([agent, adapter].map((stream) => new Promise<void>((resolve) => stream.end(resolve)))).then(() => undefined),
  };
}

const PREFLIGHT_MS = 2_000;

/**
 * Before the first test: is anything listening at the agent's endpoint? Answers within 2 s,
 * instead of the adapter retrying for half a minute. Only for endpoints with a host and port
 * (http, https, ws, wss); anything else is the adapter's to reach.
 */
export async function preflight(endpoint: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    void error; // not a URL: a custom adapter's business
    return;
  }
  const ports: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };
  if (!(url.protocol in ports)) return;
  const port = url.port === '' ? ports[url.protocol]! : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Under agtest serve: the target allowlist and the checked addresses hold for this probe too (connect-guard.ts).
  const guard = connectGuardFromEnv();
  const offList = guard?.refusal(url);
  if (offList) throw new AgtestError('AGTEST_AGENT_UNREACHABLE', `not connecting to ${endpoint}: ${offList}`);
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host, port, ...(guard ? { lookup: guard.lookup } : {}) });
    const done = (why: string | undefined) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(PREFLIGHT_MS, () => done(`no answer within ${PREFLIGHT_MS} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
  if (problem) throw new AgtestError('AGTEST_AGENT_UNREACHABLE', `nothing listens at ${endpoint} (${problem}): is the agent running, and is agent.endpoint right?`);
}
