import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from './agent-metadata-request.schema.json' with { type: 'json' };
import type { InteropProfile } from './types.js';

/** agtest's own message family (docs/agent-metadata-1.0.md). */
export const AGENT_METADATA_PREFIX = 'https://agtest.dev/protocols/agent-metadata/1.0/';
export const AGENT_METADATA_TYPES = {
  request: `${AGENT_METADATA_PREFIX}request`,
  response: `${AGENT_METADATA_PREFIX}response`,
  problemReport: `${AGENT_METADATA_PREFIX}problem-report`,
} as const;
/** More items than this in one request is refused (`too-many-items`): the answer must stay small. */
export const MAX_METADATA_ITEMS = 100;

export type MetadataProblemCode = 'malformed-request' | 'too-many-items' | 'no-profile-for-suite';

/** One answer per item asked, in the order asked. */
export type MetadataAnswer = { 'interop-profile': string; profile: InteropProfile } | { 'interop-profile': string; problem: 'no-profile-for-suite' };

export interface MetadataProblem {
  code: MetadataProblemCode;
  explain: string;
}

export type MetadataReply =
  | { kind: 'response'; answers: MetadataAnswer[] }
  | { kind: 'problem'; problem: MetadataProblem };

const ajv = new Ajv({ allErrors: false, strict: false });
type MetadataRequest = { '@type'?: string; '@id'?: string; what: { 'interop-profile': string }[] };
let compiled: ValidateFunction<MetadataRequest> | undefined;
/** Compiled at first use: every program that imports this module (the CLI, the agents) would pay for it at start-up. */
const validateRequest = (value: unknown): value is MetadataRequest => (compiled ??= ajv.compile<MetadataRequest>(schema))(value);

function explain(error: ErrorObject | undefined): string {
  if (!error) return 'not a request';
  return `${error.instancePath || '(the request)'} ${error.message ?? error.keyword}`;
}

/**
 * Answers an agent-metadata request from the profiles an agent holds. Pure and total: any input,
 * however malformed, gets a reply (a problem when it cannot be answered), never an exception.
 * Items whose suite has no profile are answered one by one; only a request in which no item can
 * be answered is a `no-profile-for-suite` problem.
 */
export function answerMetadata(request: unknown, profiles: readonly InteropProfile[]): MetadataReply {
  const problem = (code: MetadataProblemCode, text: string): MetadataReply => ({ kind: 'problem', problem: { code, explain: text } });
  const what = (request as { what?: unknown } | null)?.what;
  if (Array.isArray(what) && what.length > MAX_METADATA_ITEMS) return problem('too-many-items', `${what.length} items asked; at most ${MAX_METADATA_ITEMS} per request`);
  if (!validateRequest(request)) return problem('malformed-request', explain(compiled?.errors?.[0]));
  const answers = request.what.map((item): MetadataAnswer => {
    const suite = item['interop-profile'];
    const profile = profiles.find((p) => p.test_suite === suite);
    return profile ? { 'interop-profile': suite, profile } : { 'interop-profile': suite, problem: 'no-profile-for-suite' };
  });
  if (answers.every((answer) => 'problem' in answer)) return problem('no-profile-for-suite', `no interop profile for ${answers.map((a) => a['interop-profile']).join(', ')}`);
  return { kind: 'response', answers };
}

/**
 * The same as a DIDComm v1 message: a `response` or a `problem-report`, threaded to the request
 * (`~thread.thid` = its `@id`, when it has a usable one).
 */
export function answerMetadataRequest(request: unknown, profiles: readonly InteropProfile[], newId: () => string = () => crypto.randomUUID()): Record<string, unknown> {
  const reply = answerMetadata(request, profiles);
  const id = (request as { '@id'?: unknown } | null)?.['@id'];
  const thread = typeof id === 'string' && id.length > 0 && id.length <= 128 ? { '~thread': { thid: id } } : {};
  if (reply.kind === 'response') return { '@type': AGENT_METADATA_TYPES.response, '@id': newId(), ...thread, answers: reply.answers };
  return { '@type': AGENT_METADATA_TYPES.problemReport, '@id': newId(), ...thread, description: { code: reply.problem.code, en: reply.problem.explain } };
}
