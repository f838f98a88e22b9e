// certify against a DIDComm agent whose invitations and DID documents name an endpoint off the
// key's allowlist (issue 19's target allowlist): the built-in reference agent listens on 127.0.0.2
// (allowed) but advertises http://127.0.0.1:P/ (its publicUrl: the invitation's serviceEndpoint,
// the invitation URL and its did:peer:2 services), where a "forbidden" server counts what reaches
// it. The run must send nothing there, and the result must say which endpoint was left alone.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createPeerDid2 } from '../../envelopes/index.js';
import { startReferenceAgent } from '../../reference-agent/index.js';
import { namedEndpoints, offListEndpoints } from '../../serve/index.js';
import { startHarness } from './helpers.js';

const ALLOWED = '127.0.0.2';
const CLAIMS = ['didexchange.1_1.passive'];

async function startForbidden(): Promise<{ server: Server; url: string; got: string[] }> {
  const got: string[] = [];
  const server = createServer((req, res) => {
    got.push(`${req.method} ${req.url}`);
    res.writeHead(202).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, got };
}

const certify = (id: string, agent: { endpoint: string; backchannel: string }) => ({ requestId: id, sourceAgentId: 'assistant', taskType: 'certify', taskDescription: 'Certify this agent', targetDetails: { protocol: 'didcomm-v1', url: agent.endpoint, backchannelUrl: agent.backchannel, claims: CLAIMS } });

// Both agents certified side by side (the service runs two jobs at a time), by one key allowing 127.0.0.2 only.
const forbidden = await startForbidden();
const offAgent = await startReferenceAgent({ host: ALLOWED, publicUrl: forbidden.url });
const onAgent = await startReferenceAgent({ host: ALLOWED });
const h = await startHarness({ key: { targets: [`${ALLOWED}/32`] } });
t.teardown(async () => {
  await h.close();
  await Promise.all([offAgent.close(), onAgent.close(), new Promise((done) => forbidden.server.close(done))]);
});
const submitted = await Promise.all([h.call('POST', '/requests', certify('c-off-endpoint', offAgent)), h.call('POST', '/requests', certify('c-on-endpoint', onAgent))]);
const [offDone, onDone] = await Promise.all(['c-off-endpoint', 'c-on-endpoint'].map((id) => h.waitFor(id, ['completed', 'error'], 60_000)));

t.test('an agent whose invitations name an endpoint off the allowlist: nothing reaches it, and the result names it', async (t) => {
  t.equal(submitted[0]!.status, 202, 'the agent and its backchannel are on the list');
  t.equal(offDone.status, 'completed', offDone.error);
  const result = (await h.call('GET', '/requests/c-off-endpoint/result')).body.result;
  t.same(result.verdicts, Object.fromEntries(CLAIMS.map((claim) => [claim, 'interoperable'])), 'the suites ran against the agent at targetDetails.url');
  t.same(forbidden.got, [], 'nothing reached the endpoint its invitations and DID documents name');
  t.match(result.offListEndpoints, [{ endpoint: forbidden.url, reason: /127\.0\.0\.1.*not on this key's target allowlist/ }], 'the result names the endpoint and why it was not contacted');
  t.match(result.notes, [new RegExp(`${forbidden.url.replace(/[.:/]/g, '\\$&')}.*not contacted`)]);
});

t.test('legal variation: an agent that advertises where it listens (on the list) certifies, with nothing off the list named', async (t) => {
  t.equal(submitted[1]!.status, 202);
  t.equal(onDone.status, 'completed', onDone.error);
  const result = (await h.call('GET', '/requests/c-on-endpoint/result')).body.result;
  t.same(result.verdicts, Object.fromEntries(CLAIMS.map((claim) => [claim, 'interoperable'])));
  t.same(result.offListEndpoints, [], 'no endpoint off the list');
  t.same(result.notes, []);
});

t.test('what the agent named is read from its side only: did:peer services, attached DID documents, invitation URLs; not agtest\'s own endpoint', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-named-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'a-test'));
  const verkey = '4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS';
  const invitation = { '@type': 'https://didcomm.org/out-of-band/1.1/invitation', services: [{ serviceEndpoint: 'wss://10.0.0.3/ws' }] };
  const doc = { service: [{ type: 'did-communication', serviceEndpoint: 'http://agent.example:8080/' }] };
  await writeFile(join(dir, 'a-test', 'transcript.json'), JSON.stringify([
    { kind: 'agact', action: 'setup', params: { endpoint: 'http://127.0.0.1:9/' }, output: {} },
    { kind: 'agact', action: 'create-invitation', params: {}, output: { invitation_url: `http://127.0.0.2:1/?oob=${Buffer.from(JSON.stringify(invitation)).toString('base64url')}` } },
  ]));
  await writeFile(join(dir, 'a-test', '02-received-000001--x.dee.plaintext.json'), JSON.stringify({ did: createPeerDid2(verkey, 'http://10.0.0.1:7000/'), 'did_doc~attach': { data: { base64: Buffer.from(JSON.stringify(doc)).toString('base64') } } }));
  await writeFile(join(dir, 'a-test', '01-sent-000001--y.dee.plaintext.json'), JSON.stringify({ did: createPeerDid2(verkey, 'http://127.0.0.1:9/') }));
  const named = await namedEndpoints(dir);
  t.same(named.sort(), ['http://10.0.0.1:7000/', 'http://agent.example:8080/', 'wss://10.0.0.3/ws'], 'the did:peer:2 service, the attached document, the invitation inside the URL; agtest\'s own (sent, setup) left out');
  const off = await offListEndpoints(named, ['10.0.0.0/24'], async (host) => (host === 'agent.example' ? ['192.0.2.1'] : []));
  t.same(off.map((o) => o.endpoint), ['http://agent.example:8080/'], 'judged by address: a name resolving off the list is off; ws(s) judged as http(s)');
  t.match(off[0]!.reason, /192\.0\.2\.1, not on this key's target allowlist/);
});
