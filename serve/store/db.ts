/**
 * The service's embedded database (DESIGN.md §10): jobs, their status history, callbacks waiting
 * to be delivered, and API keys, in one SQLite file. node-sqlite3-wasm is SQLite compiled to
 * WebAssembly with a file-system VFS: it installs from the npm registry with no native build and
 * no download (better-sqlite3 has to compile on a machine that cannot fetch its prebuilt binary).
 * Every commit is written through to the file, so a kill -9 loses nothing committed.
 */
import { createRequire } from 'node:module';
import { AgtestError } from '../../common/index.js';

const require = createRequire(import.meta.url);
const sqlite = require('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');

export type Database = import('node-sqlite3-wasm').Database;
export type Row = Record<string, number | bigint | string | Uint8Array | null>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  queue_order INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  task_type TEXT NOT NULL,
  status TEXT NOT NULL,
  request TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  callback_url TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  runs INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  error TEXT,
  question TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, queue_order);
CREATE TABLE IF NOT EXISTS job_events (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  at TEXT NOT NULL,
  detail TEXT,
  PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS callbacks (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  url TEXT NOT NULL,
  key_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  delivered_at TEXT,
  given_up_at TEXT,
  last_error TEXT,
  PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  signing_secret TEXT NOT NULL,
  task_types TEXT NOT NULL,
  targets TEXT NOT NULL,
  source_agent_id TEXT,
  rate_per_minute INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
-- The A2A face's tasks (the SDK's Task as JSON, per owning key), which job each follows, and
-- their push configs: an A2A caller finds its task, and is told its end, after a restart.
CREATE TABLE IF NOT EXISTS a2a_tasks (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  task TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS a2a_task_jobs (
  task_id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS a2a_push_configs (
  task_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  config_id TEXT NOT NULL,
  config TEXT NOT NULL,
  wire_version TEXT NOT NULL,
  PRIMARY KEY (task_id, owner, config_id)
);
`;

export function openDatabase(file: string): Database {
  let db: Database;
  try {
    db = new sqlite.Database(file);
    // FULL: each commit is synced before it returns, so what a caller was told is on disk.
    db.exec('PRAGMA synchronous = FULL; PRAGMA busy_timeout = 15000;');
    db.exec(SCHEMA);
  } catch (error) {
    throw new AgtestError('AGTEST_SERVE_DB_FAILED', `cannot open the service database ${file}: ${(error as Error).message}`, { file, cause: error });
  }
  return db;
}

/** Runs fn in one transaction: all of it is on disk, or none of it. */
export function transaction<T>(db: Database, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
