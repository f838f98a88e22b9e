/** The two ways a run decides when iterations start. */
import type { RateStage } from './arrivals.js';

/** N virtual users, each running iterations back to back (with think time between them). */
export interface ClosedModel {
  type: 'closed';
  vus: number;
}

/**
 * Arrivals per second, independent of how fast the agent answers. An arrival that finds
 * `maxInFlight` iterations running waits at most `maxStartDelayMs` for a slot (its latency counts
 * the wait, from its intended start); past that it is dropped, never silently delayed.
 */
export interface OpenModel {
  type: 'open';
  /** Constant rate (no stages), or the rate the first stage ramps from. */
  rate: number;
  stages?: RateStage[];
  maxInFlight: number;
  maxStartDelayMs: number;
}

export type LoadModel = ClosedModel | OpenModel;
