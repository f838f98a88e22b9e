/**
 * API keys: `agk_<id>_<secret>`. Only a SHA-256 of the key is stored (a random 256-bit secret needs
 * no slow hash: there is nothing to brute-force); the lookup is by id and the comparison constant
 * time. Each key carries what it may do: task types, a target allowlist (addresses and CIDR
 * ranges), an optional sourceAgentId it speaks for, and a rate. Its signing secret (HMAC of
 * callbacks) is shown once at creation; the server must keep it to sign, so it is stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AgtestError } from '../../common/index.js';
import type { Database, Row } from '../store/db.js';
import { parseAllowlist } from './target-guard.js';

export interface ApiKey {
  id: string;
  name: string;
  taskTypes: string[];
  /** Addresses and CIDR ranges load and callbacks may go to. */
  targets: string[];
  sourceAgentId: string | null;
  ratePerMinute: number;
  signingSecret: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewKey {
  name: string;
  taskTypes: string[];
  targets: string[];
  sourceAgentId?: string;
  ratePerMinute?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function toKey(row: Row): ApiKey {
  return {
    id: String(row['id']),
    name: String(row['name']),
    taskTypes: JSON.parse(String(row['task_types'])) as string[],
    targets: JSON.parse(String(row['targets'])) as string[],
    sourceAgentId: row['source_agent_id'] === null ? null : String(row['source_agent_id']),
    ratePerMinute: Number(row['rate_per_minute']),
    signingSecret: String(row['signing_secret']),
    createdAt: String(row['created_at']),
    revokedAt: row['revoked_at'] === null ? null : String(row['revoked_at']),
  };
}

export class KeyStore {
  constructor(private readonly db: Database) {}

  /** Creates a key; the returned `key` and `signingSecret` are shown once and never again. */
  add(input: NewKey): { id: string; key: string; signingSecret: string } {
    if (input.taskTypes.length === 0) throw new AgtestError('AGTEST_SERVE_CONFIG_INVALID', 'a key needs at least one task type');
    parseAllowlist(input.targets);
    const id = randomBytes(6).toString('hex');
    const key = `agk_${id}_${randomBytes(32).toString('base64url')}`;
    const signingSecret = randomBytes(32).toString('base64url');
    this.db.run('INSERT INTO api_keys (id, name, hash, signing_secret, task_types, targets, source_agent_id, rate_per_minute, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      id,
      input.name,
      sha256(key),
      signingSecret,
      JSON.stringify(input.taskTypes),
      JSON.stringify(input.targets),
      input.sourceAgentId ?? null,
      input.ratePerMinute ?? 60,
      new Date().toISOString(),
    ]);
    return { id, key, signingSecret };
  }

  list(): ApiKey[] {
    return (this.db.all('SELECT * FROM api_keys ORDER BY created_at') as Row[]).map(toKey);
  }

  get(id: string): ApiKey | undefined {
    const row = this.db.get('SELECT * FROM api_keys WHERE id = ?', [id]) as Row | null;
    return row ? toKey(row) : undefined;
  }

  revoke(id: string): void {
    const result = this.db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date().toISOString(), id]);
    if (result.changes === 0) throw new AgtestError('AGTEST_SERVE_KEY_UNKNOWN', `no active key ${id} (see agtest serve keys list)`);
  }

  /** The active key a presented secret belongs to, or undefined (unknown, wrong or revoked). */
  authenticate(presented: string): ApiKey | undefined {
    const match = /^agk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(presented);
    if (!match) return undefined;
    const row = this.db.get('SELECT * FROM api_keys WHERE id = ?', [match[1]!]) as Row | null;
    if (!row) return undefined;
    const ok = timingSafeEqual(Buffer.from(sha256(presented), 'hex'), Buffer.from(String(row['hash']), 'hex'));
    if (!ok || row['revoked_at'] !== null) return undefined;
    return toKey(row);
  }
}
