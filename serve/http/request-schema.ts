/**
 * The request of seeds 002/003 §5.1 as a JSON Schema: strict (unknown keys refused), so a typo is
 * an error that names the field rather than a silently ignored option. agtest's extensions:
 * `durationSeconds` (short runs; wins over durationMinutes), `analysisInput` (analyze_results: an
 * agtest load report, or a JMeter JTL as `{jtlCsv}` or `{jtlXml}`), `targetDetails.protocol` /
 * `backchannelUrl` / `claims` / `only` (certify), `profiles` (compare_profiles).
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

export const TASK_TYPES = ['generate_script', 'execute_test', 'generate_and_execute', 'analyze_results', 'certify', 'compare_profiles'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });

export const requestSchema = {
  $id: 'https://agtest.dev/schemas/serve-request.json',
  type: 'object',
  additionalProperties: false,
  required: ['requestId', 'sourceAgentId', 'taskType', 'taskDescription'],
  properties: {
    requestId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'Unique id from the caller (a UUID); the job id' },
    sourceAgentId: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,128}$' },
    userId: text(128),
    taskType: { enum: TASK_TYPES },
    taskDescription: text(8000),
    targetDetails: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
        apiEndpoints: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
              path: { type: 'string', pattern: '^/[^\\s]*$', maxLength: 2048 },
              requestBody: { type: ['object', 'array', 'string'] },
              headers: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 8192 }, propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$" } },
            },
          },
        },
        userFlowDescription: text(8000),
        protocol: { enum: ['a2a', 'didcomm-v1'], description: 'certify: which suites (default a2a: url is the A2A agent\'s base URL or its Agent Card\'s URL)' },
        backchannelUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'certify, didcomm-v1: the agent\'s agact HTTP backchannel (url is its DIDComm endpoint)' },
        claims: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^[a-z0-9_.]{1,128}$' }, description: 'certify, didcomm-v1: the junctions the agent claims' },
        only: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,128}$' }, description: 'certify: run only the tests whose dot-name is or starts with one of these' },
      },
    },
    performanceParameters: {
      type: 'object',
      additionalProperties: false,
      properties: {
        virtualUsers: { type: 'integer', minimum: 1 },
        durationMinutes: { type: 'integer', minimum: 1 },
        durationSeconds: { type: 'integer', minimum: 1, description: 'agtest extension: wins over durationMinutes' },
        rampUpSeconds: { type: 'integer', minimum: 0 },
        thinkTimeMillis: { type: 'integer', minimum: 0, maximum: 600_000 },
        throughputTarget: { type: 'number', exclusiveMinimum: 0, description: 'requests per second, all users together' },
      },
    },
    callbackUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    jmxScript: { type: 'string', maxLength: 2_000_000, description: 'execute_test: a JMeter test plan (JMX), base64 or plain XML; its HTTP samplers are translated to an agtest load plan, anything else is refused by name' },
    analysisInput: { type: 'object', description: 'agtest extension (analyze_results): an agtest load report, or {"jtlCsv": "<JMeter JTL, CSV>"} or {"jtlXml": "<JMeter JTL, XML>"}' },
    profiles: {
      type: 'array',
      minItems: 2,
      maxItems: 2,
      items: { type: 'object' },
      description: 'agtest extension (compare_profiles): two interop profiles, each the profile itself or {"requestId": "<an earlier certify request of this key>"}',
    },
  },
} as const;

export interface ApiEndpoint {
  method?: string;
  path: string;
  requestBody?: unknown;
  headers?: Record<string, string>;
}

export interface ServeRequest {
  requestId: string;
  sourceAgentId: string;
  userId?: string;
  taskType: TaskType;
  taskDescription: string;
  targetDetails?: { url?: string; apiEndpoints?: ApiEndpoint[]; userFlowDescription?: string; protocol?: 'a2a' | 'didcomm-v1'; backchannelUrl?: string; claims?: string[]; only?: string[] };
  performanceParameters?: { virtualUsers?: number; durationMinutes?: number; durationSeconds?: number; rampUpSeconds?: number; thinkTimeMillis?: number; throughputTarget?: number };
  callbackUrl?: string;
  jmxScript?: string;
  analysisInput?: Record<string, unknown>;
  profiles?: Record<string, unknown>[];
}

const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validate = ajv.compile(requestSchema);

/** `/targetDetails/apiEndpoints/0/method` → `targetDetails.apiEndpoints[0].method`. */
function keyPath(instancePath: string): string {
  let path = '';
  for (const part of instancePath.split('/').slice(1)) path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  return path;
}

function describe(error: ErrorObject): { field: string; message: string } {
  const at = keyPath(error.instancePath);
  const join = (name: string) => (at ? `${at}.${name}` : name);
  if (error.keyword === 'required') return { field: join(String(error.params['missingProperty'])), message: 'is required' };
  if (error.keyword === 'additionalProperties') return { field: join(String(error.params['additionalProperty'])), message: 'is not a known field' };
  if (error.keyword === 'enum') return { field: at, message: `must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}` };
  return { field: at || '(body)', message: error.message ?? error.keyword };
}

/** The problems of a request, each naming its field; empty when it is valid. */
export function requestProblems(body: unknown): { field: string; message: string }[] {
  if (validate(body)) return [];
  const seen = new Set<string>();
  return (validate.errors ?? []).map(describe).filter((p) => !seen.has(`${p.field} ${p.message}`) && seen.add(`${p.field} ${p.message}`));
}
