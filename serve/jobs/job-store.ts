/**
 * Jobs and their status history in the database. Every status change is one transaction that
 * updates the job, appends the event with the next sequence number and, when the job has a
 * callbackUrl, queues the callback: a crash can never leave a status without its event or its
 * callback.
 */
import { createHash } from 'node:crypto';
import { transaction, type Database, type Row } from '../store/db.js';

/** The seed's words where it has them ("in_progress", "completed", "error"), ours for the rest. */
export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'error' | 'cancelled' | 'interrupted' | 'input_required';
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'error', 'cancelled', 'interrupted', 'input_required'];

export interface Job {
  id: string;
  keyId: string;
  taskType: string;
  status: JobStatus;
  request: Record<string, unknown>;
  requestHash: string;
  callbackUrl: string | null;
  createdAt: string;
  updatedAt: string;
  /** Times a runner was started on it: never more than 1 (a restart marks it interrupted). */
  runs: number;
  result: unknown;
  error: string | null;
  question: string | null;
}

export interface JobEvent {
  seq: number;
  status: JobStatus;
  at: string;
  detail: Record<string, unknown> | null;
}

/** What a status change may carry. */
export interface Transition {
  detail?: Record<string, unknown>;
  result?: unknown;
  error?: string;
  question?: string;
}

/** Builds the body POSTed to the callbackUrl for one event (redacted by the caller). */
export type CallbackBody = (job: Job, event: JobEvent) => Record<string, unknown>;

export const hashRequest = (request: unknown) => createHash('sha256').update(JSON.stringify(request)).digest('hex');

const now = () => new Date().toISOString();

function toJob(row: Row): Job {
  return {
    id: String(row['id']),
    keyId: String(row['key_id']),
    taskType: String(row['task_type']),
    status: String(row['status']) as JobStatus,
    request: JSON.parse(String(row['request'])) as Record<string, unknown>,
    requestHash: String(row['request_hash']),
    callbackUrl: row['callback_url'] === null ? null : String(row['callback_url']),
    createdAt: String(row['created_at']),
    updatedAt: String(row['updated_at']),
    runs: Number(row['runs']),
    result: row['result'] === null ? null : (JSON.parse(String(row['result'])) as unknown),
    error: row['error'] === null ? null : String(row['error']),
    question: row['question'] === null ? null : String(row['question']),
  };
}

export class JobStore {
  constructor(
    readonly db: Database,
    private readonly callbackBody?: CallbackBody,
    /** Called after each committed event (the callback delivery wakes on it). */
    private readonly onEvent?: () => void,
  ) {}

  get(id: string): Job | undefined {
    const row = this.db.get('SELECT * FROM jobs WHERE id = ?', [id]);
    return row ? toJob(row as Row) : undefined;
  }

  events(id: string): JobEvent[] {
    return (this.db.all('SELECT * FROM job_events WHERE job_id = ? ORDER BY seq', [id]) as Row[]).map((row) => ({
      seq: Number(row['seq']),
      status: String(row['status']) as JobStatus,
      at: String(row['at']),
      detail: row['detail'] === null ? null : (JSON.parse(String(row['detail'])) as Record<string, unknown>),
    }));
  }

  /** Inserts a queued job and its first event. */
  create(input: { id: string; keyId: string; taskType: string; request: Record<string, unknown>; callbackUrl?: string }): Job {
    const job = transaction(this.db, () => {
      const at = now();
      const order = Number((this.db.get('SELECT COALESCE(MAX(queue_order), 0) + 1 AS next FROM jobs') as Row)['next']);
      this.db.run('INSERT INTO jobs (id, queue_order, key_id, task_type, status, request, request_hash, callback_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        input.id,
        order,
        input.keyId,
        input.taskType,
        'queued',
        JSON.stringify(input.request),
        hashRequest(input.request),
        input.callbackUrl ?? null,
        at,
        at,
      ]);
      this.appendEvent(this.get(input.id)!, 'queued', {});
      return this.get(input.id)!;
    });
    this.onEvent?.();
    return job;
  }

  /**
   * Moves a job to `status` if it is in one of `from`; returns the updated job, or undefined when
   * it was not (another path moved it first: a cancel racing the runner).
   */
  transition(id: string, from: readonly JobStatus[], status: JobStatus, change: Transition = {}): Job | undefined {
    const job = this.moveJob(id, from, status, change);
    if (job) this.onEvent?.();
    return job;
  }

  private moveJob(id: string, from: readonly JobStatus[], status: JobStatus, change: Transition): Job | undefined {
    return transaction(this.db, () => {
      const job = this.get(id);
      if (!job || !from.includes(job.status)) return undefined;
      this.db.run('UPDATE jobs SET status = ?, updated_at = ?, runs = runs + ?, result = COALESCE(?, result), error = COALESCE(?, error), question = COALESCE(?, question) WHERE id = ?', [
        status,
        now(),
        status === 'in_progress' ? 1 : 0,
        change.result === undefined ? null : JSON.stringify(change.result),
        change.error ?? null,
        change.question ?? null,
        id,
      ]);
      const updated = this.get(id)!;
      this.appendEvent(updated, status, change.detail ?? {});
      return updated;
    });
  }

  /** Records progress without changing the status (an event with the same status). */
  progress(id: string, detail: Record<string, unknown>): void {
    transaction(this.db, () => {
      const job = this.get(id);
      if (job?.status === 'in_progress') this.appendEvent(job, 'in_progress', detail);
    });
    this.onEvent?.();
  }

  /** The oldest queued job (the next to run). */
  nextQueued(): Job | undefined {
    const row = this.db.get("SELECT * FROM jobs WHERE status = 'queued' ORDER BY queue_order LIMIT 1") as Row | null;
    return row ? toJob(row) : undefined;
  }

  /** Queued jobs, oldest first. */
  queued(): Job[] {
    return (this.db.all("SELECT * FROM jobs WHERE status = 'queued' ORDER BY queue_order") as Row[]).map(toJob);
  }

  withStatus(status: JobStatus): Job[] {
    return (this.db.all('SELECT * FROM jobs WHERE status = ? ORDER BY queue_order', [status]) as Row[]).map(toJob);
  }

  /** 1-based place in the queue, or undefined when the job is not queued. */
  position(id: string): number | undefined {
    const row = this.db.get("SELECT (SELECT COUNT(*) FROM jobs q WHERE q.status = 'queued' AND q.queue_order <= j.queue_order) AS position FROM jobs j WHERE j.id = ? AND j.status = 'queued'", [id]) as Row | null;
    return row ? Number(row['position']) : undefined;
  }

  private appendEvent(job: Job, status: JobStatus, detail: Record<string, unknown>): void {
    const seq = Number((this.db.get('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM job_events WHERE job_id = ?', [job.id]) as Row)['next']);
    const event: JobEvent = { seq, status, at: now(), detail };
    this.db.run('INSERT INTO job_events (job_id, seq, status, at, detail) VALUES (?, ?, ?, ?, ?)', [job.id, seq, status, event.at, JSON.stringify(detail)]);
    if (job.callbackUrl && this.callbackBody) {
      this.db.run('INSERT INTO callbacks (job_id, seq, url, key_id, body, next_at) VALUES (?, ?, ?, ?, ?, ?)', [job.id, seq, job.callbackUrl, job.keyId, JSON.stringify(this.callbackBody(job, event)), Date.now()]);
    }
  }
}
