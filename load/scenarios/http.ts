/**
 * The `http` scenario: plain HTTP requests to a list of endpoints, one step per request, over
 * keep-alive connections (undici). A status outside the endpoint's expected ones is 'http-status',
 * a refused connection 'refused', the iteration's timeout 'timeout', a broken socket 'transport'.
 * Redirects are never followed (a 3xx is an answer like any other, judged by `expect`).
 */
import { isIP, type LookupFunction } from 'node:net';
import { Pool } from 'undici';
import { AgtestError, staticLookup } from '../../common/index.js';
import { classifyError } from '../engine/classify.js';
import { LoadStepError, type IterationContext, type Scenario, type ScenarioFactory } from '../scenario.js';
import { ProtocolError, RawHttpPool, serializeRequest } from './raw-http.js';

export interface HttpEndpoint {
  /** Step name in reports; default "METHOD path". */
  name?: string;
  method?: string;
  /** Relative to the scenario's url (or absolute). */
  path?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON (with content-type application/json). */
  body?: unknown;
  /** Statuses that count as success; default any 2xx. */
  expect?: number[];
}

export interface HttpScenarioConfig {
  url: string;
  endpoints?: HttpEndpoint[];
  /** sequence: every endpoint in order each iteration; round-robin: one endpoint per iteration. */
  mode?: 'sequence' | 'round-robin';
  /** Most connections per origin (default: as many as requests in flight). */
  connections?: number;
  /**
   * raw (default for http:): agtest's minimal keep-alive HTTP/1.1 client, cheap enough that the
   * agent, not the client, sets the pace; undici: a general client (always used for https:).
   */
  client?: 'raw' | 'undici';
  /**
   * Host name → the addresses to connect to instead of a DNS lookup (as curl's --resolve): the
   * URL keeps the name, so Host, TLS SNI and the certificate check are the name's.
   */
  resolve?: Record<string, string[]>;
}

const endpointSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    method: { type: 'string', pattern: '^[A-Za-z]+$' },
    path: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: {},
    expect: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
  },
};

export const httpConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', pattern: '^https?://' },
    endpoints: { type: 'array', minItems: 1, maxItems: 1000, items: endpointSchema },
    mode: { enum: ['sequence', 'round-robin'] },
    connections: { type: 'integer', minimum: 1 },
    client: { enum: ['raw', 'undici'] },
    resolve: { type: 'object', additionalProperties: { type: 'array', minItems: 1, items: { type: 'string' } } },
  },
} as const;

interface PreparedEndpoint {
  name: string;
  method: string;
  url: string;
  origin: string;
  /** Path and query, as the request line carries it. */
  path: string;
  /** The whole request, serialized once (raw client). */
  bytes?: Buffer;
  headers: Record<string, string>;
  body?: string;
  expect: (status: number) => boolean;
}

const BODY_EXCERPT = 200;

function prepare(base: string, endpoint: HttpEndpoint, raw: boolean): PreparedEndpoint {
  const method = (endpoint.method ?? 'GET').toUpperCase();
  const parsed = new URL(endpoint.path ?? '', base);
  const url = parsed.toString();
  const headers: Record<string, string> = { ...(endpoint.headers ?? {}) };
  let body: string | undefined;
  if (typeof endpoint.body === 'string') body = endpoint.body;
  else if (endpoint.body !== undefined) {
    body = JSON.stringify(endpoint.body);
    if (!Object.keys(headers).some((key) => key.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const expected = endpoint.expect ? new Set(endpoint.expect) : undefined;
  let bytes: Buffer | undefined;
  if (parsed.protocol === 'http:' && raw) {
    try {
      bytes = serializeRequest(parsed, method, headers, body);
    } catch (error) {
      throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `http endpoint ${method} ${url}: ${(error as Error).message}`);
    }
  }
  return {
    ...(bytes ? { bytes } : {}),
    name: endpoint.name ?? `${method} ${new URL(url).pathname}`,
    method,
    url,
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
    headers,
    ...(body === undefined ? {} : { body }),
    expect: expected ? (status) => expected.has(status) : (status) => status >= 200 && status < 300,
  };
}

/** http.resolve as a lookup; every entry must be an IP address (a name there would be looked up again). */
function lookupOf(resolve: Record<string, string[]> | undefined): LookupFunction | undefined {
  if (resolve === undefined) return undefined;
  for (const [host, addresses] of Object.entries(resolve)) {
    const bad = addresses.find((address) => isIP(address) === 0);
    if (bad !== undefined) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `http.resolve.${host}: ${JSON.stringify(bad)} is not an IP address`);
  }
  return staticLookup(resolve) as LookupFunction;
}

export function createHttpScenario(config: HttpScenarioConfig): Scenario {
  const lookup = lookupOf(config.resolve);
  const resolved = new Map(Object.entries(config.resolve ?? {}).map(([host, addresses]) => [host.toLowerCase(), addresses]));
  const endpoints = (config.endpoints ?? [{}]).map((endpoint) => prepare(config.url, endpoint, (config.client ?? 'raw') === 'raw'));
  const names = [...new Set(endpoints.map((e) => e.name))];
  if (names.length !== endpoints.length) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `http.endpoints need distinct names (they name the steps): ${endpoints.map((e) => e.name).join(', ')}`);
  const roundRobin = config.mode === 'round-robin';
  // One pool per origin, used straight (undici's Agent routes each request through its origin map
  // and interceptors: about half the rate on loopback).
  const pools = new Map<string, Pool>();
  const rawPools = new Map<string, RawHttpPool>();

  const sendRaw = async (it: IterationContext, endpoint: PreparedEndpoint, bytes: Buffer) => {
    let response;
    try {
      response = await rawPools.get(endpoint.origin)!.request(bytes, { signal: it.signal, wantBody: true, head: endpoint.method === 'HEAD' });
    } catch (error) {
      if (error instanceof ProtocolError) throw new LoadStepError('protocol', `${endpoint.method} ${endpoint.url}: ${error.message}`);
      const classified = classifyError(error);
      throw new LoadStepError(classified.errorClass, `${endpoint.method} ${endpoint.url}: ${classified.message}`, classified.detail);
    }
    if (!endpoint.expect(response.status)) throw new LoadStepError('http-status', `${endpoint.method} ${endpoint.url} answered ${response.status}`, { status: response.status, body: response.excerpt ?? '' });
  };

  const send = async (it: IterationContext, endpoint: PreparedEndpoint) =>
    it.step(endpoint.name, async () => {
      if (endpoint.bytes) return sendRaw(it, endpoint, endpoint.bytes);
      let response;
      try {
        response = await pools.get(endpoint.origin)!.request({ path: endpoint.path, method: endpoint.method as 'GET', headers: endpoint.headers, body: endpoint.body ?? null, signal: it.signal });
      } catch (error) {
        const classified = classifyError(error);
        throw new LoadStepError(classified.errorClass, `${endpoint.method} ${endpoint.url}: ${classified.message}`, classified.detail);
      }
      if (endpoint.expect(response.statusCode)) {
        // Read the body to the end so the connection goes back to the pool.
        await response.body.dump({ limit: Number.POSITIVE_INFINITY });
        return;
      }
      const text = await response.body.text().catch((error: unknown) => `(body unreadable: ${classifyError(error).message})`);
      throw new LoadStepError('http-status', `${endpoint.method} ${endpoint.url} answered ${response.statusCode}`, { status: response.statusCode, body: text.slice(0, BODY_EXCERPT) });
    });

  return {
    name: 'http',
    steps: names,
    // A name mapped by http.resolve is also listed by its addresses: the loopback-only default
    // judges where the connections go, not only the name the URL shows.
    targets: () => [...new Set(endpoints.flatMap((e) => [e.url, ...(resolved.get(new URL(e.url).hostname.replace(/^\[|\]$/g, '').toLowerCase()) ?? [])]))],
    async open() {
      for (const endpoint of endpoints) {
        if (endpoint.bytes) {
          const origin = new URL(endpoint.origin);
          if (!rawPools.has(endpoint.origin)) rawPools.set(endpoint.origin, new RawHttpPool(origin.hostname.replace(/^\[|\]$/g, ''), Number(origin.port || 80), config.connections ?? Number.POSITIVE_INFINITY, lookup));
          continue;
        }
        if (!pools.has(endpoint.origin)) pools.set(endpoint.origin, new Pool(endpoint.origin, { keepAliveTimeout: 10_000, pipelining: 1, ...(config.connections ? { connections: config.connections } : {}), ...(lookup ? { connect: { lookup } } : {}) }));
      }
    },
    async iterate(it) {
      if (roundRobin) return send(it, endpoints[it.index % endpoints.length]!);
      for (const endpoint of endpoints) await send(it, endpoint);
    },
    async close() {
      await Promise.all([...pools.values(), ...rawPools.values()].map((pool) => pool.close()));
    },
  };
}

export const httpScenario: ScenarioFactory<HttpScenarioConfig> = {
  name: 'http',
  configSchema: httpConfigSchema,
  create: createHttpScenario,
};
