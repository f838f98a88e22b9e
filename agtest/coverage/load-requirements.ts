import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { AgtestError, distRoot } from '../../common/index.js';

export type RequirementLevel = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY';

/** Why a requirement has no check (suites/requirements/requirements.schema.json). */
export type UncheckedReason = 'not-yet' | 'needs-auth' | 'needs-second-agent' | 'needs-operator' | 'not-observable' | 'client-side' | 'out-of-scope';
export const UNCHECKED_REASONS: readonly UncheckedReason[] = ['not-yet', 'needs-auth', 'needs-second-agent', 'needs-operator', 'not-observable', 'client-side', 'out-of-scope'];

/** One normative statement of a spec, mapped to the checks that test it or marked unchecked with the reason. */
export interface Requirement {
  id: string;
  section: string;
  level: RequirementLevel;
  quote: string;
  junctions?: string[];
  /** Check ids `<junction>.<test>#<rule>`, as `agtest list --rules` prints them. */
  checks?: string[];
  unchecked?: { reason: UncheckedReason; why: string };
}

/** One spec's requirement map (one file of suites/requirements/). */
export interface RequirementMap {
  schema_version: 1;
  spec: string;
  title: string;
  source: string;
  notes?: string;
  requirements: Requirement[];
  /** The file it was read from. */
  file: string;
}

/** A requirement map that is not valid: the file and the JSON path (a JSON pointer) of the first problem. */
export class RequirementsInvalidError extends AgtestError {
  readonly path: string;
  constructor(file: string, path: string, problem: string, cause?: unknown) {
    super('AGTEST_REQUIREMENTS_INVALID', `requirement map ${file} is invalid: ${path} ${problem}`, { file, cause });
    this.path = path;
  }
}

const SCHEMA_FILE = 'requirements.schema.json';

/**
 * suites/requirements/ of the package: maps are data read at run time, not compiled, so they are
 * found from the package root whether agtest runs from dist/ (installed) or from source (tests).
 */
export function requirementsDir(): string {
  return join(dirname(distRoot()), 'suites', 'requirements');
}

let compiled: ReturnType<Ajv['compile']> | undefined;

/** The package's schema, whichever folder the maps come from (a test's fixtures too). */
function schemaValidator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(readJson(join(requirementsDir(), SCHEMA_FILE)) as object);
  return compiled;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new RequirementsInvalidError(file, '/', `cannot be read: ${(cause as Error).message}`, cause);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new RequirementsInvalidError(file, '/', `is not JSON: ${(cause as Error).message}`, cause);
  }
}

/**
 * The most telling of ajv's errors: a requirement that matches neither branch of the schema's
 * `oneOf` (checks, or unchecked with junctions) yields errors from both branches; the deepest
 * one names the field to fix.
 */
function describe(errors: readonly ErrorObject[]): { path: string; problem: string } {
  const ranked = [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length || Number(a.keyword === 'oneOf') - Number(b.keyword === 'oneOf'));
  const error = ranked[0];
  if (!error) return { path: '/', problem: 'is not a requirement map' };
  const path = error.instancePath || '/';
  if (error.keyword === 'required') return { path, problem: `must have ${String(error.params['missingProperty'])}` };
  if (error.keyword === 'additionalProperties') return { path, problem: `has unknown property ${String(error.params['additionalProperty'])}` };
  if (error.keyword === 'enum') return { path, problem: `must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
  if (error.keyword === 'oneOf' || error.keyword === 'not') return { path, problem: 'must have either checks, or unchecked and junctions (not both)' };
  return { path, problem: error.message ?? error.keyword };
}

/** Reads and validates one map: the schema, the spec id equal to the file name, unique requirement ids. */
export function loadRequirementMap(file: string): RequirementMap {
  const value = readJson(file);
  const validate = schemaValidator();
  if (!validate(value)) {
    const { path, problem } = describe(validate.errors ?? []);
    throw new RequirementsInvalidError(file, path, problem);
  }
  const map = value as Omit<RequirementMap, 'file'>;
  const name = basename(file, '.json');
  if (map.spec !== name) throw new RequirementsInvalidError(file, '/spec', `is ${JSON.stringify(map.spec)}, but the file is named ${name}.json`);
  const seen = new Set<string>();
  map.requirements.forEach((requirement, index) => {
    if (seen.has(requirement.id)) throw new RequirementsInvalidError(file, `/requirements/${index}/id`, `${JSON.stringify(requirement.id)} is used twice`);
    seen.add(requirement.id);
  });
  return { ...map, file };
}

/** Every map of `dir` (default: the package's suites/requirements/), sorted by spec id. */
export function loadRequirementMaps(dir = requirementsDir()): RequirementMap[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new RequirementsInvalidError(dir, '/', `cannot be listed: ${(cause as Error).message}`, cause);
  }
  return names
    .filter((name) => name.endsWith('.json') && name !== SCHEMA_FILE)
    .sort()
    .map((name) => loadRequirementMap(join(dir, name)));
}
