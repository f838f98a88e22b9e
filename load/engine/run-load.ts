/**
 * The load engine: opens the scenario, starts iterations by the model (closed: N virtual users;
 * open: arrivals per second, late ones dropped), stops at the duration or iteration count, gives
 * running iterations a graceful stop, closes the scenario, and returns what it measured. Every
 * loop is bounded in count and time: by the schedule, the iteration timeout and the graceful stop.
 */
import { setMaxListeners } from 'node:events';
import { AgtestError } from '../../common/index.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { arrivalTimes, stagesDurationMs, type RateStage } from './arrivals.js';
import { createClock, sleep, type Clock } from './clock.js';
import { runIteration } from './iteration.js';
import { Watchdog } from './watchdog.js';
import { remoteTargets } from './loopback.js';
import type { ClosedModel, LoadModel, OpenModel } from './models.js';
import { Recorder } from './recorder.js';
import { NO_SHARD, inShard, shardVus, type Shard } from './shard.js';
import { startHealthMonitor, DEFAULT_HEALTH_BOUNDS, type HealthBounds, type HealthReport } from '../health/monitor.js';
import { summarizeHistogram } from './histogram.js';

export interface LoadRunOptions {
  scenario: Scenario;
  model: LoadModel;
  /** Stop starting iterations after this long (open model with stages: their total by default). */
  durationMs?: number;
  /** Stop after this many iterations in all (the whole run's count; a shard runs its slice). */
  iterations?: number;
  /** Pause of each virtual user between its iterations (closed model). */
  thinkMs?: number;
  /** Per-iteration timeout: the iteration's signal aborts and it counts as a 'timeout' error. */
  timeoutMs: number;
  /** How long running iterations may finish after the schedule ends; then they are interrupted. */
  gracefulStopMs?: number;
  shard?: Shard;
  /** Open model: which global arrivals this process starts, in place of the shard's modulo (a topology shard starts the pings of its own agents). */
  owns?: (globalIndex: number) => boolean;
  health?: HealthBounds;
  /** Let the scenario send load to non-loopback targets. */
  allowRemote?: boolean;
  /** Aborting stops the run early (Ctrl-C): what was measured is still returned. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Called about once a second while the load runs. */
  onProgress?: (progress: LoadProgress) => void;
}

export interface LoadProgress {
  elapsedS: number;
  started: number;
  ok: number;
  errors: number;
  dropped: number;
  inFlight: number;
  /** Iterations finished per second, over the last second. */
  rate: number;
  /** p99 of the total latency so far, ms. */
  p99Ms: number;
}

export interface LoadRunResult {
  recorder: Recorder;
  startedAt: string;
  endedAt: string;
  /** Load phase only (after open(), before close()), seconds. */
  elapsedS: number;
  health: HealthReport;
  /** Why the run stopped before its schedule ended, if it did. */
  stoppedEarly?: string;
}

/** The schedule's own bound when neither a duration nor a count was given is refused, not guessed. */
function validate(options: LoadRunOptions): void {
  const { model } = options;
  const fail = (message: string) => {
    throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', message);
  };
  const hasStages = model.type === 'open' && (model.stages?.length ?? 0) > 0;
  if (options.durationMs === undefined && options.iterations === undefined && !hasStages) fail('a load needs an end: a duration, an iteration count, or (open model) rate stages');
  if (options.durationMs !== undefined && !(options.durationMs > 0)) fail('duration must be positive');
  if (options.iterations !== undefined && !(Number.isSafeInteger(options.iterations) && options.iterations > 0)) fail('iterations must be a positive integer');
  if (!(options.timeoutMs > 0)) fail('timeout must be positive');
  if (model.type === 'closed' && !(Number.isSafeInteger(model.vus) && model.vus > 0)) fail('vus must be a positive integer');
  if (model.type === 'open') {
    if (!(model.rate >= 0) || (!hasStages && !(model.rate > 0))) fail('rate must be a positive number of arrivals per second');
    if (!(Number.isSafeInteger(model.maxInFlight) && model.maxInFlight > 0)) fail('max in flight must be a positive integer');
    if (!(model.maxStartDelayMs >= 0)) fail('max start delay must be 0 or more');
    for (const stage of model.stages ?? []) if (!(stage.durationMs > 0) || !(stage.target >= 0)) fail('each stage needs a positive duration and a target rate ≥ 0');
  }
  const shard = options.shard ?? NO_SHARD;
  if (model.type === 'closed' && shard.count > model.vus) fail(`${shard.count} shards need at least ${shard.count} virtual users, got ${model.vus}`);
}

export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  validate(options);
  const { scenario } = options;
  const remote = options.allowRemote ? [] : remoteTargets(scenario.targets?.() ?? []);
  if (remote.length > 0) throw new AgtestError('AGTEST_LOAD_REMOTE_TARGET', `load goes to loopback only unless you allow remote targets (--allow-remote); not loopback: ${remote.join(', ')}`);

  const health = startHealthMonitor(options.health ?? DEFAULT_HEALTH_BOUNDS);
  // `ending` stops new iterations; `stopping` interrupts the running ones (after the graceful stop).
  const ending = new AbortController();
  const stopping = new AbortController();
  // Every running iteration and every virtual user listens to these: thousands, by design.
  setMaxListeners(0, ending.signal, stopping.signal);
  let stoppedEarly: string | undefined;
  const onAbort = () => {
    stoppedEarly ??= `stopped: ${String(options.signal?.reason ?? 'aborted')}`;
    ending.abort();
    stopping.abort();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const scenarioContext: ScenarioContext = {
    signal: stopping.signal,
    allowRemote: options.allowRemote === true,
    log: options.log ?? (() => undefined),
    watchProcess: (pid, role) => health.watch(pid, role),
    stopRun: (reason) => {
      stoppedEarly ??= `stopped by the scenario: ${reason}`;
      ending.abort();
      stopping.abort();
    },
  };
  const recorder = new Recorder(scenario.steps);
  let clock: Clock | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  let result: LoadRunResult | undefined;
  try {
    try {
      await scenario.open?.(scenarioContext);
    } catch (error) {
      throw new AgtestError('AGTEST_LOAD_SCENARIO_FAILED', `scenario ${scenario.name} could not open: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (options.signal?.aborted) onAbort();
    const runClock = createClock();
    clock = runClock;
    if (options.onProgress) progressTimer = startProgress(recorder, runClock, options.onProgress);
    const durationMs = options.durationMs ?? (options.model.type === 'open' && options.model.stages?.length ? stagesDurationMs(options.model.stages) : undefined);
    const endTimer = durationMs === undefined ? undefined : setTimeout(() => ending.abort(), durationMs);
    const inFlight = new Set<Promise<unknown>>();
    const watchdog = new Watchdog(runClock, options.timeoutMs, stopping.signal);
    const base = { scenario, recorder, clock: runClock, timeoutMs: options.timeoutMs, watchdog, watchProcess: scenarioContext.watchProcess };
    const drive = options.model.type === 'closed' ? driveClosed(options.model, options, base, ending.signal, inFlight) : driveOpen(options.model, options, durationMs, base, ending.signal, inFlight);
    try {
      // Virtual users wait for their running iteration: the end of the schedule is when `ending` fires.
      await Promise.race([drive, new Promise<void>((resolve) => (ending.signal.aborted ? resolve() : ending.signal.addEventListener('abort', () => resolve(), { once: true })))]);
    } finally {
      clearTimeout(endTimer);
    }
    // Graceful stop: running iterations may finish; then they are interrupted (each settles at once).
    const grace = options.gracefulStopMs ?? options.timeoutMs;
    if (inFlight.size > 0) await Promise.race([Promise.allSettled(inFlight), sleep(grace, stopping.signal)]);
    stopping.abort();
    await Promise.allSettled(inFlight);
    await drive;
    watchdog.close();
  } finally {
    clearInterval(progressTimer);
    options.signal?.removeEventListener('abort', onAbort);
    stopping.abort();
    const elapsedUs = clock?.now() ?? 0;
    try {
      await scenario.close?.();
    } catch (error) {
      // What was measured still counts: the failure to clean up is told, not thrown over the report.
      (options.log ?? (() => undefined))(`scenario ${scenario.name} failed to close: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      const report = await health.stop();
      // Returned only when nothing threw above.
      result = { recorder, startedAt: clock?.startedAt ?? new Date().toISOString(), endedAt: new Date().toISOString(), elapsedS: elapsedUs / 1e6, health: report, ...(stoppedEarly ? { stoppedEarly } : {}) };
    }
  }
  return result!;
}

type IterationBase = Omit<Parameters<typeof runIteration>[0], 'index' | 'vu' | 'intendedUs'>;

async function driveClosed(model: ClosedModel, options: LoadRunOptions, base: IterationBase, ending: AbortSignal, inFlight: Set<Promise<unknown>>): Promise<void> {
  const shard = options.shard ?? NO_SHARD;
  let nextLocal = 0;
  const claim = (): number | undefined => {
    const index = shard.index + nextLocal * shard.count;
    if (options.iterations !== undefined && index >= options.iterations) return undefined;
    nextLocal += 1;
    return index;
  };
  const thinkMs = options.thinkMs ?? 0;
  let lastYieldUs = 0;
  const user = async (vu: number) => {
    for (;;) {
      if (ending.aborted) return;
      const index = claim();
      if (index === undefined) return;
      base.recorder.scheduled();
      const running = runIteration({ ...base, index, vu, intendedUs: base.clock.now() });
      inFlight.add(running);
      await running;
      inFlight.delete(running);
      if (thinkMs > 0) await sleep(thinkMs, ending);
      // A scenario that settles without I/O must not starve timers (the end of the duration): yield each ms.
      else if (base.clock.now() - lastYieldUs > 1000) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYieldUs = base.clock.now();
      }
    }
  };
  await Promise.all(shardVus(model.vus, shard).map(user));
}

async function driveOpen(model: OpenModel, options: LoadRunOptions, durationMs: number | undefined, base: IterationBase, ending: AbortSignal, inFlight: Set<Promise<unknown>>): Promise<void> {
  const shard = options.shard ?? NO_SHARD;
  const owns = options.owns ?? ((index: number) => inShard(index, shard));
  const { recorder, clock } = base;
  const stages: RateStage[] = model.stages?.length ? model.stages : [{ durationMs: durationMs ?? Math.ceil(((options.iterations ?? 1) / model.rate) * 1000) + 1000, target: model.rate }];
  const arrivals = arrivalTimes(stages, model.rate, options.iterations);
  const waiting: { index: number; atUs: number }[] = [];
  const maxDelayUs = model.maxStartDelayMs * 1000;

  const start = (index: number, atUs: number) => {
    const running = runIteration({ ...base, index, intendedUs: atUs }).finally(() => {
      inFlight.delete(running);
      pump();
    });
    inFlight.add(running);
  };
  // Waiting arrivals take free slots oldest first; those past their start delay are dropped.
  const pump = () => {
    const now = clock.now();
    while (waiting.length > 0) {
      const next = waiting[0]!;
      if (now - next.atUs > maxDelayUs) {
        waiting.shift();
        recorder.dropped(next.atUs);
        continue;
      }
      if (inFlight.size >= model.maxInFlight || ending.aborted) return;
      waiting.shift();
      start(next.index, next.atUs);
    }
  };
  const arrive = (index: number, atUs: number) => {
    recorder.scheduled();
    if (waiting.length === 0 && inFlight.size < model.maxInFlight) start(index, atUs);
    else if (maxDelayUs > 0) waiting.push({ index, atUs });
    else recorder.dropped(atUs);
  };

  let next = arrivals.next();
  while (!next.done && !ending.aborted) {
    const dueInMs = (next.value.atUs - clock.now()) / 1000;
    if (dueInMs >= 1) {
      await sleep(dueInMs, ending);
      continue;
    }
    if (dueInMs > 0) {
      // Timers fire in whole ms: the last fraction is waited out turn by turn, never started early
      // (an early start would make latency from the intended start shorter than the service time).
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    // Everything due now starts now (at high rates several arrivals share a turn).
    let batch = 0;
    while (!next.done && next.value.atUs <= clock.now() && batch < 10_000) {
      if (owns(next.value.index)) arrive(next.value.index, next.value.atUs);
      next = arrivals.next();
      batch += 1;
    }
    pump();
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Arrivals still waiting for a slot get their start delay, no more.
  while (waiting.length > 0 && !ending.aborted) {
    pump();
    if (waiting.length === 0) break;
    await sleep(Math.max(1, (waiting[0]!.atUs + maxDelayUs - clock.now()) / 1000 + 1), ending);
  }
  // A run ended by its duration drops arrivals still waiting: they were due before the end.
  for (const left of waiting.splice(0)) recorder.dropped(left.atUs);
  // A loop starved of CPU can reach the end with arrivals due before it not yet read: they were due,
  // so they count as scheduled, and as dropped (never started). Not after a stop before the end.
  const endUs = durationMs === undefined ? undefined : durationMs * 1000;
  if (endUs !== undefined && clock.now() >= endUs) {
    for (; !next.done && next.value.atUs < endUs; next = arrivals.next()) {
      if (!owns(next.value.index)) continue;
      recorder.scheduled();
      recorder.dropped(next.value.atUs);
    }
  }
}

function startProgress(recorder: Recorder, clock: Clock, onProgress: (progress: LoadProgress) => void): NodeJS.Timeout {
  let lastDone = 0;
  const timer = setInterval(() => {
    const c = recorder.counters;
    const done = c.ok + c.errors;
    onProgress({ elapsedS: clock.now() / 1e6, started: c.started, ok: c.ok, errors: c.errors, dropped: c.dropped, inFlight: recorder.running, rate: done - lastDone, p99Ms: summarizeHistogram(recorder.steps.get('total')!.latency.ok).p99_ms });
    lastDone = done;
  }, 1000);
  timer.unref();
  return timer;
}
