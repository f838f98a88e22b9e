/**
 * When each arrival of the open model is due: rate stages (k6's ramping arrival rate), each going
 * linearly from the rate before it to its target over its duration. Arrival k is due when the
 * integral of the rate reaches k, so a run's arrival times are a pure function of its stages: two
 * shards of one run agree on every arrival's time and index.
 */

export interface RateStage {
  durationMs: number;
  /** Arrivals per second at the end of the stage. */
  target: number;
}

export interface Arrival {
  index: number;
  /** Due time in microseconds since the run's start. */
  atUs: number;
}

/**
 * Yields arrivals in order. Bounded by the stages' total duration and by `maxArrivals` (the
 * iteration count, if the run has one).
 */
export function* arrivalTimes(stages: readonly RateStage[], startRate: number, maxArrivals = Number.POSITIVE_INFINITY): Generator<Arrival> {
  let index = 0;
  let stageStartS = 0;
  let before = 0; // arrivals due before this stage (fractional)
  let rate = startRate;
  for (const stage of stages) {
    const d = stage.durationMs / 1000;
    const r0 = rate;
    const r1 = stage.target;
    const inStage = ((r0 + r1) / 2) * d;
    const a = (r1 - r0) / (2 * d);
    while (index < maxArrivals && index - before < inStage) {
      const x = index - before;
      // Solve a·t² + r0·t = x for t in [0, d], in the form that stays exact when a is 0 or negative.
      const root = Math.sqrt(Math.max(0, r0 * r0 + 4 * a * x));
      const t = x === 0 ? 0 : (2 * x) / (r0 + root);
      if (!Number.isFinite(t) || t > d) break;
      yield { index, atUs: Math.round((stageStartS + t) * 1_000_000) };
      index += 1;
    }
    before += inStage;
    stageStartS += d;
    rate = r1;
    if (index >= maxArrivals) return;
  }
}

/** Total run time of the stages, ms. */
export function stagesDurationMs(stages: readonly RateStage[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}
