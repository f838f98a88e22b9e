/** Deterministic shards: shard i of N runs the iterations whose global index ≡ i (mod N). */

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export const NO_SHARD: Shard = { index: 0, count: 1 };

/** Parses `i/N` with 1 ≤ i ≤ N (1-based on the command line, as Kubernetes completion index + 1). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = match ? Number(match[1]) : NaN;
  const n = match ? Number(match[2]) : NaN;
  if (!match || !(n >= 1) || !(i >= 1) || i > n) throw new RangeError(`a shard is i/N with 1 ≤ i ≤ N, e.g. 2/4; got ${JSON.stringify(text)}`);
  return { index: i - 1, count: n };
}

export function inShard(globalIndex: number, shard: Shard): boolean {
  return globalIndex % shard.count === shard.index;
}

/** The virtual users of a closed run that this shard runs (global VU numbers). */
export function shardVus(vus: number, shard: Shard): number[] {
  const mine: number[] = [];
  for (let vu = shard.index; vu < vus; vu += shard.count) mine.push(vu);
  return mine;
}
