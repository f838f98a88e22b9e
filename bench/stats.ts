import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  label: string;
  count: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Round-trip times, kept in microseconds so sub-millisecond loopback times stay distinct. */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

  constructor(readonly label: string) {}

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  summary(): LatencySummary {
    const h = this.histogram;
    return { label: this.label, count: h.totalCount, p50Ms: h.getValueAtPercentile(50) / 1000, p99Ms: h.getValueAtPercentile(99) / 1000, meanMs: h.mean / 1000 };
  }
}

export function formatTable(rows: readonly LatencySummary[]): string {
  const header = ['round trip', 'n', 'p50 ms', 'p99 ms', 'mean ms'];
  const body = rows.map((r) => [r.label, String(r.count), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3), r.meanMs.toFixed(3)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  return [header, ...body].map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
