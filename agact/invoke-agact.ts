import { execa } from 'execa';
import { AgtestError, signalGroup } from '../common/index.js';
import { readAgactExit, shownCommand, type AgactCall, type AgactOutcome } from './agact-outcome.js';

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
  const context = { test: options.test, command, durationMs };
  if (canceled) throw new AgtestError('AGTEST_INTERRUPTED', `agact ${call.action} stopped: the run was interrupted`, context);
  if (timedOut) {
    throw new AgtestError('AGTEST_AGACT_TIMEOUT', `agact ${call.action} timed out after ${options.timeoutMs} ms ${shownCommand(command)}`, { ...context, timedOut: true });
  }
  if (result.failed && result.exitCode === undefined) {
    const notFound = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    throw new AgtestError('AGTEST_AGACT_FAILED', notFound ? `agact: command not found: ${file}` : `agact ${call.action} could not run: ${result.shortMessage ?? result.message}`, { ...context, cause: result.cause });
  }
  if (result.exitCode === undefined) {
    throw new AgtestError('AGTEST_AGACT_FAILED', `agact ${call.action} exited with ${result.signal ?? 'no exit code'} ${shownCommand(command)}`, context);
  }
  return readAgactExit(call, { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), durationMs, command, test: options.test });
}
