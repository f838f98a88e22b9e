/**
 * The load config: a JSON file and/or flags, merged (flags win), validated once with ajv against the
 * engine's schema plus the chosen scenario's own; every error names its key path. The result is
 * what the engine runs (LoadRunOptions) and what the report records as its config.
 */
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { AgtestError } from '../../common/index.js';
import type { RateStage } from '../engine/arrivals.js';
import type { LoadModel } from '../engine/models.js';
import { NO_SHARD, parseShard, type Shard } from '../engine/shard.js';
import { DEFAULT_HEALTH_BOUNDS, type HealthBounds } from '../health/monitor.js';
import { parseThreshold, type Threshold } from '../report/thresholds.js';
import { findScenario, scenarioNames } from '../scenarios/registry.js';
import type { Scenario } from '../scenario.js';
import { describeAjvErrors } from './ajv-errors.js';
import { durationSchema, parseDurationMs } from './duration.js';

/** The JSON shape of a load config (also what a report's `config` holds). */
export interface LoadConfigFile {
  scenario: string;
  load?: {
    model?: 'closed' | 'open';
    vus?: number;
    rate?: number;
    stages?: { duration: string | number; target: number }[];
    max_in_flight?: number;
    max_start_delay?: string | number;
    duration?: string | number;
    iterations?: number;
    think?: string | number;
    timeout?: string | number;
    graceful_stop?: string | number;
  };
  thresholds?: string[];
  health?: { max_event_loop_p99?: string | number; max_cpu_percent?: number; max_event_loop_utilization?: number };
  allow_remote?: boolean;
  shard?: string;
  /** The scenario's own block, under its name ("http": {...}). */
  [scenarioBlock: string]: unknown;
}

const engineProperties = {
  scenario: { type: 'string' },
  load: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: { enum: ['closed', 'open'] },
      vus: { type: 'integer', minimum: 1, maximum: 100_000 },
      rate: { type: 'number', minimum: 0 },
      stages: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'object', additionalProperties: false, required: ['duration', 'target'], properties: { duration: durationSchema, target: { type: 'number', minimum: 0 } } } },
      max_in_flight: { type: 'integer', minimum: 1 },
      max_start_delay: durationSchema,
      duration: durationSchema,
      iterations: { type: 'integer', minimum: 1 },
      think: durationSchema,
      timeout: durationSchema,
      graceful_stop: durationSchema,
    },
  },
  thresholds: { type: 'array', items: { type: 'string' } },
  health: { type: 'object', additionalProperties: false, properties: { max_event_loop_p99: durationSchema, max_cpu_percent: { type: 'number', exclusiveMinimum: 0 }, max_event_loop_utilization: { type: 'number', exclusiveMinimum: 0 } } },
  allow_remote: { type: 'boolean' },
  shard: { type: 'string', pattern: '^\\d+/\\d+$' },
} as const;

export interface LoadPlan {
  config: LoadConfigFile;
  scenario: Scenario;
  model: LoadModel;
  durationMs?: number;
  iterations?: number;
  thinkMs: number;
  timeoutMs: number;
  gracefulStopMs: number;
  thresholds: Threshold[];
  health: HealthBounds;
  shard: Shard;
  allowRemote: boolean;
}

/** The engine's options a plan decides (runLoad's, apart from the caller's signal, log and progress). */
export function engineOptions(plan: LoadPlan) {
  return {
    scenario: plan.scenario,
    model: plan.model,
    ...(plan.durationMs === undefined ? {} : { durationMs: plan.durationMs }),
    ...(plan.iterations === undefined ? {} : { iterations: plan.iterations }),
    thinkMs: plan.thinkMs,
    timeoutMs: plan.timeoutMs,
    gracefulStopMs: plan.gracefulStopMs,
    shard: plan.shard,
    health: plan.health,
    allowRemote: plan.allowRemote,
  };
}

const ajv = new Ajv({ allErrors: true, strict: false });

export const DEFAULT_TIMEOUT = '10s';
export const DEFAULT_MAX_IN_FLIGHT = 1000;

function invalid(source: string, problems: string[]): never {
  throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `invalid load config (${source}): ${problems.join('; ')}`, { file: source });
}

/** Validates a config (file merged with flags) and turns it into what the engine runs. */
export function planLoad(config: LoadConfigFile, source = 'flags'): LoadPlan {
  if (typeof config.scenario !== 'string') invalid(source, [`scenario must be one of ${scenarioNames().join(', ')}`]);
  const factory = findScenario(config.scenario);
  if (!factory) invalid(source, [`scenario ${JSON.stringify(config.scenario)} is unknown; known: ${scenarioNames().join(', ')}`]);
  const schema = { type: 'object', additionalProperties: false, required: ['scenario', factory.name], properties: { ...engineProperties, [factory.name]: factory.configSchema } };
  const validate = ajv.compile(schema);
  if (!validate(config)) invalid(source, describeAjvErrors(validate.errors ?? []));
  const load = config.load ?? {};
  const thresholds: Threshold[] = [];
  for (const [i, text] of (config.thresholds ?? []).entries()) {
    try {
      thresholds.push(parseThreshold(text));
    } catch (error) {
      invalid(source, [`thresholds[${i}]: ${(error as Error).message}`]);
    }
  }
  const open = (load.model ?? (load.rate !== undefined || load.stages ? 'open' : 'closed')) === 'open';
  const stages: RateStage[] | undefined = load.stages?.map((stage) => ({ durationMs: parseDurationMs(stage.duration), target: stage.target }));
  if (open && load.vus !== undefined) invalid(source, ['load.vus is for the closed model; the open model takes load.rate (and load.stages, load.max_in_flight)']);
  if (!open && (load.rate !== undefined || stages || load.max_in_flight !== undefined || load.max_start_delay !== undefined)) invalid(source, ['load.rate, load.stages, load.max_in_flight and load.max_start_delay are for the open model (load.model "open")']);
  if (open && load.rate === undefined && !stages) invalid(source, ['the open model needs load.rate or load.stages']);
  if (load.duration === undefined && load.iterations === undefined && !stages) invalid(source, ['load needs an end: load.duration, load.iterations or load.stages']);
  if (load.duration !== undefined && stages) invalid(source, ['load.duration and load.stages both set the length of the run: give one']);
  const model: LoadModel = open
    ? { type: 'open', rate: load.rate ?? 0, ...(stages ? { stages } : {}), maxInFlight: load.max_in_flight ?? DEFAULT_MAX_IN_FLIGHT, maxStartDelayMs: parseDurationMs(load.max_start_delay ?? 0) }
    : { type: 'closed', vus: load.vus ?? 1 };
  let shard = NO_SHARD;
  try {
    if (config.shard) shard = parseShard(config.shard);
  } catch (error) {
    invalid(source, [`shard: ${(error as Error).message}`]);
  }
  if (model.type === 'closed' && shard.count > model.vus) invalid(source, [`shard: ${shard.count} shards need load.vus ≥ ${shard.count}`]);
  const timeoutMs = parseDurationMs(load.timeout ?? DEFAULT_TIMEOUT);
  if (!(timeoutMs > 0)) invalid(source, ['load.timeout must be positive']);
  let scenario: Scenario;
  try {
    scenario = factory.create(config[factory.name]);
  } catch (error) {
    invalid(source, [(error as Error).message]);
  }
  return {
    config,
    scenario,
    model,
    ...(load.duration === undefined ? {} : { durationMs: parseDurationMs(load.duration) }),
    ...(load.iterations === undefined ? {} : { iterations: load.iterations }),
    thinkMs: parseDurationMs(load.think ?? 0),
    timeoutMs,
    gracefulStopMs: parseDurationMs(load.graceful_stop ?? timeoutMs),
    thresholds,
    health: {
      maxEventLoopP99Ms: config.health?.max_event_loop_p99 === undefined ? DEFAULT_HEALTH_BOUNDS.maxEventLoopP99Ms : parseDurationMs(config.health.max_event_loop_p99),
      maxCpuPercent: config.health?.max_cpu_percent ?? DEFAULT_HEALTH_BOUNDS.maxCpuPercent,
      maxEventLoopUtilization: config.health?.max_event_loop_utilization ?? DEFAULT_HEALTH_BOUNDS.maxEventLoopUtilization!,
    },
    shard,
    allowRemote: config.allow_remote === true,
  };
}

/** Reads a JSON load config file (not yet validated: flags may still be merged in). */
export async function readLoadConfig(file: string): Promise<LoadConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AgtestError('AGTEST_CONFIG_NOT_FOUND', `cannot read load config ${file}: ${(error as Error).message}`, { file, cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(file, ['(top level) must be an object']);
    return value as LoadConfigFile;
  } catch (error) {
    if (error instanceof AgtestError) throw error;
    throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `load config ${file} is not JSON: ${(error as Error).message}`, { file, cause: error });
  }
}
