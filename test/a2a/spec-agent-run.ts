/**
 * Runs agtest's A2A suites against the spec agent (fixtures/spec-agent.mjs, written from the spec
 * text) with a set of switches, and reads the verdicts back: what the spec-agent tests share.
 */
import { fileURLToPath } from 'node:url';
import { a2aAgentConfig, run, type HarnessConfig, type RunSummary } from '../../agtest/index.js';
import { a2aSuites } from '../../suites/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';

const SPEC_AGENT = fileURLToPath(new URL('./fixtures/spec-agent.mjs', import.meta.url));

export const ALL_TESTS = a2aSuites.flatMap((suite) => suite.tests.map((test) => `${suite.junction}.${test.name}`));

/** One agtest run against the spec agent started with `flags`, restricted to `only` when given. */
export async function certify(flags: string[], only?: string[], endpoint = '${ready.endpoint}'): Promise<RunSummary> {
  const base = a2aAgentConfig(endpoint);
  const config: HarnessConfig = { ...base, agent: { ...base.agent, command: [process.execPath, SPEC_AGENT, ...flags] }, source: `spec agent ${flags.join(' ')}`, timeouts: FAST_TIMEOUTS, ...(only ? { only } : {}) };
  return withTempDir((outDir) => run({ config, outDir }));
}

export const result = (summary: RunSummary, test: string) => summary.results.find((r) => r.test === test);
/** "test: reason" of every failed or errored test. */
export const failures = (summary: RunSummary) => summary.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => `${r.test}: ${r.reason}`);
/** The names of the failed or errored tests, sorted. */
export const failed = (summary: RunSummary) => summary.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.test).sort();
/** The names of the tests with warnings, sorted. */
export const warned = (summary: RunSummary) => summary.results.filter((r) => r.warnings.length > 0).map((r) => r.test).sort();
/** `--vary a --vary b ...` / `--deviate ...` as flags. */
export const vary = (...names: string[]) => names.flatMap((name) => ['--vary', name]);
export const deviate = (...names: string[]) => names.flatMap((name) => ['--deviate', name]);
