import { execa } from 'execa';
import { AgtestError, signalGroup } from '../common/index.js';

export interface AgactCall {
  action: string;
  params: Record<string, unknown>;
}

export type AgactOutcome =
  | { status: 'done'; output: unknown; durationMs: number; stderr: string }
  /** Exit 2: the agent cannot do this; tests that need it are not-run. */
  | { status: 'not-supported'; durationMs: number; stderr: string }
  /** Exit 3: the agent declined this action; `reason` is its own words. A verdict input, not a harness fault. */
  | { status: 'refused'; reason: string; durationMs: number; stderr: string };

export interface InvokeAgactOptions {
  command: readonly string[];
  timeoutMs: number;
  cwd?: string;
  /** For error context: which test asked. */
  test?: string;
  /** Stops the call at once (the run was interrupted). */
  signal?: AbortSignal;
}

/**
 * Runs `agact <action> '<json params>'` (DESIGN §6) without a shell. Exit 0 → done, 2 → not
 * supported, 3 → refused by the agent. Exit 1 (backchannel broken), any other code, a timeout or
 * non-JSON stdout are harness errors; the runner decides whether the run can go on
 * (AGTEST_AGACT_BROKEN ends it; the others cost the test that asked).
 */
export async function invokeAgact(call: AgactCall, options: InvokeAgactOptions): Promise<AgactOutcome> {
  const [file, ...baseArgs] = options.command;
  if (!file) throw new AgtestError('AGTEST_AGACT_FAILED', 'agact command is empty', { test: options.test });
  const command = [...options.command, call.action, JSON.stringify(call.params)];
  const started = performance.now();
  // Its own process group: the timeout and an interruption stop everything it started, and once it
  // exits nothing it forked may hold its output open (the call would never end).
  const child = execa(file, [...baseArgs, call.action, JSON.stringify(call.params)], {
    shell: false,
    reject: false,
    detached: true,
    cwd: options.cwd,
    stdin: 'ignore',
    maxBuffer: 16 * 1024 * 1024,
  });
  let timedOut = false;
  let canceled = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(child.pid, 'SIGKILL');
  }, options.timeoutMs);
  const cancel = () => {
    canceled = true;
    signalGroup(child.pid, 'SIGKILL');
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  child.once('exit', () => signalGroup(child.pid, 'SIGKILL'));
  const result = await child;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', cancel);
  const durationMs = Math.round(performance.now() - started);
  const stderr = String(result.stderr ?? '').trim();
  const context = { test: options.test, command, durationMs };
  const lastStderr = stderr.split('\n').pop() ?? '';
  const shown = `(command: ${command.map(quote).join(' ')})`;
  if (canceled) throw new AgtestError('AGTEST_INTERRUPTED', `agact ${call.action} stopped: the run was interrupted`, context);
  if (timedOut) {
    throw new AgtestError('AGTEST_AGACT_TIMEOUT', `agact ${call.action} timed out after ${options.timeoutMs} ms ${shown}`, { ...context, timedOut: true });
  }
  if (result.failed && result.exitCode === undefined) {
    const notFound = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    throw new AgtestError('AGTEST_AGACT_FAILED', notFound ? `agact: command not found: ${file}` : `agact ${call.action} could not run: ${result.shortMessage ?? result.message}`, { ...context, cause: result.cause });
  }
  if (result.exitCode === 2) return { status: 'not-supported', durationMs, stderr };
  if (result.exitCode === 3) return { status: 'refused', reason: refusalReason(String(result.stdout ?? ''), lastStderr), durationMs, stderr };
  if (result.exitCode === 1) {
    throw new AgtestError('AGTEST_AGACT_BROKEN', `agact ${call.action} reported a broken backchannel (exit 1)${lastStderr ? `: ${lastStderr}` : ''}`, context);
  }
  if (result.exitCode !== 0) {
    throw new AgtestError('AGTEST_AGACT_FAILED', `agact ${call.action} exited with ${result.exitCode ?? result.signal}${lastStderr ? `: ${lastStderr}` : ''} ${shown}`, context);
  }
  const stdout = String(result.stdout ?? '').trim();
  if (stdout === '') return { status: 'done', output: undefined, durationMs, stderr };
  try {
    return { status: 'done', output: JSON.parse(stdout), durationMs, stderr };
  } catch (cause) {
    throw new AgtestError('AGTEST_AGACT_BAD_OUTPUT', `agact ${call.action} printed non-JSON on stdout: ${JSON.stringify(stdout.slice(0, 80))}`, { ...context, cause });
  }
}

/** The agent's reason for a refusal: `{"reason": …}` on stdout, else its last stderr line. */
function refusalReason(stdout: string, lastStderr: string): string {
  try {
    const printed: unknown = JSON.parse(stdout.trim() || 'null');
    if (typeof printed === 'object' && printed !== null && typeof (printed as { reason?: unknown }).reason === 'string') return (printed as { reason: string }).reason;
  } catch (error) {
    void error; // not JSON: the reason is on stderr
  }
  return lastStderr || 'no reason given';
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
