/**
 * How the shards of a sharded sweep meet: a directory they all see (`--shard-dir`). At each named
 * point (after setup, with its agents' DIDs; before each run; at the end) a shard writes its file
 * and waits, bounded by `--shard-wait`, for every other shard's: a synchronised start, and no shard
 * closes its agents while another still pings them. A shard that never shows up is named.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgtestError } from '../../common/index.js';
import type { Shard } from '../engine/shard.js';

const POLL_MS = 50;

interface ShardFile<T> {
  /** The sweep every shard must run: the same flags but --shard. */
  sweep: string;
  shard: number;
  payload: T;
}

export class ShardExchange {
  constructor(
    readonly dir: string,
    readonly shard: Shard,
    private readonly sweep: string,
    private readonly waitMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  private file(point: string, index: number): string {
    return join(this.dir, `${point}.shard-${index + 1}-of-${this.shard.count}.json`);
  }

  /** Before anything: this shard's first file must not be there already (a stale run would be taken for this one). */
  async claim(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const mine = this.file('setup', this.shard.index);
    if (await stat(mine).then(() => true, () => false)) {
      throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${mine} is already there: a sharded sweep needs a fresh --shard-dir (a previous run's files would be taken for this one's)`);
    }
  }

  /** Writes this shard's file at `point`, waits for every shard's; their payloads by shard index. */
  async meet<T>(point: string, payload: T): Promise<T[]> {
    const mine = this.file(point, this.shard.index);
    const body: ShardFile<T> = { sweep: this.sweep, shard: this.shard.index + 1, payload };
    // Written whole, then renamed: a reader never sees half a file.
    await writeFile(`${mine}.tmp`, JSON.stringify(body));
    await rename(`${mine}.tmp`, mine);
    const found: (T | undefined)[] = Array.from({ length: this.shard.count }, (_, i) => (i === this.shard.index ? payload : undefined));
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      for (let i = 0; i < this.shard.count; i += 1) {
        if (found[i] !== undefined) continue;
        const text = await readFile(this.file(point, i), 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        let other: ShardFile<T>;
        try {
          other = JSON.parse(text) as ShardFile<T>;
        } catch (error) {
          throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${this.file(point, i)} is not JSON (${(error as Error).message}): something else writes to --shard-dir`, { file: this.file(point, i), cause: error });
        }
        if (other.sweep !== this.sweep) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `shard ${i + 1}/${this.shard.count} runs another sweep (${other.sweep}) than this shard ${this.shard.index + 1}/${this.shard.count} (${this.sweep}): give every shard the same flags but --shard`);
        found[i] = other.payload;
      }
      const missing = found.flatMap((value, i) => (value === undefined ? [i + 1] : []));
      if (missing.length === 0) return found as T[];
      if (this.signal?.aborted) throw new AgtestError('AGTEST_INTERRUPTED', `stopped while waiting for shard(s) ${missing.join(', ')} at "${point}"`);
      if (Date.now() >= deadline) {
        throw new AgtestError(
          'AGTEST_LOAD_SHARD_MISSING',
          `shard ${this.shard.index + 1}/${this.shard.count}: shard${missing.length > 1 ? 's' : ''} ${missing.map((m) => `${m}/${this.shard.count}`).join(', ')} did not reach "${point}" within ${this.waitMs} ms (no ${missing.map((m) => this.file(point, m - 1)).join(', ')}): ${missing.length > 1 ? 'are they' : 'is it'} running, with the same --shard-dir and --router?`,
          { timedOut: true, durationMs: this.waitMs },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
