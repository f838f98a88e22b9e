/**
 * `agtest serve` and `agtest serve keys …`, minus the argv parsing (agtest/cli.ts). The server
 * listens on loopback unless told otherwise and prints a fresh dev key: loopback targets only,
 * every task type. Keys for anything else are made with `agtest serve keys add`.
 */
import { AgtestError } from '../common/index.js';
import { TASK_TYPES } from './http/request-schema.js';
import { KeyStore } from './security/api-keys.js';
import { startService, type Service } from './service.js';
import { openDatabase } from './store/db.js';

export interface ServeFlags {
  db: string;
  host: string;
  port: number;
  concurrency: number;
  maxUsers?: number;
  maxDuration?: number;
  maxBody?: number;
  /** The URL callers reach the service at, named by the Agent Card. */
  publicUrl?: string;
  devKey: boolean;
}

export interface ServeIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
}

/** What a dev key may reach: this machine only. */
export const DEV_TARGETS = ['127.0.0.0/8', '::1'];

export async function runServeCommand(flags: ServeFlags, io: ServeIo): Promise<number> {
  if (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535) throw new AgtestError('AGTEST_SERVE_CONFIG_INVALID', `--port must be 0-65535, got ${flags.port}`);
  if (!Number.isInteger(flags.concurrency) || flags.concurrency < 1) throw new AgtestError('AGTEST_SERVE_CONFIG_INVALID', `--concurrency must be a positive integer, got ${flags.concurrency}`);
  const service: Service = await startService({
    db: flags.db,
    host: flags.host,
    port: flags.port,
    concurrency: flags.concurrency,
    ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
    caps: {
      ...(flags.maxUsers === undefined ? {} : { maxUsers: flags.maxUsers }),
      ...(flags.maxDuration === undefined ? {} : { maxDurationSeconds: flags.maxDuration }),
      ...(flags.maxBody === undefined ? {} : { maxBodyBytes: flags.maxBody }),
    },
    log: (line) => io.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  io.stdout.write(`agtest serve: listening on ${service.url} (database ${flags.db})\n`);
  const base = flags.publicUrl?.replace(/\/+$/, '') ?? service.url;
  io.stdout.write(`A2A: Agent Card ${base}/.well-known/agent-card.json, JSON-RPC ${base}/a2a/jsonrpc\n`);
  if (flags.devKey) {
    const dev = service.keys.add({ name: 'dev', taskTypes: [...TASK_TYPES], targets: DEV_TARGETS, ratePerMinute: 120 });
    io.stdout.write(`dev key ${dev.id} (loopback targets only, every task type):\n  AGTEST_KEY=${dev.key}\n  callback signing secret: ${dev.signingSecret}\n`);
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.stdout.write('agtest serve: stopping (running jobs will be marked interrupted at the next start)\n');
  await service.close();
  return 0;
}

export interface KeyFlags {
  db: string;
  name?: string;
  taskType?: string[];
  target?: string[];
  sourceAgentId?: string;
  rate?: number;
  id?: string;
}

/** keys add | list | revoke; prints to stdout; returns the exit code. */
export function runKeysCommand(action: 'add' | 'list' | 'revoke', flags: KeyFlags, stdout: NodeJS.WritableStream): number {
  const db = openDatabase(flags.db);
  try {
    const keys = new KeyStore(db);
    if (action === 'add') {
      const taskTypes = flags.taskType?.length ? flags.taskType : [...TASK_TYPES];
      const unknown = taskTypes.filter((type) => !(TASK_TYPES as readonly string[]).includes(type));
      if (unknown.length) throw new AgtestError('AGTEST_SERVE_CONFIG_INVALID', `unknown task type ${unknown.join(', ')}; known: ${TASK_TYPES.join(', ')}`);
      if (!flags.target?.length) throw new AgtestError('AGTEST_SERVE_CONFIG_INVALID', 'say where this key may send load: --target ADDRESS or CIDR (repeatable), e.g. --target 10.0.0.0/8');
      const created = keys.add({ name: flags.name ?? 'unnamed', taskTypes, targets: flags.target, ...(flags.sourceAgentId ? { sourceAgentId: flags.sourceAgentId } : {}), ...(flags.rate === undefined ? {} : { ratePerMinute: flags.rate }) });
      stdout.write(`key ${created.id} created; shown once, store it now:\n  key: ${created.key}\n  callback signing secret: ${created.signingSecret}\n`);
      return 0;
    }
    if (action === 'list') {
      for (const key of keys.list()) {
        stdout.write(`${key.id}  ${key.name}  ${key.revokedAt ? `revoked ${key.revokedAt}` : 'active'}  tasks=${key.taskTypes.join(',')}  targets=${key.targets.join(',')}  rate=${key.ratePerMinute}/min${key.sourceAgentId ? `  source=${key.sourceAgentId}` : ''}  created ${key.createdAt}\n`);
      }
      return 0;
    }
    if (!flags.id) throw new AgtestError('AGTEST_SERVE_CONFIG_INVALID', 'say which key: agtest serve keys revoke ID');
    keys.revoke(flags.id);
    stdout.write(`key ${flags.id} revoked\n`);
    return 0;
  } finally {
    db.close();
  }
}
