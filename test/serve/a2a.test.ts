// The A2A face of `agtest serve`, driven by a real @a2a-js/sdk client on loopback: the seed's
// request as a DataPart, streamed progress, artifacts, input-required, cancel, and the API key.
import t from 'tap';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { startLoadServer } from '../helpers/load-server.js';
import { seedRequest, startHarness, type Harness } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- SDK objects, read field by field
type Json = any;

async function clientFor(h: Harness, key = h.key) {
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  };
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl })] }));
  return factory.createFromUrl(h.service.url);
}

const dataMessage = (id: string, data: unknown) => ({ message: { messageId: id, role: 'ROLE_USER', parts: [{ content: { $case: 'data', value: data } }] } }) as Json;
const textMessage = (id: string, text: string) => ({ message: { messageId: id, role: 'ROLE_USER', parts: [{ content: { $case: 'text', value: text } }] } }) as Json;
const stateOf = (task: Json) => task.status.state;

t.test('card: one skill per task type, the API key scheme declared, streaming claimed', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const response = await fetch(`${h.service.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } });
  t.equal(response.status, 200);
  const card = await response.json();
  t.same(card.skills.map((s: Json) => s.id), ['generate_script', 'execute_test', 'generate_and_execute', 'analyze_results', 'certify', 'compare_profiles']);
  t.equal(card.capabilities.streaming, true);
  t.ok(card.securitySchemes.apiKey.httpAuthSecurityScheme, 'the Bearer scheme is declared');
  t.equal(card.supportedInterfaces[0].url, `${h.service.url}/a2a/jsonrpc`);
  const legacy = await fetch(`${h.service.url}/.well-known/agent-card.json`).then((r) => r.json());
  t.equal(legacy.url, `${h.service.url}/a2a/jsonrpc`, 'without A2A-Version: the 0.3 card');
  t.same(legacy.securitySchemes.apiKey, { type: 'http', scheme: 'bearer', description: 'An agtest serve API key (agtest serve keys add).' });
  t.same(legacy.security, [{ apiKey: [] }]);
});

t.test('no key or a wrong key: HTTP 401 with WWW-Authenticate, no task made', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'hi' }] } } });
  for (const authorization of [undefined, 'Bearer nope']) {
    const response = await fetch(`${h.service.url}/a2a/jsonrpc`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'A2A-Version': '1.0', ...(authorization ? { authorization } : {}) } });
    t.equal(response.status, 401, `${authorization ?? 'no key'} refused`);
    t.match(response.headers.get('www-authenticate'), /^Bearer/);
  }
  t.equal(h.service.store.queued().length, 0);
  // The same call with the key is served (the refusal above is the key's doing, not the body's).
  const ok = await fetch(`${h.service.url}/a2a/jsonrpc`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'A2A-Version': '1.0', authorization: `Bearer ${h.key}` } });
  t.equal(ok.status, 200);
});

t.test("the seed's request over A2A: streamed progress, the report and plans as artifacts, GetTask agrees", async (t) => {
  const target = await startLoadServer();
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  const client = await clientFor(h);
  const states: number[] = [];
  const artifacts: Json[] = [];
  let taskId = '';
  for await (const event of client.sendMessageStream(dataMessage('m1', seedRequest(target.url)))) {
    const p = event.payload as Json;
    if (p?.$case === 'task') {
      taskId = p.value.id;
      states.push(stateOf(p.value));
    }
    if (p?.$case === 'statusUpdate') states.push(stateOf(p.value));
    if (p?.$case === 'artifactUpdate') artifacts.push(p.value.artifact);
  }
  t.equal(states[0], 1, 'first the task, submitted');
  t.ok(states.includes(2), 'then working');
  t.equal(states.at(-1), 3, 'then completed');
  t.same(artifacts.map((a) => a.name).sort(), ['load-plan.json', 'plan.jmx', 'result.json']);
  const result = artifacts.find((a) => a.name === 'result.json').parts[0].content.value;
  t.ok(result.report.summary.completed > 0, 'the load ran against the loopback target');
  t.ok(result.summary, 'with its summary');
  t.match(artifacts.find((a) => a.name === 'plan.jmx').parts[0].content.value, /<jmeterTestPlan/);
  const task = await client.getTask({ id: taskId } as Json);
  t.equal(stateOf(task), 3);
  // The same job as REST's: one engine, one record.
  t.equal((await h.call('GET', '/requests/a1b2c3d4-e5f6-7890-1234-567890abcdef')).body.status, 'completed');
});

t.test('non-blocking send returns the task at once; a vague text asks back (input-required); schema errors reject', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const client = await clientFor(h);
  const sent = (await client.sendMessage({ ...textMessage('m2', 'Load test http://127.0.0.1:9/ok with 50 users, or maybe 100 users, for 2 minutes'), configuration: { returnImmediately: true, blocking: false } } as Json)) as Json;
  const task = sent.id ? sent : sent.payload?.value ?? sent;
  t.ok([1, 2, 6].includes(stateOf(task)), 'returned before the end');
  let now = task;
  for (let i = 0; i < 100 && stateOf(now) !== 6; i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = await client.getTask({ id: task.id } as Json);
  }
  t.equal(stateOf(now), 6, 'input-required');
  t.match(JSON.stringify(now.status.message), /which one/);

  const bad = (await client.sendMessage(dataMessage('m3', { requestId: 'x', taskType: 'generate_script' }))) as Json;
  const rejected = bad.id ? bad : bad.payload?.value ?? bad;
  t.equal(stateOf(rejected), 7, 'rejected');
  t.match(JSON.stringify(rejected.status.message), /sourceAgentId/);
});

t.test('CancelTask cancels the job', async (t) => {
  const target = await startLoadServer();
  const h = await startHarness({ concurrency: 1 });
  t.teardown(async () => {
    await h.close();
    await target.close();
  });
  const client = await clientFor(h);
  const request = seedRequest(target.url, { requestId: 'long', performanceParameters: { virtualUsers: 1, durationSeconds: 30, rampUpSeconds: 0 } });
  const sent = (await client.sendMessage({ ...dataMessage('m4', request), configuration: { returnImmediately: true, blocking: false } } as Json)) as Json;
  const task = sent.id ? sent : sent.payload?.value ?? sent;
  await h.waitFor('long', ['in_progress']);
  const cancelled = await client.cancelTask({ id: task.id } as Json);
  t.equal(stateOf(cancelled), 5, 'canceled');
  t.equal((await h.call('GET', '/requests/long')).body.status, 'cancelled');
});
