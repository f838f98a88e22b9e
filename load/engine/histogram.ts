/**
 * Latency histograms: integer microseconds in HDR histograms (3 significant digits), encoded in
 * reports as compressed base64 so runs and shards merge exactly by adding counts. Percentiles of
 * merged runs always come from the merged histogram, never from averaged percentiles.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** One hour in microseconds: longer samples still fit (autoResize), this only sizes the start. */
const HIGHEST_US = 3_600_000_000;

export type { Histogram };

/**
 * A new empty histogram of integer microseconds (plain JS buckets: no WebAssembly to initialise).
 * `fast` (32-bit buckets, ~90 KB) for the few histograms every iteration records into; `compact`
 * (packed buckets: slower to record, a few hundred bytes when sparse) for the many per-second ones.
 */
export function createHistogram(kind: 'fast' | 'compact' = 'fast'): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: kind === 'fast' ? 32 : 'packed', autoResize: true, useWebAssembly: false });
}

/** Records one duration in microseconds; 0 µs (below the clock's resolution) counts as 1 µs. */
export function recordMicros(histogram: Histogram, micros: number): void {
  histogram.recordValue(Math.max(1, Math.round(micros)));
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = decodeFromCompressedBase64(encoded, 32, false);
  // Decoded histograms keep the encoded range; merged samples may go past it.
  decoded.autoResize = true;
  return decoded;
}

/** A new histogram holding the samples of all the given ones. */
export function mergeHistograms(histograms: readonly Histogram[]): Histogram {
  const merged = createHistogram();
  for (const histogram of histograms) merged.add(histogram);
  return merged;
}

/** Percentiles in milliseconds (3 decimals, i.e. microsecond precision) of one histogram. */
export interface LatencySummary {
  count: number;
  min_ms: number;
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
  p95_ms: number;
  p99_ms: number;
  p99_9_ms: number;
  max_ms: number;
}

const ms = (micros: number) => Math.round(micros) / 1000;

export function summarizeHistogram(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min_ms: 0, mean_ms: 0, p50_ms: 0, p90_ms: 0, p95_ms: 0, p99_ms: 0, p99_9_ms: 0, max_ms: 0 };
  return {
    count,
    // Min and max from the buckets (as the percentiles), so a run and a merge of its shards agree exactly.
    min_ms: ms(histogram.getValueAtPercentile(0)),
    mean_ms: ms(histogram.mean),
    p50_ms: ms(histogram.getValueAtPercentile(50)),
    p90_ms: ms(histogram.getValueAtPercentile(90)),
    p95_ms: ms(histogram.getValueAtPercentile(95)),
    p99_ms: ms(histogram.getValueAtPercentile(99)),
    p99_9_ms: ms(histogram.getValueAtPercentile(99.9)),
    max_ms: ms(histogram.getValueAtPercentile(100)),
  };
}
