/**
 * The A2A face's task store: the SDK's in-memory store (its list semantics, scoped per key),
 * written through to the service's SQLite file, and filled from it at start, so a caller finds
 * its tasks after a restart. Which job each task follows is kept beside it.
 */
import { Task } from '@a2a-js/sdk';
import { InMemoryTaskStore, ServerCallContext } from '@a2a-js/sdk/server';
import type { Database, Row } from '../store/db.js';
import type { KeyStore } from '../security/api-keys.js';
import { KeyUser } from './key-user.js';

/** A call context for a stored owner (a key id), as the SDK's scoping reads it. */
export function contextOfOwner(keys: KeyStore, owner: string, requestedVersion?: string): ServerCallContext | undefined {
  const key = keys.get(owner);
  return key ? new ServerCallContext({ user: new KeyUser(key), ...(requestedVersion ? { requestedVersion } : {}) }) : undefined;
}

export class ServeTaskStore extends InMemoryTaskStore {
  constructor(private readonly db?: Database) {
    super();
  }

  /**
   * a2a.proto ListTasksRequest.status_timestamp_after: "greater than or equal"; the SDK's store
   * compares with ">". Timestamps are compared in milliseconds, so one millisecond earlier with ">"
   * is ">=".
   */
  override list(...args: Parameters<InMemoryTaskStore['list']>): ReturnType<InMemoryTaskStore['list']> {
    const [params, ...rest] = args;
    const after = params.statusTimestampAfter ? Date.parse(params.statusTimestampAfter) : NaN;
    return super.list(Number.isNaN(after) ? params : { ...params, statusTimestampAfter: new Date(after - 1).toISOString() }, ...rest);
  }

  override async save(task: Task, context: ServerCallContext): Promise<void> {
    await super.save(task, context);
    this.db?.run('INSERT INTO a2a_tasks (id, owner, task, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, task = excluded.task, updated_at = excluded.updated_at', [
      task.id,
      context.user?.userName ?? 'unknown',
      JSON.stringify(Task.toJSON(task)),
      new Date().toISOString(),
    ]);
  }

  /** Loads every stored task into memory (at start); returns them with their owners' contexts. */
  restore(keys: KeyStore): { task: Task; context: ServerCallContext }[] {
    if (!this.db) return [];
    const restored: { task: Task; context: ServerCallContext }[] = [];
    for (const row of this.db.all('SELECT owner, task FROM a2a_tasks') as Row[]) {
      const context = contextOfOwner(keys, String(row['owner']));
      if (!context) continue;
      const task = Task.fromJSON(JSON.parse(String(row['task'])));
      // The in-memory save has no await inside: the task is in the map when this returns.
      void super.save(task, context);
      restored.push({ task, context });
    }
    return restored;
  }
}

/** Task id → the job it follows, in memory and in the database. */
export class TaskJobs {
  private readonly map = new Map<string, string>();

  constructor(private readonly db?: Database) {
    for (const row of (db?.all('SELECT task_id, job_id FROM a2a_task_jobs') ?? []) as Row[]) this.map.set(String(row['task_id']), String(row['job_id']));
  }

  get(taskId: string): string | undefined {
    return this.map.get(taskId);
  }

  set(taskId: string, jobId: string): void {
    this.map.set(taskId, jobId);
    this.db?.run('INSERT INTO a2a_task_jobs (task_id, job_id) VALUES (?, ?) ON CONFLICT (task_id) DO UPDATE SET job_id = excluded.job_id', [taskId, jobId]);
  }
}
