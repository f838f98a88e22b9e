// certify and compare_profiles (issue 19): agtest's suites against the agent a request names, the
// target allowlist before any traffic (the agent's URL, a DIDComm backchannel, every URL the Agent
// Card names), and the comparison of two profiles given or by earlier certify requests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { startReferenceA2aAgent, startReferenceAgent } from '../../reference-agent/index.js';
import { startHarness } from './helpers.js';

const certifyRequest = (id: string, targetDetails: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ requestId: id, sourceAgentId: 'assistant', taskType: 'certify', taskDescription: 'Certify this agent', targetDetails, ...extra });

/** A loopback server that serves `card` at both card paths and counts every request it gets. */
async function startCardServer(card: (base: string) => unknown): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  let url = '';
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.method === 'GET' && req.url?.startsWith('/.well-known/')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(card(url)));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, seen };
}

t.test('certify the reference A2A agent over REST: the profile and the report; then compare_profiles by requestId and inline', async (t) => {
  const agent = await startReferenceA2aAgent({ minimal: true, host: '127.0.0.1', port: 0 });
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await agent.close();
  });
  const started = Date.now();
  const created = await h.call('POST', '/requests', certifyRequest('cert-1', { url: agent.endpoint, only: ['a2a.v1_0.card', 'a2a.v1_0.message'] }));
  t.equal(created.status, 202, JSON.stringify(created.body));
  const done = await h.waitFor('cert-1', ['completed', 'error'], 60_000);
  t.equal(done.status, 'completed', done.error);
  t.comment(`certified in ${Date.now() - started} ms`);
  const { body } = await h.call('GET', '/requests/cert-1/result');
  const result = body.result;
  t.equal(result.protocol, 'a2a');
  t.equal(result.exitCode, 0, 'every claimed junction interoperable');
  t.same(Object.keys(result.verdicts).sort(), ['a2a.v1_0.card.passive', 'a2a.v1_0.message.passive']);
  t.ok(Object.values(result.verdicts).every((v) => v === 'interoperable'), JSON.stringify(result.verdicts));
  t.match(result.profile, { test_suite: String, profile: Object });
  t.match(result.report, /interoperable/, 'the readable report');
  t.match(result.junit, /<testsuites/, 'JUnit XML');

  // By requestId against the committed reference profile (same suite): the shared junctions compare.
  const reference = JSON.parse(await readFile(new URL('../../profiles/reference-a2a-agent.json', import.meta.url), 'utf8'));
  const compared = await h.call('POST', '/requests', { requestId: 'cmp-1', sourceAgentId: 'assistant', taskType: 'compare_profiles', taskDescription: 'compare', profiles: [{ requestId: 'cert-1' }, reference] });
  t.equal(compared.status, 202);
  const cmp = await h.waitFor('cmp-1', ['completed', 'error']);
  t.equal(cmp.status, 'completed', cmp.error);
  const comparison = (await h.call('GET', '/requests/cmp-1/result')).body.result;
  t.same(comparison.a, { from: 'certify', requestId: 'cert-1', agent: result.profile.agent, testSuite: result.profile.test_suite });
  t.equal(comparison.b.from, 'request');
  const card = comparison.comparison.junctions.find((j: { junction: string }) => j.junction === 'a2a.v1_0.card.passive');
  t.equal(card.verdict, 'interoperable', 'a junction both are interoperable on');
  const push = comparison.comparison.junctions.find((j: { junction: string }) => j.junction === 'a2a.v1_0.push.passive');
  t.equal(push.verdict, 'divergent', 'a junction the minimal run left out is divergent (sparse profile)');
});

t.test('certify targets off the allowlist are refused before any traffic: the URL, a name resolving off the list, a DIDComm backchannel', async (t) => {
  const cards = await startCardServer((base) => ({ name: 'x', supportedInterfaces: [{ url: `${base}/rpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] }));
  const h = await startHarness({ resolve: async (host) => (host === 'agent.example' ? ['10.9.8.7'] : host === 'loop.example' ? ['127.0.0.1'] : []) });
  t.teardown(async () => {
    await h.close();
    await new Promise((done) => cards.server.close(done));
  });
  const off = await h.call('POST', '/requests', certifyRequest('c-off', { url: 'http://10.0.0.1:9000' }));
  t.equal(off.status, 403);
  t.equal(off.body.error.code, 'target_not_allowed');
  t.match(off.body.error.problems, [{ field: 'targetDetails.url' }]);
  const named = await h.call('POST', '/requests', certifyRequest('c-name', { url: 'http://agent.example:9000' }));
  t.equal(named.status, 403, 'a DNS name resolving to a forbidden address');
  t.match(named.body.error.message, /10\.9\.8\.7/);
  const backchannel = await h.call('POST', '/requests', certifyRequest('c-bc', { protocol: 'didcomm-v1', url: cards.url, backchannelUrl: 'http://10.0.0.2:1/', claims: ['trust_ping.1_0.passive'] }));
  t.equal(backchannel.status, 403);
  t.match(backchannel.body.error.problems, [{ field: 'targetDetails.backchannelUrl' }]);
  t.equal((await h.call('GET', '/requests/c-off')).status, 404, 'no job was made');
  t.same(cards.seen, [], 'the allowed host got nothing either');
  // The legal variation: a name that resolves onto the list is admitted.
  const ok = await h.call('POST', '/requests', certifyRequest('c-ok', { protocol: 'didcomm-v1', url: cards.url, backchannelUrl: cards.url.replace('127.0.0.1', 'loop.example') }));
  t.equal(ok.status, 202, 'admitted; claims are asked back');
  const asked = await h.waitFor('c-ok', ['input_required', 'error']);
  t.equal(asked.status, 'input_required');
  t.match(asked.question, /targetDetails\.claims/);
});

t.test('an Agent Card on an allowed host that names an interface off the list: refused, nothing but the card read', async (t) => {
  const cards = await startCardServer(() => ({ name: 'x', supportedInterfaces: [{ url: 'http://10.1.2.3:8080/rpc', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] }));
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await new Promise((done) => cards.server.close(done));
  });
  t.equal((await h.call('POST', '/requests', certifyRequest('c-card', { url: cards.url }))).status, 202, 'the URL itself is allowed');
  const ended = await h.waitFor('c-card', ['completed', 'error'], 30_000);
  t.equal(ended.status, 'error');
  t.match(ended.error, /Agent Card at .* names http:\/\/10\.1\.2\.3:8080\/rpc: .*not on this key's target allowlist/);
  t.ok(cards.seen.every((line) => line.startsWith('GET /.well-known/')), `only card reads: ${cards.seen.join(', ')}`);
});

t.test('certify a DIDComm agent through its backchannel (the reference agent, one junction)', async (t) => {
  const agent = await startReferenceAgent({ host: '127.0.0.1' });
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await agent.close();
  });
  const created = await h.call('POST', '/requests', certifyRequest('c-didcomm', { protocol: 'didcomm-v1', url: agent.endpoint, backchannelUrl: agent.backchannel, claims: ['trust_ping.1_0.passive'] }));
  t.equal(created.status, 202, JSON.stringify(created.body));
  const done = await h.waitFor('c-didcomm', ['completed', 'error'], 60_000);
  t.equal(done.status, 'completed', done.error);
  const result = (await h.call('GET', '/requests/c-didcomm/result')).body.result;
  t.equal(result.protocol, 'didcomm-v1');
  t.same(result.verdicts, { 'trust_ping.1_0.passive': 'interoperable' });
});

t.test('compare_profiles refusals: another key\'s request, a request that is not certify, profiles of different suites, an invalid profile', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const other = h.service.keys.add({ name: 'other', taskTypes: ['compare_profiles', 'generate_script'], targets: ['127.0.0.1/32'] });
  const asOther = (body: unknown) => fetch(`${h.service.url}/requests`, { method: 'POST', headers: { authorization: `Bearer ${other.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const didcomm = JSON.parse(await readFile(new URL('../../profiles/reference-agent.json', import.meta.url), 'utf8'));
  const a2a = JSON.parse(await readFile(new URL('../../profiles/reference-a2a-agent.json', import.meta.url), 'utf8'));
  const compare = (id: string, profiles: unknown[]) => ({ requestId: id, sourceAgentId: 'assistant', taskType: 'compare_profiles', taskDescription: 'compare', profiles });

  await h.call('POST', '/requests', { requestId: 'gen-1', sourceAgentId: 'assistant', taskType: 'generate_script', taskDescription: '2 users for 1 minute GET /', targetDetails: { url: 'http://127.0.0.1:9' } });
  await h.waitFor('gen-1', ['completed']);
  const cases: [string, unknown[], RegExp][] = [
    ['cmp-type', [{ requestId: 'gen-1' }, a2a], /profiles\[0\]\.requestId: request gen-1 is a generate_script, not a certify request/],
    ['cmp-suites', [didcomm, a2a], /different suites/],
    ['cmp-invalid', [a2a, { test_suite: 'x' }], /profiles\[1\] is neither .* valid interop profile: .*profile/],
    ['cmp-missing', [{ requestId: 'nope' }, a2a], /profiles\[0\]\.requestId: no request nope/],
  ];
  for (const [id, profiles, error] of cases) {
    t.equal((await h.call('POST', '/requests', compare(id, profiles))).status, 202);
    const ended = await h.waitFor(id, ['completed', 'error']);
    t.equal(ended.status, 'error', id);
    t.match(ended.error, error, id);
  }
  // Another key cannot read this key's request through a comparison.
  t.equal((await asOther(compare('cmp-other', [{ requestId: 'gen-1' }, a2a]))).status, 202);
  const statusAsOther = async () => (await fetch(`${h.service.url}/requests/cmp-other`, { headers: { authorization: `Bearer ${other.key}` } })).json();
  let final = await statusAsOther();
  for (let i = 0; i < 200 && !['error', 'completed'].includes(final.status); i++) {
    await new Promise((done) => setTimeout(done, 50));
    final = await statusAsOther();
  }
  t.equal(final.status, 'error');
  t.match(final.error, /no request gen-1/, 'as if it did not exist');
  // The legal variation: two profiles of the same suite compare.
  t.equal((await h.call('POST', '/requests', compare('cmp-ok', [a2a, a2a]))).status, 202);
  t.equal((await h.waitFor('cmp-ok', ['completed', 'error'])).status, 'completed');
});

t.test('certify over A2A from a plain-text message: the profile and the report as artifacts', async (t) => {
  const agent = await startReferenceA2aAgent({ minimal: true, host: '127.0.0.1', port: 0 });
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    await agent.close();
  });
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${h.key}`);
    return fetch(input, { ...init, headers });
  };
  const client = await new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl })] })).createFromUrl(h.service.url);
  const artifacts: { name: string; parts: { content: { $case: string; value: unknown } }[] }[] = [];
  let last = 0;
  const message = { message: { messageId: 'cert-a2a', role: 'ROLE_USER', parts: [{ content: { $case: 'text', value: `Certify the A2A agent at ${agent.endpoint}` } }] } } as unknown as Parameters<typeof client.sendMessageStream>[0];
  for await (const event of client.sendMessageStream(message)) {
    const p = event.payload as { $case?: string; value: { status?: { state: number }; artifact?: (typeof artifacts)[number] } } | undefined;
    if (p?.$case === 'statusUpdate' || p?.$case === 'task') last = p.value.status!.state;
    if (p?.$case === 'artifactUpdate') artifacts.push(p.value.artifact!);
  }
  t.equal(last, 3, 'completed');
  t.same(artifacts.map((a) => a.name).sort(), ['profile.json', 'report.txt', 'result.json']);
  const profile = artifacts.find((a) => a.name === 'profile.json')!.parts[0]!.content.value as { profile: Record<string, string> };
  t.ok(Object.keys(profile.profile).length >= 4, `junctions: ${Object.keys(profile.profile).join(', ')}`);
});

t.test('DELETE cancels a running certification: agtest run is stopped, and with it the backchannel traffic', async (t) => {
  const agent = await startReferenceAgent({ host: '127.0.0.1' });
  // A counting proxy in front of the agent's backchannel: every agact call of the run passes here.
  let calls = 0;
  const proxy = createServer((req, res) => {
    calls += 1;
    const upstream = new URL(req.url ?? '/', agent.backchannel);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      fetch(upstream, { method: req.method ?? 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') }, ...(body ? { body } : {}) })
        .then(async (answer) => res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(await answer.text()))
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  const h = await startHarness();
  t.teardown(async () => {
    await h.close();
    proxy.closeAllConnections();
    await new Promise((done) => proxy.close(done));
    await agent.close();
  });
  const claims = ['trust_ping.1_0.passive', 'trust_ping.1_0.active', 'basicmessage.1_0.passive', 'basicmessage.1_0.active', 'discover_features.1_0.passive', 'discover_features.1_0.active', 'didexchange.1_1.passive', 'didexchange.1_1.active'];
  const backchannelUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${new URL(agent.backchannel).pathname}`;
  t.equal((await h.call('POST', '/requests', certifyRequest('c-cancel', { protocol: 'didcomm-v1', url: agent.endpoint, backchannelUrl, claims }))).status, 202);
  const end = Date.now() + 30_000;
  while (calls < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  t.ok(calls >= 3, `the run is under way (${calls} backchannel calls)`);
  const cancelled = await h.call('DELETE', '/requests/c-cancel');
  t.equal(cancelled.body.status, 'cancelled');
  await new Promise((r) => setTimeout(r, 1500));
  const settled = calls;
  await new Promise((r) => setTimeout(r, 2000));
  t.equal(calls, settled, `no backchannel call after the cancel settled (${settled} in all)`);
  t.equal((await h.call('GET', '/requests/c-cancel')).body.status, 'cancelled');
});
