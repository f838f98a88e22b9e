import { execa, type ResultPromise } from 'execa';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AgtestError, signalGroup, stopGroup } from '../common/index.js';
import type { AdapterEvent } from './adapter.js';
import { parseEventLine } from './event-line.js';

export interface LaunchAdapterOptions {
  /** How messages name the adapter: `http`, or the configured command. */
  name: string;
  /** Program and its own arguments; `--outbox --inbox --target` are appended. */
  command: readonly string[];
  outbox: string;
  inbox: string;
  target: string;
  /** How long the first stdout line may take (default 10 s). */
  readyTimeoutMs?: number;
  /** Every event after the ready line. */
  onEvent?(event: AdapterEvent): void;
  /** Every stderr line, and stdout lines that are not adapter events. */
  onLog?(line: string): void;
  cwd?: string;
  /** Added to the launcher's environment. */
  env?: Record<string, string>;
}

export interface AdapterExit {
  exitCode: number | undefined;
  signal?: string;
  /** The last stderr lines; the last one is the adapter's own account of a fatal error. */
  stderrTail: string;
}

export interface LaunchedAdapter {
  endpoint?: string;
  pid: number;
  /** Settles when the process is gone (never rejects). */
  exited: Promise<AdapterExit>;
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

const DEFAULT_READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const STDERR_TAIL_LINES = 20;

/**
 * Starts an adapter process (an argument array, never a shell) and resolves once it printed its
 * ready line. A process that exits first, prints something else first or stays silent is an
 * AGTEST_ADAPTER_START_FAILED naming the adapter, the command and its last stderr line.
 */
export async function launchAdapter(options: LaunchAdapterOptions): Promise<LaunchedAdapter> {
  const [file, ...baseArgs] = options.command;
  const args = [...baseArgs, '--outbox', options.outbox, '--inbox', options.inbox, '--target', options.target];
  const command = file === undefined ? [] : [file, ...args];
  const started = performance.now();
  const startFailed = (message: string, extra: { timedOut?: boolean; cause?: unknown } = {}) =>
    new AgtestError('AGTEST_ADAPTER_START_FAILED', `adapter ${options.name} ${message} (command: ${command.map(quote).join(' ')})`, {
      adapter: options.name,
      command,
      durationMs: Math.round(performance.now() - started),
      ...extra,
    });
  if (file === undefined) throw startFailed('has an empty command');

  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // Its own process group, stopped as a whole (a wrapper script cannot leave the real adapter behind).
    detached: true,
    forceKillAfterDelay: false,
  });
  const stderrTail: string[] = [];
  const stderrDone = readLines(child.stderr, (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
    options.onLog?.(line);
  });
  let onStdoutLine: (line: string) => void = () => undefined;
  const stdoutDone = readLines(child.stdout, (line) => onStdoutLine(line));
  // Streams are drained before `exited` settles, so the stderr tail holds the final words.
  const exited: Promise<AdapterExit> = Promise.all([child, stderrDone, stdoutDone]).then(([result]) => ({
    exitCode: result.exitCode,
    ...(result.signal ? { signal: result.signal } : {}),
    stderrTail: stderrTail.join('\n') || (result.failed && result.exitCode === undefined && !result.signal ? (result.originalMessage ?? '') : ''),
  }));

  const ready = await new Promise<Extract<AdapterEvent, { type: 'ready' }>>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    /** Set once the outcome is known, so the exit that a kill causes does not change the story. */
    let decided = false;
    const refuse = (message: string, extra: { timedOut?: boolean } = {}): void => {
      decided = true;
      onStdoutLine = () => undefined;
      signalGroup(child.pid, 'SIGKILL');
      void exited.then(() => reject(startFailed(message, extra)));
    };
    const timer = setTimeout(() => refuse(`printed no ready line within ${timeoutMs} ms`, { timedOut: true }), timeoutMs);
    onStdoutLine = (line) => {
      clearTimeout(timer);
      const event = parseEventLine(line);
      if (event?.type === 'ready' && (event.endpoint === undefined || URL.canParse(event.endpoint))) {
        decided = true;
        onStdoutLine = (next) => forwardLine(next, options);
        resolve(event);
        return;
      }
      const problem = event?.type === 'ready' ? 'a ready event whose endpoint is not a URL' : 'not a ready event';
      refuse(`printed a first stdout line that is ${problem}: ${JSON.stringify(line.slice(0, 200))}`);
    };
    void exited.then((exit) => {
      clearTimeout(timer);
      if (decided) return;
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode ?? '?'}`;
      const last = exit.stderrTail.trim().split('\n').at(-1);
      reject(startFailed(`${how} before it was ready${last ? `: ${last}` : ''}`, { cause: exit }));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    ...(ready.endpoint === undefined ? {} : { endpoint: ready.endpoint }),
    pid: child.pid ?? -1,
    exited,
    stop() {
      stopping ??= stopChild(child, exited);
      return stopping;
    },
  };
}

function forwardLine(line: string, options: LaunchAdapterOptions): void {
  const event = parseEventLine(line);
  if (event) options.onEvent?.(event);
  else if (line.trim() !== '') options.onLog?.(`warning: adapter ${options.name} printed a stdout line that is not an adapter event: ${line.slice(0, 500)}`);
}

async function stopChild(child: ResultPromise, exited: Promise<AdapterExit>): Promise<void> {
  await stopGroup(child.pid, exited, STOP_GRACE_MS);
}

async function readLines(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
  await once(lines, 'close');
}

function quote(part: string): string {
  return /^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part);
}
