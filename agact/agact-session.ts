import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { AgtestError, signalGroup, stopGroup } from '../common/index.js';
import { readAgactExit, shownCommand, type AgactCall, type AgactOutcome } from './agact-outcome.js';

/** How long a session agact may take to exit after its stdin closed before its group is killed. */
const CLOSE_GRACE_MS = 1_000;
/** The argument that starts an agact in session mode (it takes the action's place). */
export const SESSION_FLAG = '--session';

export interface AgactSessionOptions {
  command: readonly string[];
  timeoutMs: number;
  cwd?: string;
  /** Stops the pending call at once and ends the session (the run was interrupted). */
  signal?: AbortSignal;
  /** The session's stderr lines that belong to no call (its start-up, its end). */
  log?: (line: string) => void;
}

export interface AgactSession {
  invoke(call: AgactCall, test?: string): Promise<AgactOutcome>;
  /** Starts the process ahead of the first call (its start-up then overlaps other work); a failure shows at that call. */
  start(): void;
  close(): Promise<void>;
}

/** One answer line of the session protocol: the exit code, stdout and stderr the same call would have had as its own process. */
interface SessionAnswer {
  id: number;
  exit: number;
  stdout?: string;
  stderr?: string;
}

interface Running {
  child: ResultPromise;
  exited: Promise<unknown>;
  stderrTail: string[];
  pending?: { id: number; settle(answer: SessionAnswer | AgtestError): void };
  gone: boolean;
}

/**
 * The opt-in session protocol (`agact.session: true`, docs in README "agact sessions"): agtest
 * starts `<command…> --session` once and writes one JSON line per call to its stdin,
 * `{"id", "action", "params"}`; the agact answers each with one JSON line on stdout,
 * `{"id", "exit", "stdout", "stderr"}` — the exit code and output the one-shot call would have
 * had, read by the same rules. A process per call costs 100–300 ms of node start-up on a loaded
 * machine, most of a run's time; a session costs one pipe round trip.
 *
 * Calls go one at a time, as the runner makes them. A call that times out, a session that exits
 * or prints something that is no answer costs that call (AGTEST_AGACT_TIMEOUT / _FAILED /
 * _BAD_OUTPUT, the test's error), and the next call starts a fresh session.
 */
export function createAgactSession(options: AgactSessionOptions): AgactSession {
  const [file, ...baseArgs] = options.command;
  const command = [...options.command, SESSION_FLAG];
  let running: Running | undefined;
  let nextId = 1;
  let closed = false;

  const start = (): Running => {
    if (!file) throw new AgtestError('AGTEST_AGACT_FAILED', 'agact command is empty');
    // Its own process group, as for one-shot calls: stopping it stops whatever it started.
    const child = execa(file, [...baseArgs, SESSION_FLAG], { cwd: options.cwd, reject: false, detached: true, buffer: false, stdin: 'pipe', forceKillAfterDelay: false });
    const state: Running = { child, exited: child, stderrTail: [], gone: false };
    createInterface({ input: child.stderr! }).on('line', (line) => {
      state.stderrTail.push(line);
      if (state.stderrTail.length > 20) state.stderrTail.shift();
      if (!state.pending) options.log?.(line);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const answer = parseAnswer(line);
      const pending = state.pending;
      if (!pending) return void options.log?.(`stdout outside any call: ${line.slice(0, 200)}`);
      if (answer?.id !== pending.id) {
        pending.settle(new AgtestError('AGTEST_AGACT_BAD_OUTPUT', `agact session printed no answer line for call ${pending.id}: ${JSON.stringify(line.slice(0, 80))} ${shownCommand(command)}`, { command }));
        return;
      }
      pending.settle(answer);
    });
    void child.then((result) => {
      state.gone = true;
      const notFound = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      const how = notFound ? `command not found: ${file}` : `exited (${result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode ?? '?'}`})`;
      const last = state.stderrTail.at(-1);
      state.pending?.settle(new AgtestError('AGTEST_AGACT_FAILED', `agact session ${how} before it answered${last ? `: ${last}` : ''} ${shownCommand(command)}`, { command }));
    });
    // Writes to a session that died are reported by its exit, not as an unhandled stream error.
    child.stdin?.on('error', () => undefined);
    return state;
  };

  const stop = async (state: Running) => {
    state.child.stdin?.end();
    await stopGroup(state.child.pid, state.exited, CLOSE_GRACE_MS);
  };

  const ensure = (): Running => {
    if (!running || running.gone) running = start();
    return running;
  };

  return {
    start() {
      if (!closed && file) ensure();
    },
    async invoke(call, test) {
      if (closed) throw new AgtestError('AGTEST_INTERRUPTED', `agact ${call.action} not run: the session is closed`, { test });
      const state = ensure();
      const id = nextId++;
      const started = performance.now();
      const callCommand = [...options.command, call.action, JSON.stringify(call.params)];
      const context = () => ({ test, command: callCommand, durationMs: Math.round(performance.now() - started) });
      state.stderrTail.length = 0;
      let timer: NodeJS.Timeout | undefined;
      let cancel: (() => void) | undefined;
      const answer = await new Promise<SessionAnswer | AgtestError>((resolve) => {
        state.pending = { id, settle: resolve };
        timer = setTimeout(() => {
          // A hung session may hang the next call too: it goes, the next call starts afresh.
          signalGroup(state.child.pid, 'SIGKILL');
          resolve(new AgtestError('AGTEST_AGACT_TIMEOUT', `agact ${call.action} timed out after ${options.timeoutMs} ms ${shownCommand(callCommand)}`, { ...context(), timedOut: true }));
        }, options.timeoutMs);
        cancel = () => {
          signalGroup(state.child.pid, 'SIGKILL');
          resolve(new AgtestError('AGTEST_INTERRUPTED', `agact ${call.action} stopped: the run was interrupted`, context()));
        };
        if (options.signal?.aborted) cancel();
        else options.signal?.addEventListener('abort', cancel, { once: true });
        state.child.stdin?.write(`${JSON.stringify({ id, action: call.action, params: call.params })}\n`);
      });
      clearTimeout(timer);
      if (cancel) options.signal?.removeEventListener('abort', cancel);
      state.pending = undefined;
      if (answer instanceof AgtestError) {
        // Whatever the session printed after a broken answer cannot be trusted for the next call.
        if (!state.gone) signalGroup(state.child.pid, 'SIGKILL');
        state.gone = true;
        throw new AgtestError(answer.code, answer.message, { ...context(), ...(answer.code === 'AGTEST_AGACT_TIMEOUT' ? { timedOut: true } : {}), cause: answer });
      }
      return readAgactExit(call, { exitCode: answer.exit, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '', durationMs: context().durationMs, command: callCommand, test });
    },
    async close() {
      closed = true;
      if (running && !running.gone) await stop(running);
    },
  };
}

function parseAnswer(line: string): SessionAnswer | undefined {
  try {
    const value = JSON.parse(line) as Partial<SessionAnswer> | null;
    if (typeof value !== 'object' || value === null || !Number.isInteger(value.id) || !Number.isInteger(value.exit)) return undefined;
    if (value.stdout !== undefined && typeof value.stdout !== 'string') return undefined;
    if (value.stderr !== undefined && typeof value.stderr !== 'string') return undefined;
    return value as SessionAnswer;
  } catch (error) {
    void error; // not JSON: not an answer, reported as such by the caller
    return undefined;
  }
}
