/** The service's public surface (DESIGN.md §10): the job engine and, on it, the REST face. */
export { openDatabase, transaction, type Database } from './store/db.js';
export { JobStore, FINAL_STATUSES, hashRequest, type Job, type JobEvent, type JobStatus, type Transition, type CallbackBody } from './jobs/job-store.js';
export { createJobEngine, type JobEngine, type JobEngineOptions, type TaskRunner, type TaskContext, type TaskOutcome } from './jobs/engine.js';
export { startService, type Service, type ServiceOptions } from './service.js';
export { KeyStore, type ApiKey, type NewKey } from './security/api-keys.js';
export { checkTarget, parseAllowlist, systemResolver, type Resolver, type TargetCheck } from './security/target-guard.js';
export { createRateLimiter, type RateLimiter } from './security/rate-limit.js';
export { requestSchema, requestProblems, TASK_TYPES, type ServeRequest, type TaskType } from './http/request-schema.js';
export { openApiDocument } from './http/openapi.js';
export { signBody, SIGNATURE_HEADER } from './callbacks/deliver.js';
export { parseDescription, type ParsedDescription } from './tasks/parse-description.js';
export { planFromRequest, type TestPlan, type PlanOutcome } from './tasks/plan.js';
export { renderJmx, secretProperty } from './tasks/jmx.js';
export { toLoadConfig } from './tasks/load-plan.js';
export { analyzeLoadReport, summarizeReport, type AnalysisSummary } from './tasks/analyze.js';
export { DEFAULT_CAPS, type Caps } from './tasks/runners.js';
export { runServeCommand, runKeysCommand, DEV_TARGETS, type ServeFlags, type ServeIo, type KeyFlags } from './command.js';
export { reportFromJtl } from './tasks/jtl.js';
