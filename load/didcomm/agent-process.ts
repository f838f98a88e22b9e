/**
 * The agent under load, when agtest starts it (the built-in reference agent, or an agent command):
 * an argument array run without a shell in its own process group, ready when it prints its first
 * JSON-object line on stdout. Its exit during the run is reported through `exited`, so the
 * scenario can end the run (exit 2) with what was measured.
 */
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { AgtestError, builtinCommand, resolveCommand, signalGroup, stopGroup } from '../../common/index.js';

export interface StartedAgent {
  pid: number;
  ready: Record<string, unknown>;
  /** Resolves with how it ended, whenever it ends (stop() included). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

/** The built-in reference agent on `transport`, with named faults. */
export function referenceAgentCommand(transport: 'ws' | 'http', faults: readonly string[]): string[] {
  return [...builtinCommand('agtest-reference-agent'), '--transport', transport, ...(faults.length ? ['--faults', faults.join(',')] : [])];
}

export async function startAgent(command: readonly string[], log: (line: string) => void): Promise<StartedAgent> {
  const [file, ...args] = resolveCommand(command);
  if (!file) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', 'agent.command is empty');
  const child = execa(file, args, { reject: false, detached: true, stdin: 'ignore', buffer: false, forceKillAfterDelay: false });
  const stderr: string[] = [];
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  });
  const exited = child.then((result) => (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode ?? '?'}`));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AgtestError('AGTEST_AGENT_START_FAILED', `the agent ${command.join(' ')} printed no JSON ready line within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        log(`agent: ${line}`);
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      clearTimeout(timer);
      lines.removeAllListeners('line');
      lines.on('line', (rest) => log(`agent: ${rest}`));
      resolve(value as Record<string, unknown>);
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new AgtestError('AGTEST_AGENT_START_FAILED', `the agent ${command.join(' ')} ended (${how}) before it was ready${stderr.length ? `: ${stderr.slice(0, 3).join(' / ')}` : ''}`));
    });
  }).catch((error: unknown) => {
    signalGroup(child.pid, 'SIGKILL');
    throw error;
  });
  return {
    pid: child.pid!,
    ready,
    exited,
    stop: () => stopGroup(child.pid, exited, STOP_GRACE_MS),
  };
}

/** `${ready.KEY}` in a string, from the agent's ready line; an unknown key is a config error naming it. */
export function fillReady(text: string, ready: Record<string, unknown> | undefined, where: string): string {
  return text.replace(/\$\{ready\.([A-Za-z0-9_]+)\}/g, (_, key: string) => {
    const value = ready?.[key];
    if (value === undefined) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${where} uses \${ready.${key}}, but ${ready ? `the agent's ready line has no ${key}` : 'no agent is started (give agent.command)'}`);
    return String(value);
  });
}
