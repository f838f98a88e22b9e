/**
 * Runs one iteration of a scenario: gives it an AbortSignal that fires at the iteration timeout or
 * when the run stops, times each step (latency from the step's intended start, service time from
 * its actual start) and classifies the outcome. A scenario that ignores its signal cannot hold the
 * run: the iteration is settled at its timeout whether or not the scenario's promise ever settles.
 */
import type { IterationContext, Scenario } from '../scenario.js';
import { classifyError, type ClassifiedError } from './classify.js';
import type { Clock } from './clock.js';
import type { Recorder } from './recorder.js';
import type { Watchdog } from './watchdog.js';

export interface IterationRun {
  scenario: Scenario;
  recorder: Recorder;
  clock: Clock;
  index: number;
  vu?: number;
  /** When the schedule wanted this iteration to start (µs since the run's start). */
  intendedUs: number;
  timeoutMs: number;
  /** Times the iteration out, and interrupts it (not failed) when the run stops. */
  watchdog: Watchdog;
  watchProcess(pid: number, role: 'receiver' | 'agent'): void;
}

class IterationTimeout extends Error {
  constructor(ms: number) {
    super(`iteration timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

class RunStopped extends Error {}
/** Made once: an Error per iteration (its stack) would cost more than the rest of the iteration. */
const ITERATION_OVER = new RunStopped('iteration over');

export type IterationResult = 'ok' | 'error' | 'interrupted';

export async function runIteration(run: IterationRun): Promise<IterationResult> {
  const { recorder, clock, timeoutMs } = run;
  const actualUs = clock.now();
  recorder.iterationStarted(run.intendedUs, actualUs);
  const controller = new AbortController();
  let settle!: (reason: Error) => void;
  const abort = (reason: Error) => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    settle(reason);
  };
  const release = run.watchdog.watch({ onTimeout: () => abort(new IterationTimeout(timeoutMs)), onStop: () => abort(new RunStopped('the run stopped')) });

  let previousEndUs = run.intendedUs;
  let failedStep: string | undefined;
  // The step running when the iteration times out is the one that failed.
  let currentStep: string | undefined;
  const context: IterationContext = {
    index: run.index,
    ...(run.vu === undefined ? {} : { vu: run.vu }),
    signal: controller.signal,
    watchProcess: run.watchProcess,
    async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
      // The first step is due at the iteration's intended start, each later one when the one before it ended.
      const intendedUs = Math.min(previousEndUs, clock.now());
      const startUs = clock.now();
      currentStep = name;
      try {
        const value = await fn();
        const endUs = clock.now();
        recorder.step(name, 'ok', endUs - intendedUs, endUs - startUs);
        previousEndUs = endUs;
        currentStep = undefined;
        return value;
      } catch (error) {
        const endUs = clock.now();
        if (!controller.signal.aborted || !(controller.signal.reason instanceof RunStopped)) recorder.step(name, 'error', endUs - intendedUs, endUs - startUs);
        failedStep ??= name;
        previousEndUs = endUs;
        throw error;
      }
    },
  };

  let failure: ClassifiedError | undefined;
  try {
    // Settles with the scenario, or at the timeout / stop even if the scenario never does.
    await new Promise<void>((resolve, reject) => {
      settle = reject;
      if (controller.signal.aborted) reject(controller.signal.reason as Error);
      else run.scenario.iterate(context).then(resolve, reject);
    });
  } catch (error) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof RunStopped) {
      release();
      recorder.iterationInterrupted();
      return 'interrupted';
    }
    failure = reason instanceof IterationTimeout ? { errorClass: 'timeout', message: reason.message } : classifyError(error);
    failedStep ??= currentStep;
  } finally {
    release();
    // A failed iteration may leave I/O running (a step after the one that threw): tell it to stop.
    if (failure && !controller.signal.aborted) controller.abort(ITERATION_OVER);
  }
  recorder.iterationEnded(run.index, run.intendedUs, actualUs, clock.now(), failure && { ...failure, ...(failedStep ? { step: failedStep } : {}) });
  return failure ? 'error' : 'ok';
}
