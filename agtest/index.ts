/** agtest's programmatic API: run suites against an agent and get its interop profile. */
export { run } from './api.js';
export type { RunOptions } from './api.js';
export { loadConfigFile, normalizeConfig, DEFAULT_TIMEOUTS } from './config/load-config.js';
export type { HarnessConfig } from './config/load-config.js';
export { referenceAgentConfig, referenceA2aAgentConfig, a2aAgentConfig, A2A_CLAIMS, REFERENCE_AGENT_CLAIMS, REFERENCE_AGENT_PROFILE, REFERENCE_AGENT_TIMEOUTS, BUILTIN_TRANSPORTS } from './config/default-config.js';
export type { BuiltinTransport } from './config/default-config.js';
export { createConsoleReporter } from './reporters/console-reporter.js';
export type { Reporter, RunStartInfo, RunSummary } from './reporters/reporter.js';
export { formatTiming } from './reporters/timing-report.js';
export type { JunctionTiming, RunTiming, StageName } from './run/stages.js';
export { formatJunitXml } from './output/junit-xml.js';
export { AgtestError, isAgtestError } from '../common/index.js';
export type { AgtestErrorCode } from '../common/index.js';
export { checkAdapter, ADAPTER_RULES } from './adapter-check/check-adapter.js';
export type { AdapterRule, AdapterRuleResult, CheckAdapterOptions } from './adapter-check/check-adapter.js';
