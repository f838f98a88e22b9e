import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from './profile.schema.json' with { type: 'json' };
import type { InteropProfile } from './types.js';

// ajv-formats ships CommonJS with a default export that NodeNext sees one level down.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
let compiled: ValidateFunction<InteropProfile> | undefined;
/** Compiled at first use, not at import: every agtest command imports this module, few validate. */
const profileValidator = (): ValidateFunction<InteropProfile> => (compiled ??= ajv.compile<InteropProfile>(schema));

export const PROFILE_SCHEMA: object = schema;

export interface ProfileProblem {
  /** JSON pointer-like key path, e.g. `/profile/trust_ping.1_0.passive`. */
  path: string;
  message: string;
}

export type ProfileValidation = { valid: true; profile: InteropProfile } | { valid: false; problems: ProfileProblem[] };

export function validateProfile(value: unknown): ProfileValidation {
  const validateSchema = profileValidator();
  if (validateSchema(value)) return { valid: true, profile: value };
  return { valid: false, problems: (validateSchema.errors ?? []).map(describeProblem) };
}

function describeProblem(error: ErrorObject): ProfileProblem {
  const path = error.instancePath || '/';
  if (error.keyword === 'pattern' && error.instancePath.startsWith('/profile/')) {
    return { path, message: 'is not a valid interop score (interoperable, divergent or constrained (N of M), with the MUST coverage note when it has one: "interoperable (N of M MUSTs checked)", "constrained (a of b; N of M MUSTs checked)")' };
  }
  if (error.keyword === 'required') return { path, message: `must have ${String(error.params['missingProperty'])}` };
  return { path, message: error.message ?? error.keyword };
}
