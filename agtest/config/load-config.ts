import { Ajv, type ErrorObject } from 'ajv';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AgtestError } from '../../common/index.js';
import schema from './config-schema.json' with { type: 'json' };

export interface HarnessConfig {
  /**
   * `headers`: A2A credentials (header name → value, environment variables already read). Secret:
   * never printed or recorded (agtest/run/redact.ts).
   */
  agent: { name?: string; version?: string; command?: string[]; readyTimeoutMs: number; endpoint: string; headers?: Record<string, string> };
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

/** A credential header's value as a config gives it: the value, or the environment variable holding it. */
export type HeaderSource = string | { env: string };

type RawConfig = Omit<HarnessConfig, 'source' | 'baseDir' | 'agent' | 'transport' | 'agact' | 'timeouts'> & {
  agent: Omit<HarnessConfig['agent'], 'readyTimeoutMs' | 'headers'> & { readyTimeoutMs?: number; headers?: Record<string, HeaderSource> };
  transport?: Partial<HarnessConfig['transport']>;
  agact?: { command: string[]; timeoutMs?: number; session?: boolean };
  suite?: SuiteName;
  timeouts?: Partial<HarnessConfig['timeouts']>;
};

/**
 * Validates a parsed config and fills in defaults. Errors name the file and the key path.
 * `env`: where `{"env": NAME}` header values are read (default process.env).
 */
export function normalizeConfig(value: unknown, source: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): HarnessConfig {
  const validateShape = shapeValidator();
  if (!validateShape(value)) {
    const problems = (validateShape.errors ?? []).flatMap((error) => describeConfigError(error, basename(source)) ?? []);
    throw new AgtestError('AGTEST_CONFIG_INVALID', [...new Set(problems)].join('; '), { file: source });
  }
  const raw = value as RawConfig;
  const headers = raw.agent.headers ? resolveHeaders(raw.agent.headers, raw.suite ?? 'didcomm-v1', basename(source), env) : undefined;
  const { headers: _sources, ...agent } = raw.agent;
  void _sources;
  return {
    agent: { ...agent, readyTimeoutMs: raw.agent.readyTimeoutMs ?? 15_000, ...(headers ? { headers } : {}) },
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

/**
 * Reads `agent.headers`: each value as given or from its environment variable. A header named
 * twice (names are case-insensitive), an unset variable, or headers for a suite that sends none
 * is an error naming the key path.
 */
function resolveHeaders(sources: Record<string, HeaderSource>, suite: SuiteName, file: string, env: NodeJS.ProcessEnv): Record<string, string> {
  if (suite !== 'a2a') throw new AgtestError('AGTEST_CONFIG_INVALID', `agent.headers in ${file} is for A2A agents ("suite": "a2a"): the ${suite} adapters send no credentials`, { file });
  const seen = new Map<string, string>();
  const headers: Record<string, string> = {};
  for (const [name, source] of Object.entries(sources)) {
    const twice = seen.get(name.toLowerCase());
    if (twice !== undefined) throw new AgtestError('AGTEST_CONFIG_INVALID', `agent.headers.${name} in ${file} names the same header as agent.headers.${twice} (header names are case-insensitive)`, { file });
    seen.set(name.toLowerCase(), name);
    const value = typeof source === 'string' ? source : env[source.env];
    if (value === undefined || value === '') throw new AgtestError('AGTEST_CONFIG_INVALID', `agent.headers.${name}.env in ${file} names the environment variable ${typeof source === 'string' ? '' : source.env}, which is not set (or empty)`, { file });
    if (/[\r\n\0]/.test(value)) throw new AgtestError('AGTEST_CONFIG_INVALID', `agent.headers.${name} in ${file} holds a line break or NUL, which no HTTP header value may`, { file });
    headers[name] = value;
  }
  return headers;
}

function describeConfigError(error: ErrorObject, file: string): string | undefined {
  const at = keyPath(error.instancePath);
  // A bad header name is reported twice by ajv (pattern, then propertyNames): once is enough.
  if (error.keyword === 'propertyNames') return undefined;
  if (error.propertyName !== undefined) return `${joinPath(at, error.propertyName)} in ${file}: ${JSON.stringify(error.propertyName)} is not an HTTP header name`;
  if (/^agent\.headers\.[^.]+/.test(at) && (error.keyword === 'oneOf' || error.keyword === 'type' || error.keyword === 'minLength' || error.keyword === 'required' || error.keyword === 'additionalProperties')) {
    return `${at.replace(/\.env$/, '')} in ${file} must be the header's value (a non-empty string) or {"env": "VARIABLE"}`;
  }
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
