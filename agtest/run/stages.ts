import { junctionOf, type TestResult } from '../../profiles/index.js';
import type { TestTiming } from './run-test.js';

/** The named stages of a run, in the order run() goes through them. */
export type StageName = 'agent start' | 'adapter start' | 'preflight' | 'tests' | 'stop' | 'write profile';

/** Where a run's time went: `agtest run --timing` prints it, RunSummary.timing carries it. */
export interface RunTiming {
  /** Wall time of each stage that was entered, in order. */
  stages: { name: StageName; ms: number }[];
  /** Per junction, in plan order: its tests' wall time and what of it was agact, silence windows and the connection step. */
  junctions: JunctionTiming[];
}

export interface JunctionTiming {
  junction: string;
  /** Tests that ran (not-run and blocked ones cost nothing). */
  tests: number;
  ms: number;
  agactMs: number;
  silenceMs: number;
  connectMs: number;
}

/** Marks where one stage ends and the next begins; a stage ends when the next is entered or at `end()`. */
export function createStageClock(): { enter(name: StageName): void; end(): void; stages: RunTiming['stages'] } {
  const stages: RunTiming['stages'] = [];
  let current: { name: StageName; since: number } | undefined;
  const close = () => {
    if (current) stages.push({ name: current.name, ms: Math.round(performance.now() - current.since) });
    current = undefined;
  };
  return {
    enter(name) {
      close();
      current = { name, since: performance.now() };
    },
    end: close,
    stages,
  };
}

/** Sums the tests' time per junction (in the order junctions first appear in `results`). */
export function junctionTimings(results: readonly TestResult[], timings: ReadonlyMap<string, TestTiming>): JunctionTiming[] {
  const byJunction = new Map<string, JunctionTiming>();
  for (const result of results) {
    const junction = junctionOf(result.test);
    const entry = byJunction.get(junction) ?? { junction, tests: 0, ms: 0, agactMs: 0, silenceMs: 0, connectMs: 0 };
    byJunction.set(junction, entry);
    const timing = timings.get(result.test);
    if (!timing) continue;
    entry.tests += 1;
    entry.ms += result.durationMs;
    entry.agactMs += Math.round(timing.agactMs);
    entry.silenceMs += Math.round(timing.silenceMs);
    entry.connectMs += Math.round(timing.connectMs);
  }
  return [...byJunction.values()];
}
