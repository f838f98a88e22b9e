/**
 * The job engine (DESIGN.md §10): a queue in the database, at most `concurrency` jobs running, a
 * runner per task type. A job is marked in_progress (in the database) before its runner starts,
 * so after a crash it is found in_progress and marked interrupted, never run a second time;
 * queued jobs simply run after the restart.
 */
import { describeError } from '../../common/index.js';
import { FINAL_STATUSES, type Job, type JobStore } from './job-store.js';

/** What a runner ends with: a result, a question back to the caller, or an error. */
export type TaskOutcome =
  | { status: 'completed'; result: unknown }
  | { status: 'input_required'; question: string; detail?: Record<string, unknown> }
  | { status: 'error'; error: string };

export interface TaskContext {
  /** Aborted when the job is cancelled or the engine stops. */
  readonly signal: AbortSignal;
  /** An in_progress event with this detail (phase, percent, counters). */
  progress(detail: Record<string, unknown>): void;
}

export type TaskRunner = (job: Job, ctx: TaskContext) => Promise<TaskOutcome>;

export interface JobEngineOptions {
  store: JobStore;
  runners: Readonly<Record<string, TaskRunner>>;
  /** Most jobs running at once (default 2). */
  concurrency?: number;
  /** Told of a runner's unexpected throw (the job is marked error either way). */
  log?: (line: string) => void;
}

export interface JobEngine {
  /** Marks jobs a crash left in_progress as interrupted, then starts the queue. */
  start(): void;
  /** Wakes the queue after a job was created. */
  wake(): void;
  /** Cancels a queued or running job; false when it had already ended. */
  cancel(id: string): boolean;
  /** Stops taking jobs, aborts the running ones and waits for them to settle. */
  stop(): Promise<void>;
  readonly running: number;
}

export function createJobEngine(options: JobEngineOptions): JobEngine {
  const { store, runners } = options;
  const concurrency = options.concurrency ?? 2;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopped = false;
  let started = false;

  const finish = (job: Job, outcome: TaskOutcome) => {
    if (outcome.status === 'completed') store.transition(job.id, ['in_progress'], 'completed', { result: outcome.result });
    else if (outcome.status === 'input_required') store.transition(job.id, ['in_progress'], 'input_required', { question: outcome.question, detail: { question: outcome.question, ...(outcome.detail ?? {}) } });
    else store.transition(job.id, ['in_progress'], 'error', { error: outcome.error, detail: { error: outcome.error } });
  };

  const launch = (queued: Job) => {
    const job = store.transition(queued.id, ['queued'], 'in_progress', { detail: { phase: 'started' } });
    if (!job) return;
    const controller = new AbortController();
    const runner = runners[job.taskType];
    const done = (async () => {
      let outcome: TaskOutcome;
      try {
        outcome = runner ? await runner(job, { signal: controller.signal, progress: (detail) => store.progress(job.id, detail) }) : { status: 'error', error: `no runner for task type ${job.taskType}` };
      } catch (error) {
        options.log?.(`job ${job.id} (${job.taskType}) failed: ${describeError(error)}`);
        outcome = { status: 'error', error: describeError(error) };
      }
      // A cancel already moved the job to cancelled: the transition from in_progress is a no-op then.
      if (!stopped) finish(job, outcome);
    })().finally(() => {
      running.delete(job.id);
      pump();
    });
    running.set(job.id, { controller, done });
  };

  const pump = () => {
    if (stopped || !started) return;
    while (running.size < concurrency) {
      // launch() moves it to in_progress at once, so the next call finds the one after it.
      const next = store.nextQueued();
      if (!next || running.has(next.id)) return;
      launch(next);
    }
  };

  return {
    start() {
      for (const job of store.withStatus('in_progress')) {
        store.transition(job.id, ['in_progress'], 'interrupted', { error: 'the server stopped while the job ran; it is not run again: send a new request', detail: { reason: 'server restarted while the job was running' } });
      }
      started = true;
      pump();
    },
    wake: pump,
    cancel(id) {
      const job = store.get(id);
      if (!job || FINAL_STATUSES.includes(job.status)) return false;
      const moved = store.transition(id, ['queued', 'in_progress'], 'cancelled', { detail: { reason: 'cancelled by the caller' } });
      running.get(id)?.controller.abort(new Error('cancelled'));
      return moved !== undefined;
    },
    async stop() {
      stopped = true;
      for (const { controller } of running.values()) controller.abort(new Error('server stopping'));
      await Promise.all([...running.values()].map((r) => r.done));
    },
    get running() {
      return running.size;
    },
  };
}
