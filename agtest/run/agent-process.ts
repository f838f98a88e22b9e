import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { AgtestError } from '../../common/index.js';

export interface AgentProcess {
  /** The JSON object the agent printed when ready. */
  ready: Record<string, unknown>;
  /** Rejects when the agent exits before stop() is called. */
  unexpectedExit: Promise<never>;
  stop(): Promise<void>;
}

/**
 * Starts the tested agent (argument array, no shell) and waits for its first JSON-object line on
 * stdout. Lines before it are treated as logs.
 */
export async function startAgentProcess(command: readonly string[], options: { readyTimeoutMs: number; cwd: string; log(line: string): void }): Promise<AgentProcess> {
  const [file, ...args] = command;
  if (!file) throw new AgtestError('AGTEST_AGENT_START_FAILED', 'agent.command is empty');
  const child: ResultPromise = execa(file, args, { cwd: options.cwd, reject: false, cleanup: true, stdin: 'ignore', buffer: false, forceKillAfterDelay: 3000 });
  let stopping = false;
  const stderrTail: string[] = [];
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      options.log(line);
    });
  }
  const exited = child.then((result) => result);
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new AgtestError('AGTEST_AGENT_START_FAILED', `agent printed no ready line within ${options.readyTimeoutMs} ms (command: ${command.join(' ')})`, { command, timedOut: true }));
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
      const why = stderrTail.at(-1) ?? result.shortMessage ?? '';
      reject(new AgtestError('AGTEST_AGENT_START_FAILED', `agent exited (${result.exitCode ?? result.signal}) before it was ready: ${why} (command: ${command.join(' ')})`, { command }));
    });
  });
  const unexpectedExit = exited.then((result): never => {
    if (stopping) return new Promise<never>(() => undefined) as never;
    throw new AgtestError('AGTEST_AGENT_START_FAILED', `the tested agent exited during the run (${result.exitCode ?? result.signal}): ${stderrTail.at(-1) ?? ''}`, { command });
  });
  unexpectedExit.catch(() => undefined);
  return {
    ready,
    unexpectedExit,
    async stop() {
      stopping = true;
      child.kill('SIGTERM');
      await exited;
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
