/** The service's public surface (DESIGN.md §10): the job engine and, on it, the REST face. */
export { openDatabase, transaction, type Database } from './store/db.js';
export { JobStore, FINAL_STATUSES, hashRequest, type Job, type JobEvent, type JobStatus, type Transition, type CallbackBody } from './jobs/job-store.js';
export { createJobEngine, type JobEngine, type JobEngineOptions, type TaskRunner, type TaskContext, type TaskOutcome } from './jobs/engine.js';
