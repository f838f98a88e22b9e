/**
 * The REST face as OpenAPI 3.1, built from the same request schema the server validates with, so
 * the document cannot drift from the code. Served at GET /openapi.json; the committed copy
 * (serve/openapi.json) is checked against it by a test.
 */
import { requestSchema, TASK_TYPES } from './request-schema.js';

const error = { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, problems: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } } } } };
const status = {
  type: 'object',
  required: ['requestId', 'taskType', 'status', 'history', 'links'],
  properties: {
    requestId: { type: 'string' },
    taskType: { enum: TASK_TYPES },
    status: { enum: ['queued', 'in_progress', 'completed', 'error', 'cancelled', 'interrupted', 'input_required'] },
    position: { type: 'integer', description: 'place in the queue (queued only), 1 = next' },
    progress: { type: 'object' },
    question: { type: 'string', description: 'input_required: what to send in a new request' },
    error: { type: 'string' },
    history: { type: 'array', items: { type: 'object', properties: { sequence: { type: 'integer' }, status: { type: 'string' }, at: { type: 'string', format: 'date-time' }, detail: { type: 'object' } } } },
    links: { $ref: '#/components/schemas/Links' },
  },
};
const problem = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export function openApiDocument() {
  const { $id: _id, ...request } = requestSchema;
  return {
    openapi: '3.1.0',
    info: { title: 'agtest serve', version: '1', description: 'Performance-testing and certification jobs for AI agents (seeds 002/003): script generation (agtest load plan and JMeter JMX), load runs (agtest plans, or the HTTP samplers of a JMX), result analysis (agtest reports, JMeter JTL CSV or XML), agent certification (interop profile) and profile comparison. Asynchronous: 202, then poll or receive signed callbacks.' },
    security: [{ apiKey: [] }],
    paths: {
      '/requests': {
        post: {
          summary: 'Create a request (a job)',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Request' } } } },
          responses: {
            '202': { description: 'Accepted: queued', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: { type: 'object', required: ['requestId', 'status', 'links'], properties: { requestId: { type: 'string' }, status: { const: 'queued' }, position: { type: 'integer' }, links: { $ref: '#/components/schemas/Links' } } } } } },
            '200': { description: 'The same request sent again: its current status', content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } } },
            '400': problem('Not JSON, or not the schema: problems name the fields'),
            '401': problem('No key, or an unknown or revoked one'),
            '403': problem('Task type, sourceAgentId, target (a load target, an endpoint path leading to another origin, a JMX sampler\'s server, an agent to certify) or callbackUrl not allowed for this key'),
            '409': problem('requestId already used by a different request'),
            '413': problem('Body over the size cap'),
            '415': problem('Not application/json'),
            '422': problem('Over the caps on users or duration, a "${" JMeter would evaluate, or a jmxScript element that cannot be translated (named)'),
            '429': { ...problem('Over the key\'s rate'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
          },
        },
      },
      '/requests/{id}': {
        get: { summary: 'Status, queue position, progress, history', parameters: [idParam], responses: { '200': { description: 'Status', content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } } }, '404': problem('No such request for this key') } },
        delete: { summary: 'Cancel', parameters: [idParam], responses: { '200': { description: 'Cancelled', content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } } }, '404': problem('No such request for this key'), '409': problem('Already ended') } },
      },
      '/requests/{id}/result': {
        get: { summary: 'The result of a completed request', parameters: [idParam], responses: { '200': { description: 'Result: plan, agtestLoadConfig, jmx, report, summary (by task type)', content: { 'application/json': { schema: { type: 'object', properties: { requestId: { type: 'string' }, taskType: { type: 'string' }, status: { const: 'completed' }, result: { type: 'object' } } } } } }, '404': problem('No such request for this key'), '409': problem('Not completed (yet): the message says its status') } },
      },
      '/capabilities': { get: { summary: 'Task types, limits, authentication, callbacks', security: [], responses: { '200': { description: 'Capabilities', content: { 'application/json': { schema: { type: 'object' } } } } } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
    webhooks: {
      statusChange: {
        post: {
          summary: 'POSTed to callbackUrl for every status change and with the final result; header x-agtest-signature: sha256=HEX(HMAC-SHA256(signing secret, body)); dedupe by requestId + sequence (Idempotency-Key)',
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['requestId', 'sequence', 'status', 'at'], properties: { requestId: { type: 'string' }, sequence: { type: 'integer' }, status: { type: 'string' }, at: { type: 'string' }, detail: { type: 'object' }, result: { type: 'object' }, error: { type: 'string' }, question: { type: 'string' }, links: { $ref: '#/components/schemas/Links' } } } } } },
          responses: { '2XX': { description: 'Delivered; anything else is retried with backoff' } },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'agk_… keys from agtest serve keys add' } },
      schemas: {
        Request: request,
        Status: status,
        Links: { type: 'object', properties: { self: { type: 'string' }, result: { type: 'string' }, cancel: { type: 'string' } } },
        Error: error,
      },
    },
  };
}
