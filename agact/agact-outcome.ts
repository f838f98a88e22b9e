import { AgtestError } from '../common/index.js';

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

/** What one agact call ended with: the same facts whether it ran as its own process or in a session. */
export interface AgactExit {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The command as the user would type it, for messages. */
  command: string[];
  /** For error context: which test asked. */
  test?: string;
}

/**
 * The contract's reading of an exit (DESIGN §6): 0 → done (stdout: nothing or one JSON object),
 * 2 → not supported, 3 → refused (the reason on stdout as {"reason"} or the last stderr line).
 * Exit 1 (backchannel broken), any other code and non-JSON stdout are thrown as AgtestErrors.
 */
export function readAgactExit(call: AgactCall, exit: AgactExit): AgactOutcome {
  const { durationMs, command } = exit;
  const stderr = exit.stderr.trim();
  const context = { test: exit.test, command, durationMs };
  const lastStderr = stderr.split('\n').pop() ?? '';
  if (exit.exitCode === 2) return { status: 'not-supported', durationMs, stderr };
  if (exit.exitCode === 3) return { status: 'refused', reason: refusalReason(exit.stdout, lastStderr), durationMs, stderr };
  if (exit.exitCode === 1) {
    throw new AgtestError('AGTEST_AGACT_BROKEN', `agact ${call.action} reported a broken backchannel (exit 1)${lastStderr ? `: ${lastStderr}` : ''}`, context);
  }
  if (exit.exitCode !== 0) {
    throw new AgtestError('AGTEST_AGACT_FAILED', `agact ${call.action} exited with ${exit.exitCode}${lastStderr ? `: ${lastStderr}` : ''} ${shownCommand(command)}`, context);
  }
  const stdout = exit.stdout.trim();
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

/** `(command: agact-http --url … setup '{}')`, quoted as a shell would need it, for copy and paste. */
export function shownCommand(command: readonly string[]): string {
  return `(command: ${command.map(quote).join(' ')})`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
