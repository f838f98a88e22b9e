import { execa } from 'execa';
import { AgtestError } from '../common/index.js';

export interface AgactCall {
  action: string;
  params: Record<string, unknown>;
}

export type AgactOutcome =
  | { status: 'done'; output: unknown; durationMs: number; stderr: string }
  /** Exit 2: the agent cannot do this; tests that need it are not-run. */
  | { status: 'not-supported'; durationMs: number; stderr: string };

export interface InvokeAgactOptions {
  command: readonly string[];
  timeoutMs: number;
  cwd?: string;
  /** For error context: which test asked. */
  test?: string;
}

/**
 * Runs `agact <action> '<json params>'` (DESIGN §6) without a shell. Exit 0 → done, 2 → not
 * supported; exit 1, any other code, a timeout or non-JSON stdout mean the backchannel is broken,
 * which is a harness error (the run cannot be trusted past it).
 */
export async function invokeAgact(call: AgactCall, options: InvokeAgactOptions): Promise<AgactOutcome> {
  const [file, ...baseArgs] = options.command;
  if (!file) throw new AgtestError('AGTEST_AGACT_FAILED', 'agact command is empty', { test: options.test });
  const command = [...options.command, call.action, JSON.stringify(call.params)];
  const started = performance.now();
  const result = await execa(file, [...baseArgs, call.action, JSON.stringify(call.params)], {
    shell: false,
    reject: false,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 1000,
    cwd: options.cwd,
    stdin: 'ignore',
    maxBuffer: 16 * 1024 * 1024,
  });
  const durationMs = Math.round(performance.now() - started);
  const stderr = String(result.stderr ?? '').trim();
  const context = { test: options.test, command, durationMs };
  const lastStderr = stderr.split('\n').pop() ?? '';
  if (result.timedOut) {
    throw new AgtestError('AGTEST_AGACT_TIMEOUT', `agact ${call.action} timed out after ${options.timeoutMs} ms (command: ${file})`, { ...context, timedOut: true });
  }
  if (result.failed && result.exitCode === undefined) {
    throw new AgtestError('AGTEST_AGACT_FAILED', `agact ${call.action} could not run: ${result.shortMessage ?? result.message}`, { ...context, cause: result.cause });
  }
  if (result.exitCode === 2) return { status: 'not-supported', durationMs, stderr };
  if (result.exitCode === 1) {
    throw new AgtestError('AGTEST_AGACT_BROKEN', `agact ${call.action} reported a broken backchannel (exit 1)${lastStderr ? `: ${lastStderr}` : ''}`, context);
  }
  if (result.exitCode !== 0) {
    throw new AgtestError('AGTEST_AGACT_FAILED', `agact ${call.action} exited with ${result.exitCode ?? result.signal}${lastStderr ? `: ${lastStderr}` : ''}`, context);
  }
  const stdout = String(result.stdout ?? '').trim();
  if (stdout === '') return { status: 'done', output: undefined, durationMs, stderr };
  try {
    return { status: 'done', output: JSON.parse(stdout), durationMs, stderr };
  } catch (cause) {
    throw new AgtestError('AGTEST_AGACT_BAD_OUTPUT', `agact ${call.action} printed non-JSON on stdout: ${JSON.stringify(stdout.slice(0, 80))}`, { ...context, cause });
  }
}
