/**
 * The mergeable core of a report: histograms and counters. A run's recorder and a report file both
 * become Measurements; shards merge by adding histograms and counters; every percentile in a
 * report is computed from these histograms, so a merged report's percentiles are exact.
 */
import type { LoadErrorClass } from '../scenario.js';
import { createHistogram, decodeHistogram, encodeHistogram, type Histogram } from '../engine/histogram.js';
import { ERROR_EXAMPLES, TOTAL_STEP, type Counters, type ErrorBucket, type Outcome, type Recorder } from '../engine/recorder.js';

export interface StepMeasurements {
  latency: Record<Outcome, Histogram>;
  service: Record<Outcome, Histogram>;
}

export interface SecondMeasurements {
  started: number;
  ok: number;
  errors: number;
  dropped: number;
  latency: Histogram;
}

export interface Measurements {
  counters: Counters;
  /** In report order: the scenario's steps, then any undeclared ones, then 'total'. */
  steps: Map<string, StepMeasurements>;
  startLag: Histogram;
  errors: Map<LoadErrorClass | string, ErrorBucket>;
  seconds: Map<number, SecondMeasurements>;
}

export function measurementsFromRecorder(recorder: Recorder): Measurements {
  const steps = new Map([...recorder.steps].filter(([name]) => name !== TOTAL_STEP));
  steps.set(TOTAL_STEP, recorder.steps.get(TOTAL_STEP)!);
  return { counters: { ...recorder.counters }, steps, startLag: recorder.startLag, errors: new Map(recorder.errors), seconds: new Map(recorder.seconds) };
}

/** The encoded form a report carries. */
export interface EncodedStepHistograms {
  latency_ok: string;
  latency_error: string;
  service_ok: string;
  service_error: string;
}

export function encodeStep(step: StepMeasurements): EncodedStepHistograms {
  return { latency_ok: encodeHistogram(step.latency.ok), latency_error: encodeHistogram(step.latency.error), service_ok: encodeHistogram(step.service.ok), service_error: encodeHistogram(step.service.error) };
}

export function decodeStep(encoded: EncodedStepHistograms): StepMeasurements {
  return {
    latency: { ok: decodeHistogram(encoded.latency_ok), error: decodeHistogram(encoded.latency_error) },
    service: { ok: decodeHistogram(encoded.service_ok), error: decodeHistogram(encoded.service_error) },
  };
}

const addInto = (target: Histogram, source: Histogram) => target.add(source);

export function mergeMeasurements(all: readonly Measurements[]): Measurements {
  const counters: Counters = { scheduled: 0, started: 0, ok: 0, errors: 0, dropped: 0, interrupted: 0, maxInFlight: 0 };
  const steps = new Map<string, StepMeasurements>();
  const startLag = createHistogram();
  const errors = new Map<string, ErrorBucket>();
  const seconds = new Map<number, SecondMeasurements>();
  for (const m of all) {
    for (const key of ['scheduled', 'started', 'ok', 'errors', 'dropped', 'interrupted', 'maxInFlight'] as const) counters[key] += m.counters[key];
    for (const [name, step] of m.steps) {
      if (name === TOTAL_STEP) continue;
      let into = steps.get(name);
      if (!into) steps.set(name, (into = emptyStep()));
      addStep(into, step);
    }
    addInto(startLag, m.startLag);
    for (const [errorClass, bucket] of m.errors) {
      const into = errors.get(errorClass) ?? { count: 0, examples: [] };
      into.count += bucket.count;
      into.examples.push(...bucket.examples.slice(0, ERROR_EXAMPLES - into.examples.length));
      errors.set(errorClass, into);
    }
    for (const [second, bucket] of m.seconds) {
      const into = seconds.get(second) ?? { started: 0, ok: 0, errors: 0, dropped: 0, latency: createHistogram() };
      into.started += bucket.started;
      into.ok += bucket.ok;
      into.errors += bucket.errors;
      into.dropped += bucket.dropped;
      addInto(into.latency, bucket.latency);
      seconds.set(second, into);
    }
  }
  const total = emptyStep();
  for (const m of all) {
    const step = m.steps.get(TOTAL_STEP);
    if (step) addStep(total, step);
  }
  steps.set(TOTAL_STEP, total);
  return { counters, steps, startLag, errors, seconds: new Map([...seconds].sort(([a], [b]) => a - b)) };
}

function emptyStep(): StepMeasurements {
  return { latency: { ok: createHistogram(), error: createHistogram() }, service: { ok: createHistogram(), error: createHistogram() } };
}

function addStep(into: StepMeasurements, step: StepMeasurements): void {
  for (const kind of ['latency', 'service'] as const) for (const outcome of ['ok', 'error'] as const) addInto(into[kind][outcome], step[kind][outcome]);
}
