import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceA2aAgentConfig, referenceAgentConfig, REFERENCE_AGENT_TIMEOUTS, run, type BuiltinTransport, type HarnessConfig, type RunSummary } from '../../agtest/index.js';

/**
 * Short waits: everything is on loopback, and failing checks wait the full message timeout. They
 * are the reference agent's own config waits, so the fault matrices prove what `agtest run` uses.
 */
export const FAST_TIMEOUTS = { ...REFERENCE_AGENT_TIMEOUTS };

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the built-in suites against the reference agent with the given faults switched on. */
export function runReference(faults: string[] = [], overrides: Partial<HarnessConfig> = {}, transport?: BuiltinTransport): Promise<RunSummary> {
  return withTempDir((outDir) => {
    const config = { ...referenceAgentConfig({ faults, transport }), timeouts: FAST_TIMEOUTS, ...overrides };
    return run({ config, outDir });
  });
}

/** Failing (fail/error) test names of a run. */
export function failingTests(summary: RunSummary): string[] {
  return summary.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.test).sort();
}

/** Runs the A2A suite against the reference A2A agent with the given faults switched on. */
export function runReferenceA2a(faults: string[] = [], options: { minimal?: boolean; only?: string[] } = {}): Promise<RunSummary> {
  return withTempDir((outDir) => {
    const config = { ...referenceA2aAgentConfig({ faults, minimal: options.minimal ?? false }), timeouts: FAST_TIMEOUTS, ...(options.only ? { only: options.only } : {}) };
    return run({ config, outDir });
  });
}
