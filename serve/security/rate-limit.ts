/**
 * Per-key rate limit: a token bucket holding a minute's worth of requests, refilled continuously.
 * A request that finds it empty is refused with 429 and told when a token will be there.
 */
export interface RateLimiter {
  /** 0 when allowed (a token taken), else the seconds to wait (Retry-After). */
  take(keyId: string, perMinute: number): number;
}

export function createRateLimiter(now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(keyId, perMinute) {
      const t = now();
      const perMs = perMinute / 60_000;
      const bucket = buckets.get(keyId) ?? { tokens: perMinute, at: t };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      buckets.set(keyId, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    },
  };
}
