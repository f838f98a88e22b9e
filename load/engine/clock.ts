/** The engine's one clock: microseconds since the run's start, from the monotonic performance clock. */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Microseconds since the run started (fractional; histograms round). */
  now(): number;
  /** Wall-clock time of the run's start (ISO), for reports. */
  readonly startedAt: string;
}

export function createClock(): Clock {
  const origin = performance.now();
  return { now: () => (performance.now() - origin) * 1000, startedAt: new Date().toISOString() };
}

/** Resolves after ms, or at once when the signal aborts (never rejects: callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
