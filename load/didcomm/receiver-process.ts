/**
 * A receiver as an OS process per flow (seed 000): `agtest-receive <url> --events` by default, or
 * the user's own command with `${invitation_url}` as (part of) an argument — an argument array,
 * never a shell. Its stdout lines time the steps: {"event":"started"} ends `spawn`,
 * {"event":"connected"} ends `connect`, the exit ends `flow`. A command that prints no events (not
 * configured with `events: true`) gets `spawn` ended when the OS started it and the rest counted as `flow`.
 *
 * Outcomes: exit 0 is success. A non-zero exit with an outcome line carrying `error_class` (what
 * `agtest receive` prints) counts as that class; any other non-zero exit or a signal is
 * 'receiver-exit' with the code and the last stderr line. A receiver still running at its timeout
 * is killed (its whole process group) and counted as 'timeout'.
 */
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { distRoot, signalGroup } from '../../common/index.js';
import { join } from 'node:path';
import { LoadStepError, type IterationContext, type LoadErrorClass } from '../scenario.js';

const CLASSES = new Set<LoadErrorClass>(['timeout', 'refused', 'http-status', 'problem-report', 'receiver-exit', 'protocol', 'transport', 'other']);

export interface ReceiverCommand {
  /** Argument array; `${invitation_url}` is replaced in every element. */
  command: readonly string[];
  timeoutMs: number;
  /** It prints {"event":"started"} and {"event":"connected"} lines (agtest-receive --events does). */
  events: boolean;
}

/**
 * `agtest-receive` (compiled), run by this node. Its own timeout comes a little before the kill,
 * so that a receiver that is only slow reports its timeout (and the step it was in) itself.
 */
export function defaultReceiverCommand(flow: readonly string[], transport: 'ws' | 'http', timeoutMs: number): string[] {
  const own = Math.max(1, Math.round(timeoutMs > 1000 ? timeoutMs - 250 : timeoutMs * 0.8));
  return [process.execPath, join(distRoot(), 'load', 'receive-main.js'), '${invitation_url}', '--events', '--flow', flow.join(','), '--transport', transport, '--timeout', `${own}ms`];
}

type Event = 'started' | 'connected';

export async function runReceiverProcess(it: IterationContext, url: string, receiver: ReceiverCommand): Promise<void> {
  const [file, ...args] = receiver.command.map((part) => part.replaceAll('${invitation_url}', url));
  let child: ReturnType<typeof execa> | undefined;
  const waiting = new Map<Event, () => void>();
  const seen = new Set<Event>();
  let outcomeLine: Record<string, unknown> | undefined;
  let lastStderr = '';
  let killedAtTimeout = false;
  const timer = setTimeout(() => {
    killedAtTimeout = true;
    signalGroup(child?.pid, 'SIGKILL');
  }, receiver.timeoutMs);
  const onAbort = () => signalGroup(child?.pid, 'SIGKILL');
  it.signal.addEventListener('abort', onAbort, { once: true });
  try {
    let ended!: Promise<{ exitCode?: number; signal?: string; failed: boolean; spawnError?: unknown }>;
    // Killed at its timeout while a step waited: that step is the one that timed out.
    const timedOut = () => {
      if (killedAtTimeout) throw new LoadStepError('timeout', `the receiver did not finish within ${receiver.timeoutMs} ms: killed`, { pid: child?.pid });
    };
    await it.step('spawn', async () => {
      child = execa(file!, args, { reject: false, detached: true, stdin: 'ignore', buffer: false, forceKillAfterDelay: false });
      ended = child.then((result) => ({ exitCode: result.exitCode, signal: result.signal, failed: result.failed, spawnError: result.exitCode === undefined && !result.signal ? result.cause : undefined }));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const value = parseLine(line);
        if (!value) return;
        const event = value['event'];
        if (event === 'started' || event === 'connected') {
          seen.add(event);
          waiting.get(event)?.();
        } else outcomeLine = value;
      });
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (line.trim()) lastStderr = line;
      });
      const started = await Promise.race([new Promise<boolean>((resolve) => child!.once('spawn', () => resolve(true))), ended.then(() => false)]);
      if (!started) {
        const end = await ended;
        throw new LoadStepError('receiver-exit', `the receiver ${file} could not start: ${String((end.spawnError as Error | undefined)?.message ?? 'unknown')}`, { command: receiver.command.join(' ') });
      }
      if (child.pid !== undefined) it.watchProcess(child.pid, 'receiver');
      // A receiver that tells when it is running (node started, code loaded): that is the spawn.
      if (receiver.events) await Promise.race([eventSeen('started'), ended]);
      timedOut();
    });
    if (seen.has('started')) {
      await it.step('connect', async () => {
        await Promise.race([eventSeen('connected'), ended]);
        timedOut();
      });
    }
    await it.step('flow', async () => {
      const result = await ended;
      timedOut();
      if (result.exitCode === 0) return;
      const reported = outcomeLine?.['error_class'];
      if (result.exitCode !== undefined && typeof reported === 'string' && CLASSES.has(reported as LoadErrorClass)) {
        throw new LoadStepError(reported as LoadErrorClass, `receiver: ${String(outcomeLine?.['message'] ?? reported)}`, { exit_code: result.exitCode, step: outcomeLine?.['step'] });
      }
      const how = result.signal ? `was killed by ${result.signal}` : `exited ${result.exitCode ?? '?'}`;
      throw new LoadStepError('receiver-exit', `the receiver ${how}${lastStderr ? `: ${lastStderr.slice(0, 200)}` : ''}`, { ...(result.exitCode === undefined ? {} : { exit_code: result.exitCode }), ...(result.signal ? { signal: result.signal } : {}) });
    });
  } finally {
    clearTimeout(timer);
    it.signal.removeEventListener('abort', onAbort);
    // Whatever the receiver forked goes with it.
    signalGroup(child?.pid, 'SIGKILL');
  }

  function eventSeen(event: Event): Promise<void> {
    if (seen.has(event)) return Promise.resolve();
    return new Promise((resolve) => waiting.set(event, resolve));
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
