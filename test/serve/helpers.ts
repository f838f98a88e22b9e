import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, TASK_TYPES, type Service, type ServiceOptions } from '../../serve/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field in the tests
type Json = any;

export interface Harness {
  service: Service;
  key: string;
  keyId: string;
  signingSecret: string;
  dir: string;
  logs: string[];
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: Json }>;
  waitFor(id: string, statuses: string[], ms?: number): Promise<Json>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<ServiceOptions> & { key?: { taskTypes?: string[]; targets?: string[]; sourceAgentId?: string; ratePerMinute?: number } } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-serve-'));
  const logs: string[] = [];
  const { key: keyOptions, ...serviceOptions } = options;
  const service = await startService({ db: join(dir, 'serve.db'), log: (line) => logs.push(line), callbacks: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 5 }, ...serviceOptions });
  const created = service.keys.add({
    name: 'test',
    taskTypes: keyOptions?.taskTypes ?? [...TASK_TYPES],
    targets: keyOptions?.targets ?? ['127.0.0.1/32'],
    ...(keyOptions?.sourceAgentId ? { sourceAgentId: keyOptions.sourceAgentId } : {}),
    ratePerMinute: keyOptions?.ratePerMinute ?? 1000,
  });
  const call: Harness['call'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${created.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    service,
    key: created.key,
    keyId: created.id,
    signingSecret: created.signingSecret,
    dir,
    logs,
    call,
    async waitFor(id, statuses, ms = 20_000) {
      const end = Date.now() + ms;
      for (;;) {
        const { body } = await call('GET', `/requests/${id}`);
        if (statuses.includes(body.status)) return body;
        if (Date.now() > end) throw new Error(`request ${id} is ${body.status}, not ${statuses.join('/')}, after ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The seed's example request (002/003 §5.2) with the target and the load replaced. */
export function seedRequest(target: string, overrides: Record<string, unknown> = {}) {
  return {
    requestId: 'a1b2c3d4-e5f6-7890-1234-567890abcdef',
    sourceAgentId: 'github_copilot_acme_corp',
    userId: 'user_734',
    taskType: 'generate_and_execute',
    taskDescription: 'Run a stress test on the new product recommendation API (GET /products/recommendations?category=electronics) with 200 users for 30 minutes. Ensure ramp-up is over 5 minutes.',
    targetDetails: { url: target, apiEndpoints: [{ method: 'GET', path: '/products/recommendations?category=electronics' }] },
    performanceParameters: { virtualUsers: 2, durationSeconds: 1, rampUpSeconds: 0 },
    ...overrides,
  };
}
