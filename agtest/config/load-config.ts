import { Ajv, type ErrorObject } from 'ajv';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AgtestError } from '../../common/index.js';
import schema from './config-schema.json' with { type: 'json' };

export interface HarnessConfig {
  agent: { name?: string; version?: string; command?: string[]; readyTimeoutMs: number; endpoint: string };
  transport: { adapter: string; command?: string[]; args: string[] };
  /** Absent: no backchannel (setup/teardown skipped; tests that need an action are not-run). */
  /** `session`: the agact speaks the session protocol (one process for the run, agact/agact-session.ts). */
  agact?: { command: string[]; timeoutMs: number; session?: boolean };
  /** Which suite the run certifies. */
  suite: SuiteName;
  claims: string[];
  timeouts: { testMs: number; messageMs: number; silenceMs: number };
  only?: string[];
  /** Where the config came from, for messages ("agtest.config.json", "built-in reference agent"). */
  source: string;
  /** Folder relative command paths are resolved against. */
  baseDir: string;
}

export type SuiteName = 'didcomm-v1' | 'a2a';

export const DEFAULT_TIMEOUTS = { testMs: 20_000, messageMs: 5_000, silenceMs: 800 } as const;

// Compiled on first use: a process that imports agtest but loads no config (most commands of the
// CLI, most test files) does not pay for it.
let compiled: ReturnType<Ajv['compile']> | undefined;
const shapeValidator = () => (compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema));

type RawConfig = Omit<HarnessConfig, 'source' | 'baseDir' | 'agent' | 'transport' | 'agact' | 'timeouts'> & {
  agent: Omit<HarnessConfig['agent'], 'readyTimeoutMs'> & { readyTimeoutMs?: number };
  transport?: Partial<HarnessConfig['transport']>;
  agact?: { command: string[]; timeoutMs?: number; session?: boolean };
  suite?: SuiteName;
  timeouts?: Partial<HarnessConfig['timeouts']>;
};

/** Validates a parsed config and fills in defaults. Errors name the file and the key path. */
export function normalizeConfig(value: unknown, source: string, baseDir: string): HarnessConfig {
  const validateShape = shapeValidator();
  if (!validateShape(value)) {
    const problems = (validateShape.errors ?? []).map((error) => describeConfigError(error, basename(source)));
    throw new AgtestError('AGTEST_CONFIG_INVALID', [...new Set(problems)].join('; '), { file: source });
  }
  const raw = value as RawConfig;
  return {
    agent: { ...raw.agent, readyTimeoutMs: raw.agent.readyTimeoutMs ?? 15_000 },
    transport: { adapter: raw.transport?.adapter ?? 'http', command: raw.transport?.command, args: raw.transport?.args ?? [] },
    ...(raw.agact ? { agact: { command: raw.agact.command, timeoutMs: raw.agact.timeoutMs ?? 10_000, session: raw.agact.session ?? false } } : {}),
    suite: raw.suite ?? 'didcomm-v1',
    claims: raw.claims,
    timeouts: { ...DEFAULT_TIMEOUTS, ...raw.timeouts },
    only: raw.only,
    source,
    baseDir,
  };
}

export async function loadConfigFile(path: string, baseDir: string): Promise<HarnessConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AgtestError(missing ? 'AGTEST_CONFIG_NOT_FOUND' : 'AGTEST_CONFIG_INVALID', missing ? `config file ${path} does not exist` : `cannot read config file ${path}: ${String(cause)}`, { file: path, cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AgtestError('AGTEST_CONFIG_INVALID', `${basename(path)} is not valid JSON: ${(cause as Error).message}`, { file: path, cause });
  }
  return normalizeConfig(parsed, path, baseDir);
}

function describeConfigError(error: ErrorObject, file: string): string {
  const at = keyPath(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return `${joinPath(at, String(error.params['missingProperty']))} is missing in ${file}`;
    case 'additionalProperties':
      return `${joinPath(at, String(error.params['additionalProperty']))} in ${file} is not a known key`;
    case 'enum':
      return `${at} in ${file} must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `${at} in ${file} is not a junction or cluster name (e.g. trust_ping.1_0 or trust_ping.1_0.passive)`;
    default:
      return `${at || '(top level)'} in ${file} ${error.message ?? 'is invalid'}`;
  }
}

/** `/agent/command/0` → `agent.command[0]`. */
function keyPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function joinPath(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}
