import { setStageSink } from '../agtalk/index.js';

interface StageRecord {
  source: string;
  stage: string;
  ns: bigint;
}

/** One step of a round trip: the first record of `stage` from `source` after the step before. */
export interface StageStep {
  source: string;
  stage: string;
  /** What the time from the previous step to this one was spent on. */
  label: string;
}

const TRACE_LINE = /^agtalk-trace (\S+) (\S*) (\d+)$/;

/**
 * Collects stage times from this process (agtalk's stage sink) and from adapter processes (their
 * `agtalk-trace` stderr lines, CLOCK_MONOTONIC like ours), cut into one window per round trip.
 */
export class StageTimeline {
  private records: StageRecord[] = [];
  private windows: Array<{ from: bigint; to: bigint }> = [];
  private openedAt: bigint | undefined;

  constructor() {
    setStageSink((stage, _file, ns) => void this.records.push({ source: 'bench', stage, ns }));
  }

  /** True when the line was a trace line (and is kept here, not logged). */
  addLine(source: string, line: string): boolean {
    const match = TRACE_LINE.exec(line);
    if (!match) return false;
    this.records.push({ source, stage: match[1]!, ns: BigInt(match[3]!) });
    return true;
  }

  begin(): void {
    this.openedAt = process.hrtime.bigint();
  }

  end(): void {
    if (this.openedAt !== undefined) this.windows.push({ from: this.openedAt, to: process.hrtime.bigint() });
    this.openedAt = undefined;
  }

  close(): void {
    setStageSink(undefined);
  }

  /**
   * Median ms per step over the windows where every step was found; the last row is from the last
   * step to the window's end (the reader's handler resolving).
   */
  breakdown(steps: readonly StageStep[], lastLabel: string): { label: string; p50Ms: number }[] {
    const records = [...this.records].sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    const samples: number[][] = steps.map(() => []);
    const tail: number[] = [];
    for (const window of this.windows) {
      let at = window.from;
      const deltas: number[] = [];
      for (const step of steps) {
        const found = records.find((r) => r.ns >= at && r.ns <= window.to && r.source === step.source && r.stage === step.stage);
        if (!found) break;
        deltas.push(Number(found.ns - at) / 1e6);
        at = found.ns;
      }
      if (deltas.length !== steps.length) continue;
      deltas.forEach((d, i) => samples[i]!.push(d));
      tail.push(Number(window.to - at) / 1e6);
    }
    return [...steps.map((step, i) => ({ label: step.label, p50Ms: median(samples[i]!) })), { label: lastLabel, p50Ms: median(tail) }];
  }

  get complete(): number {
    return this.windows.length;
  }
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function formatBreakdown(rows: readonly { label: string; p50Ms: number }[]): string {
  const width = Math.max(...rows.map((r) => r.label.length));
  const total = rows.reduce((sum, r) => sum + (Number.isNaN(r.p50Ms) ? 0 : r.p50Ms), 0);
  return [...rows.map((r) => `  ${r.label.padEnd(width)}  ${r.p50Ms.toFixed(3)} ms`), `  ${'sum of medians'.padEnd(width)}  ${total.toFixed(3)} ms`].join('\n');
}
