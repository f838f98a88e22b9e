import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { planLoad, runLoad, runReceiveCommand } from '../../load/index.js';
import { startReferenceAgent, type RunningReferenceAgent } from '../../reference-agent/index.js';
import { createKeyPairSync, loadCrypto, verkeyToDidKey } from '../../envelopes/index.js';
import { runCli } from '../helpers/cli.js';

/** runReceiveCommand, what `agtest receive` runs, in-process (one real CLI test is enough for the wiring). */
async function receiveInProcess(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runReceiveCommand(args, { write: (chunk: string) => ((stdout += chunk), true) } as unknown as NodeJS.WritableStream, { write: (chunk: string) => ((stderr += chunk), true) } as unknown as NodeJS.WritableStream);
  return { exitCode, stdout, stderr };
}

async function invitationUrl(agent: RunningReferenceAgent): Promise<string> {
  const response = await fetch(agent.backchannel, { method: 'POST', body: JSON.stringify({ action: 'create-invitation', params: {} }) });
  return ((await response.json()) as { invitation_url: string }).invitation_url;
}

t.test('agtest receive: accepts an invitation over WebSocket, prints one JSON outcome line, exits 0; --events adds the step lines', async (t) => {
  const agent = await startReferenceAgent({ transport: 'ws' });
  t.teardown(() => agent.close());
  const ok = await runCli(['receive', await invitationUrl(agent)]);
  t.equal(ok.exitCode, 0, ok.stderr);
  const lines = ok.stdout.trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.match(JSON.parse(lines[0]!), { ok: true, endpoint: agent.endpoint, their_did: /^did:peer:2\./, ms: { connect: Number, flow: Number, total: Number } });
  const events = await runCli(['receive', await invitationUrl(agent), '--events', '--flow', 'ping']);
  t.equal(events.exitCode, 0, events.stderr);
  t.same(events.stdout.trim().split('\n').slice(0, 2).map((line) => JSON.parse(line)), [{ event: 'started' }, { event: 'connected' }]);
});

t.test('agtest receive: an agent whose DID exchange response is not signed by the invitation key fails the receiver (exit 1, protocol), naming it', async (t) => {
  const agent = await startReferenceAgent({ transport: 'http', faults: ['dx-rotate-wrong-key'] });
  t.teardown(() => agent.close());
  const bad = await receiveInProcess([await invitationUrl(agent)]);
  t.equal(bad.exitCode, 1);
  t.match(JSON.parse(bad.stdout.trim()), { ok: false, step: 'connect', error_class: 'protocol', message: /did_rotate~attach is not signed by the invitation key/ });
  const usage = await runCli(['receive', 'https://example.test/?oob=x', '--flow', 'dance']);
  t.equal(usage.exitCode, 2, 'bad usage exits 2 through the real CLI');
  t.match(usage.stderr, /--flow steps are ping, message; unknown: dance/);
});

t.test("oob-flow against a running agent: the seed's HTTP invite with the URL at a configured JSON path; a wrong path is a protocol error", async (t) => {
  const agent = await startReferenceAgent({ transport: 'ws' });
  t.teardown(() => agent.close());
  // An agent API that wraps the invitation in its own answer, as issuer APIs do.
  const api = createServer((request, response) => {
    request.resume();
    void invitationUrl(agent).then((url) => response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { invitations: [{ url }] } })));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => api.close(() => resolve())));
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/message`;
  const run = async (path: string) => {
    const plan = planLoad({ scenario: 'oob-flow', 'oob-flow': { invite: { http: { url: base, body: { goal: 'connect' }, invitation_url_path: path } } }, load: { vus: 2, iterations: 6 } });
    t.same(plan.scenario.targets?.(), [base]);
    return runLoad({ scenario: plan.scenario, model: plan.model, iterations: 6, timeoutMs: plan.timeoutMs, health: plan.health });
  };
  const good = await run('result.invitations[0].url');
  t.equal(good.recorder.counters.ok, 6, JSON.stringify([...good.recorder.errors]));
  const wrong = await run('result.invitation.url');
  t.equal(wrong.recorder.counters.ok, 0);
  t.match([...wrong.recorder.errors.entries()], [['protocol', { count: 6, examples: [{ message: /POST .*\/message: the answer has no string at result\.invitation\.url/ }] }]]);
  const remote = planLoad({ scenario: 'oob-flow', 'oob-flow': { invite: { http: { url: 'http://10.1.2.3/x' } } }, load: { vus: 1, iterations: 1 } });
  await t.rejects(runLoad({ scenario: remote.scenario, model: remote.model, iterations: 1, timeoutMs: 1000 }), { code: 'AGTEST_LOAD_REMOTE_TARGET', message: /not loopback: http:\/\/10\.1\.2\.3\/x/ }, 'a remote invite URL is refused before any load');
});

t.test('an invitation that sends receivers to a non-loopback endpoint ends the run before any connection (exit 2 in the CLI), unless remote targets are allowed', async (t) => {
  await loadCrypto();
  const invitation = { '@type': 'https://didcomm.org/out-of-band/1.1/invitation', '@id': 'remote-1', handshake_protocols: ['https://didcomm.org/didexchange/1.1'], services: [{ id: '#inline', type: 'did-communication', recipientKeys: [verkeyToDidKey(createKeyPairSync().verkey)], serviceEndpoint: 'ws://10.255.255.1:1/' }] };
  const url = `https://agent.example/?oob=${Buffer.from(JSON.stringify(invitation)).toString('base64url')}`;
  const api = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ invitation_url: url })));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => api.close(() => resolve())));
  const plan = planLoad({ scenario: 'oob-flow', 'oob-flow': { invite: { http: { url: `http://127.0.0.1:${(api.address() as AddressInfo).port}/` } } }, load: { vus: 2, iterations: 20 } });
  const result = await runLoad({ scenario: plan.scenario, model: plan.model, iterations: 20, timeoutMs: 5000 });
  t.match(result.stoppedEarly, /the invitation's endpoint ws:\/\/10\.255\.255\.1:1\/ is not loopback: load goes to loopback only unless you allow remote targets/);
  t.equal(result.recorder.steps.get('connect')?.latency.ok.totalCount ?? 0, 0, 'no connection was attempted');
  t.ok(result.recorder.counters.started <= 2, 'the run stopped at the first invitation');
});

t.test('an invitation with an HTTP and a WebSocket service: the receiver takes WebSocket by default, HTTP with --transport http', async (t) => {
  const agent = await startReferenceAgent({ transport: 'ws' });
  t.teardown(() => agent.close());
  const url = await invitationUrl(agent);
  const invitation = JSON.parse(Buffer.from(/[?&]oob=([^&#]+)/.exec(url)![1]!, 'base64url').toString('utf8')) as { services: Record<string, unknown>[] };
  // The HTTP service first, on a port nothing listens on: taking it shows as refused.
  invitation.services = [{ ...invitation.services[0], id: '#http', serviceEndpoint: 'http://127.0.0.1:1/' }, ...invitation.services];
  const both = `https://agent.example/?oob=${Buffer.from(JSON.stringify(invitation)).toString('base64url')}`;
  const ws = await receiveInProcess([both]);
  t.equal(ws.exitCode, 0, ws.stdout);
  t.match(JSON.parse(ws.stdout.trim()), { ok: true, endpoint: agent.endpoint });
  const http = await receiveInProcess([both, '--transport', 'http']);
  t.equal(http.exitCode, 1);
  t.match(JSON.parse(http.stdout.trim()), { ok: false, endpoint: 'http://127.0.0.1:1/', step: 'connect', error_class: 'refused' });
});
