import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { AgtestError, signalGroup, stopGroup } from '../../common/index.js';

/** How long the agent may take to stop after SIGTERM before its group is killed. */
const STOP_GRACE_MS = 3_000;

export interface AgentExit {
  exitCode: number | undefined;
  signal: string | undefined;
}

export interface AgentProcess {
  /** The JSON object the agent printed when ready. */
  ready: Record<string, unknown>;
  /** Rejects (AGTEST_AGENT_EXITED) when the agent exits before stop() is called. */
  unexpectedExit: Promise<never>;
  /** Set as soon as the process is gone, whatever the reason: consequences are judged against it. */
  readonly exit: AgentExit | undefined;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface AgentProcessOptions {
  readyTimeoutMs: number;
  cwd: string;
  log(line: string): void;
  /** Where its stderr is kept (named in messages about it); each line also goes to `log`. */
  stderrFile?: string;
  /** Each stderr line, for the file. */
  onStderr?(line: string): void;
}

/** How a process ended, in words: "exit code 1" or "killed by SIGKILL". */
export function describeExit(exit: AgentExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.exitCode ?? '?'}`;
}

/**
 * Starts the tested agent (argument array, no shell) and waits for its first JSON-object line on
 * stdout. Lines before it are treated as logs. Its stderr is not quoted in messages: a log line is
 * no cause, and the file it goes to is named instead.
 */
export async function startAgentProcess(command: readonly string[], options: AgentProcessOptions): Promise<AgentProcess> {
  const [file, ...args] = command;
  if (!file) throw new AgtestError('AGTEST_AGENT_START_FAILED', 'agent.command is empty');
  // Its own process group: a wrapper (`bash -c`, npm) and what it starts are stopped with it.
  const child: ResultPromise = execa(file, args, { cwd: options.cwd, reject: false, detached: true, stdin: 'ignore', buffer: false, forceKillAfterDelay: false });
  let stopping = false;
  let exit: AgentExit | undefined;
  const where = options.stderrFile ? ` (its stderr: ${options.stderrFile})` : '';
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      options.onStderr?.(line);
      options.log(line);
    });
  }
  const exited = child.then((result) => {
    exit = { exitCode: result.exitCode, signal: result.signal };
    return result;
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child.pid, 'SIGKILL');
      reject(new AgtestError('AGTEST_AGENT_START_FAILED', `agent printed no ready line within ${options.readyTimeoutMs} ms (command: ${command.join(' ')})${where}`, { command, timedOut: true }));
    }, options.readyTimeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const parsed = parseObjectLine(line);
      if (!parsed) {
        options.log(line);
        return;
      }
      clearTimeout(timer);
      lines.removeAllListeners('line');
      lines.on('line', options.log);
      resolve(parsed);
    });
    void exited.then((result) => {
      clearTimeout(timer);
      const notFound = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      const why = notFound ? `command not found: ${file}` : `agent exited (${describeExit({ exitCode: result.exitCode, signal: result.signal })}) before it was ready`;
      reject(new AgtestError('AGTEST_AGENT_START_FAILED', `${why} (command: ${command.join(' ')})${notFound ? '' : where}`, { command }));
    });
  });
  const unexpectedExit = exited.then((result): never => {
    if (stopping) return new Promise<never>(() => undefined) as never;
    throw new AgtestError('AGTEST_AGENT_EXITED', `the tested agent exited during the run (${describeExit({ exitCode: result.exitCode, signal: result.signal })})${where}`, { command });
  });
  unexpectedExit.catch(() => undefined);
  return {
    ready,
    unexpectedExit,
    get exit() {
      return exit;
    },
    pid: child.pid,
    async stop() {
      stopping = true;
      await stopGroup(child.pid, exited, STOP_GRACE_MS);
    },
  };
}

function parseObjectLine(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch (error) {
    void error; // a log line that happens to start with "{" is still just a log line
    return undefined;
  }
}
