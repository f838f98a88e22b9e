/**
 * Everything a run measures, in mergeable form: HDR histograms per step and outcome (latency from
 * the intended start, service time from the actual start), counters, errors by class with the
 * first examples, and per-second buckets. Times are microseconds since the run's start.
 */
import type { LoadErrorClass } from '../scenario.js';
import type { ClassifiedError } from './classify.js';
import { createHistogram, recordMicros, type Histogram } from './histogram.js';

export const TOTAL_STEP = 'total';
export type Outcome = 'ok' | 'error';

export interface StepHistograms {
  latency: Record<Outcome, Histogram>;
  service: Record<Outcome, Histogram>;
}

export interface ErrorExample {
  iteration: number;
  step?: string;
  message: string;
  at_s: number;
  detail?: Record<string, unknown>;
}

export interface ErrorBucket {
  count: number;
  examples: ErrorExample[];
}

export interface SecondBucket {
  started: number;
  ok: number;
  errors: number;
  dropped: number;
  /** Latency of the iterations that ended in this second (total, both outcomes). */
  latency: Histogram;
}

export interface Counters {
  /** Arrivals (open) or iteration slots (closed) the schedule asked for. */
  scheduled: number;
  started: number;
  ok: number;
  errors: number;
  /** Open model: arrivals that could not start on time (in-flight cap reached). */
  dropped: number;
  /** Still running when the run stopped (end of duration past the graceful stop, or Ctrl-C). */
  interrupted: number;
  maxInFlight: number;
}

/** How many examples each error class keeps. */
export const ERROR_EXAMPLES = 5;

const newStep = (): StepHistograms => ({
  latency: { ok: createHistogram(), error: createHistogram() },
  service: { ok: createHistogram(), error: createHistogram() },
});

export class Recorder {
  readonly steps = new Map<string, StepHistograms>();
  readonly errors = new Map<LoadErrorClass, ErrorBucket>();
  readonly seconds = new Map<number, SecondBucket>();
  /** Actual start minus intended start of each started iteration. */
  readonly startLag = createHistogram();
  readonly counters: Counters = { scheduled: 0, started: 0, ok: 0, errors: 0, dropped: 0, interrupted: 0, maxInFlight: 0 };
  private inFlight = 0;

  constructor(stepNames: readonly string[]) {
    for (const name of [...stepNames, TOTAL_STEP]) this.steps.set(name, newStep());
  }

  get running(): number {
    return this.inFlight;
  }

  private second(atUs: number): SecondBucket {
    const key = Math.max(0, Math.floor(atUs / 1_000_000));
    let bucket = this.seconds.get(key);
    if (!bucket) {
      bucket = { started: 0, ok: 0, errors: 0, dropped: 0, latency: createHistogram('compact') };
      this.seconds.set(key, bucket);
    }
    return bucket;
  }

  scheduled(): void {
    this.counters.scheduled += 1;
  }

  iterationStarted(intendedUs: number, actualUs: number): void {
    this.counters.started += 1;
    this.inFlight += 1;
    if (this.inFlight > this.counters.maxInFlight) this.counters.maxInFlight = this.inFlight;
    recordMicros(this.startLag, actualUs - intendedUs);
    this.second(actualUs).started += 1;
  }

  step(name: string, outcome: Outcome, latencyUs: number, serviceUs: number): void {
    let step = this.steps.get(name);
    if (!step) {
      // A step the scenario did not declare still counts; reports list it after the declared ones.
      step = newStep();
      this.steps.set(name, step);
    }
    recordMicros(step.latency[outcome], latencyUs);
    recordMicros(step.service[outcome], serviceUs);
  }

  iterationEnded(index: number, intendedUs: number, actualUs: number, endUs: number, error?: ClassifiedError & { step?: string }): void {
    this.inFlight -= 1;
    const outcome: Outcome = error ? 'error' : 'ok';
    this.step(TOTAL_STEP, outcome, endUs - intendedUs, endUs - actualUs);
    const second = this.second(endUs);
    recordMicros(second.latency, endUs - intendedUs);
    if (!error) {
      this.counters.ok += 1;
      second.ok += 1;
      return;
    }
    this.counters.errors += 1;
    second.errors += 1;
    this.error(index, endUs, error);
  }

  /** Stopped before it finished: neither ok nor an error of the agent. */
  iterationInterrupted(): void {
    this.inFlight -= 1;
    this.counters.interrupted += 1;
  }

  dropped(intendedUs: number): void {
    this.counters.dropped += 1;
    this.second(intendedUs).dropped += 1;
  }

  private error(index: number, atUs: number, error: ClassifiedError & { step?: string }): void {
    let bucket = this.errors.get(error.errorClass);
    if (!bucket) {
      bucket = { count: 0, examples: [] };
      this.errors.set(error.errorClass, bucket);
    }
    bucket.count += 1;
    if (bucket.examples.length < ERROR_EXAMPLES) {
      bucket.examples.push({ iteration: index, ...(error.step ? { step: error.step } : {}), message: error.message.slice(0, 500), at_s: Math.round(atUs / 1000) / 1000, ...(error.detail ? { detail: error.detail } : {}) });
    }
  }
}
