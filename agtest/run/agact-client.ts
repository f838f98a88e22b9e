import { createAgactSession, invokeAgact, type AgactOutcome } from '../../agact/index.js';

/** How the runner reaches the agent's backchannel: a process per call, or one session (opt-in). */
export interface AgactClient {
  call(action: string, params: Record<string, unknown>, test: string): Promise<AgactOutcome>;
  /** Starts a session agact ahead of its first call (nothing for one-shot calls). */
  start(): void;
  close(): Promise<void>;
}

export interface AgactClientOptions {
  command: string[];
  timeoutMs: number;
  cwd: string;
  /** agact.session in the config: the agact speaks the session protocol (agact-session.ts). */
  session: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export function createAgactClient(options: AgactClientOptions): AgactClient {
  const { command, timeoutMs, cwd, signal } = options;
  if (!options.session) {
    return {
      call: (action, params, test) => invokeAgact({ action, params }, { command, timeoutMs, cwd, test, ...(signal ? { signal } : {}) }),
      start: () => undefined,
      close: async () => undefined,
    };
  }
  const session = createAgactSession({ command, timeoutMs, cwd, ...(signal ? { signal } : {}), ...(options.log ? { log: options.log } : {}) });
  return { call: (action, params, test) => session.invoke({ action, params }, test), start: () => session.start(), close: () => session.close() };
}
