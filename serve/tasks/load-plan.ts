/**
 * A TestPlan as agtest load runs it: the `http` scenario, every endpoint in order each iteration.
 * Without a throughput target it is the closed model (N users back to back, think time between
 * iterations; the closed model starts every user at once, so the ramp-up is a JMX-only setting and
 * a note says so); with one, the open model at that rate, ramped over the ramp-up, with at most N
 * requests in flight.
 */
import { buildReport, engineOptions, measurementsFromRecorder, planLoad, runLoad, type LoadConfigFile, type LoadReport } from '../../load/index.js';
import type { TestPlan } from './plan.js';
import { redactDeep } from './secrets.js';

/**
 * Where the load really goes: the addresses the target guard checked the host name at. The load's
 * connections use them instead of a lookup (http.resolve), http: and https: alike; the URL keeps
 * the name, so Host, TLS SNI and the certificate check are the name's.
 */
export interface Pin {
  host: string;
  addresses: string[];
}

export function toLoadConfig(plan: TestPlan, pin?: Pin): LoadConfigFile {
  const endpoints = plan.endpoints.map((e) => ({
    name: `${e.method} ${e.path}`,
    method: e.method,
    path: e.path,
    headers: { ...(e.headers ?? {}) },
    ...(e.body === undefined ? {} : { body: e.body }),
  }));
  const duration = `${plan.durationSeconds}s`;
  const load: LoadConfigFile['load'] =
    plan.throughputTarget === undefined
      ? { model: 'closed', vus: plan.virtualUsers, duration, think: `${plan.thinkTimeMillis}ms` }
      : {
          model: 'open',
          rate: plan.rampUpSeconds > 0 ? 0 : plan.throughputTarget,
          max_in_flight: plan.virtualUsers,
          ...(plan.rampUpSeconds > 0
            ? { stages: [{ duration: `${plan.rampUpSeconds}s`, target: plan.throughputTarget }, { duration: `${plan.durationSeconds - plan.rampUpSeconds}s`, target: plan.throughputTarget }] }
            : { duration }),
        };
  // The service's own target guard decided where load may go; the engine's loopback-only default is for the CLI.
  return { scenario: 'http', http: { url: plan.baseUrl, endpoints, mode: 'sequence', ...(pin ? { resolve: { [pin.host]: pin.addresses } } : {}) }, load, allow_remote: true };
}

export interface RunPlanOptions {
  signal: AbortSignal;
  pin?: Pin;
  onProgress?: (detail: Record<string, unknown>) => void;
}

/** Runs the plan and returns the load report, with secret header values redacted. */
export async function runPlan(plan: TestPlan, options: RunPlanOptions): Promise<LoadReport> {
  const config = toLoadConfig(plan, options.pin);
  const planned = planLoad(config, 'the request');
  let lastSecond = -1;
  const result = await runLoad({
    ...engineOptions(planned),
    signal: options.signal,
    onProgress: (p) => {
      const second = Math.floor(p.elapsedS);
      // Every second at first, then every 5 s: a long run's history (and callbacks) stay readable.
      if (second === lastSecond || (second >= 5 && second % 5 !== 0)) return;
      lastSecond = second;
      options.onProgress?.({ phase: 'load', elapsedS: second, durationS: plan.durationSeconds, ok: p.ok, errors: p.errors, p99Ms: p.p99Ms });
    },
  });
  const report = buildReport({
    scenario: planned.scenario.name,
    config: redactDeep(config) as unknown as Record<string, unknown>,
    shard: null,
    mergedFrom: null,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    durationS: result.elapsedS,
    ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    measurements: measurementsFromRecorder(result.recorder),
    health: [result.health],
  });
  return redactDeep(report);
}
