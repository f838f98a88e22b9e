/**
 * The contract between the load engine and a scenario (DESIGN.md §9): a scenario says what one
 * iteration does, step by step; the engine decides when iterations start, times every step from
 * its intended start, and records integer microseconds into HDR histograms. Scenarios never time
 * themselves, so every scenario is measured the same way.
 */

/** Why an iteration failed, in classes a report can count and a threshold can name. */
export type LoadErrorClass =
  | 'timeout' // a step or the iteration ran past its configured timeout
  | 'refused' // the agent (or agact) declined: connection refused, agact exit 3, a deny
  | 'http-status' // an HTTP answer outside the expected statuses
  | 'problem-report' // the agent answered with a DIDComm problem-report
  | 'receiver-exit' // a receiver process exited non-zero or was killed
  | 'protocol' // an answer that breaks the protocol (wrong type, bad thread, unparsable)
  | 'transport' // the connection broke (reset, closed socket) after it was made
  | 'other';

/** Thrown (or returned) by a scenario to classify a failed iteration. */
export class LoadStepError extends Error {
  readonly code = 'LOAD_STEP_FAILED';
  constructor(
    readonly errorClass: LoadErrorClass,
    message: string,
    /** Extra context kept with the first examples of each class (status, exit code, body excerpt). */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'LoadStepError';
  }
}

/** What the engine hands a scenario for one iteration. */
export interface IterationContext {
  /** Global iteration index (shard-aware: shard i of N runs a deterministic slice of indices). */
  readonly index: number;
  /** Virtual-user number in the closed model; undefined in the open model. */
  readonly vu?: number;
  /** Aborted at the iteration timeout or when the run ends: pass it to every I/O call. */
  readonly signal: AbortSignal;
  /**
   * Runs one named step. The engine records its latency from the step's intended start and its
   * service time from its actual start; a throw is classified (LoadStepError, else 'other').
   */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Register a process this iteration started (a receiver) so generator health can sample it. */
  watchProcess(pid: number, role: 'receiver' | 'agent'): void;
}

/** What a scenario needs from the run, once. */
export interface ScenarioContext {
  readonly signal: AbortSignal;
  /**
   * Whether load may go to non-loopback hosts: for targets a scenario learns only while it runs
   * (the endpoint an invitation names), which targets() cannot list before the run.
   */
  readonly allowRemote: boolean;
  /** Report a line of progress or a warning (stderr, quiet under --json). */
  log(message: string): void;
  watchProcess(pid: number, role: 'receiver' | 'agent'): void;
  /**
   * Ends the run early because it cannot go on (the agent under load died): no new iterations,
   * running ones interrupted, the report written with what was measured and the reason; the CLI
   * exits 2.
   */
  stopRun(reason: string): void;
}

/** One kind of load: `oob-flow`, `message`, `http`, later `topology`. */
export interface Scenario {
  readonly name: string;
  /** The step names of one iteration, in order, for reports ('total' is the engine's). */
  readonly steps: readonly string[];
  /**
   * The URLs (or host names) this scenario will send load to. The engine refuses any that is not
   * loopback unless the run allows remote targets; a scenario without it is not checked.
   */
  targets?(): readonly string[];
  /** Before the load starts: connect, create the connection messages reuse, start an agent. */
  open?(ctx: ScenarioContext): Promise<void>;
  /** One iteration; resolves when it succeeded, rejects (LoadStepError) when it failed. */
  iterate(it: IterationContext): Promise<void>;
  /** After the load: close connections, stop what open() started. Always called. */
  close?(): Promise<void>;
}

/** How a scenario is built from its part of the load config (validated by its own JSON Schema). */
export interface ScenarioFactory<C = unknown> {
  readonly name: string;
  /** JSON Schema of this scenario's config block (ajv); errors name the key. */
  readonly configSchema: object;
  create(config: C): Scenario;
}
