// DNS rebinding against load over https (issue 19's target allowlist): the load must connect to the
// addresses the allowlist check saw, while TLS keeps the name (SNI, certificate check). The name is
// `localhost`: the service's resolver (the check's answer) says 127.0.0.2, on the list; the
// system's resolver, which a connection that looks the name up again would ask, says 127.0.0.1 /
// ::1, off the list, where a "forbidden" TLS server with the same certificate counts what reaches
// it. The service runs in a child process started with NODE_EXTRA_CA_CERTS (a fresh self-signed
// certificate made by openssl): Node 20 reads the extra CAs only when a process starts.
import { once } from 'node:events';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import t from 'tap';

const ALLOWED = '127.0.0.2';
const child = fileURLToPath(new URL('./fixtures/serve-child.mjs', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field
type Json = any;

/** A TLS server answering 200, except /hop: a 302 to the same name's /stolen (a fresh lookup would go off the list). */
function tlsServer(tls: { key: Buffer; cert: Buffer }, got: string[]): Server {
  return createServer(tls, (req, res) => {
    got.push(req.url ?? '');
    if (req.url === '/hop') return res.writeHead(302, { location: `https://localhost:${(req.socket.address() as AddressInfo).port}/stolen` }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

const allowedGot: string[] = [];
const forbiddenGot: string[] = [];
let port = 0;
let forbiddenCount = 0;
let url = '';
let key = '';
let rebound: Json;
let literal: Json;
let wrongName: Json;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: await response.json() };
}

/** Submits an execute_test of 1 s, 2 users, against `target` with these paths; resolves to its final status. */
async function load(requestId: string, target: string, paths: string[]): Promise<Json> {
  const created = await call('POST', '/requests', {
    requestId,
    sourceAgentId: 'a',
    taskType: 'execute_test',
    taskDescription: 'https load',
    targetDetails: { url: target, apiEndpoints: paths.map((path) => ({ method: 'GET', path })) },
    performanceParameters: { virtualUsers: 2, durationSeconds: 1, rampUpSeconds: 0, thinkTimeMillis: 50 },
  });
  if (created.status !== 202) return { status: `refused ${created.status}`, error: JSON.stringify(created.body) };
  const end = Date.now() + 20_000;
  for (;;) {
    const { body } = await call('GET', `/requests/${requestId}`);
    if (['completed', 'error'].includes(body.status)) return body.status === 'completed' ? { ...body, result: (await call('GET', `/requests/${requestId}/result`)).body.result } : body;
    if (Date.now() > end) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agtest-https-pin-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // The certificate names localhost and 127.0.0.2, not wrong.test: a check against the address
  // instead of the name would accept a connection to wrong.test pinned to 127.0.0.2.
  await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=agtest test', '-addext', `subjectAltName=DNS:localhost,IP:${ALLOWED}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  const tls = { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) };
  const allowed = tlsServer(tls, allowedGot);
  allowed.listen(0, ALLOWED);
  await once(allowed, 'listening');
  port = (allowed.address() as AddressInfo).port;
  const forbidden: Server[] = [];
  for (const host of ['127.0.0.1', '::1']) {
    const server = tlsServer(tls, forbiddenGot);
    const listening = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, host, () => done(true));
    });
    if (listening) forbidden.push(server);
  }
  forbiddenCount = forbidden.length;
  t.teardown(() => Promise.all([allowed, ...forbidden].map((s) => new Promise((done) => s.close(done)))));

  const service = execa(process.execPath, [child, join(dir, 'serve.db'), JSON.stringify({ resolve: { localhost: [ALLOWED], 'wrong.test': [ALLOWED] }, targets: [`${ALLOWED}/32`] })], { env: { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, stdin: 'pipe', reject: false });
  t.teardown(async () => {
    service.kill();
    await service;
  });
  const [line] = (await once(service.stdout!, 'data')) as [Buffer];
  ({ url, key } = JSON.parse(line.toString()) as { url: string; key: string });
  // Three jobs at once (two run at a time), each on its own paths.
  [rebound, literal, wrongName] = await Promise.all([
    load('https-rebind', `https://localhost:${port}`, ['/rebind', '/hop']),
    load('https-literal', `https://${ALLOWED}:${port}`, ['/literal']),
    load('https-wrong-name', `https://wrong.test:${port}`, ['/wrong']),
  ]);
});

t.test('a name re-pointed after the check: the https load goes to the checked address only, redirects not followed', async (t) => {
  t.ok(forbiddenCount > 0, `the forbidden server listens (${forbiddenCount} of 127.0.0.1, ::1)`);
  t.equal(rebound.status, 'completed', rebound.error);
  const summary = rebound.result.summary;
  const step = (name: string) => summary.steps.find((s: { name: string }) => s.name === name);
  t.ok(step('GET /rebind').ok > 0 && step('GET /rebind').errors === 0, `GET /rebind: ${step('GET /rebind').ok} ok over TLS to the checked address`);
  t.ok(step('GET /hop').errors > 0 && step('GET /hop').ok === 0, 'GET /hop: the 302 is an error of the run, not followed');
  t.match(summary.errorsByClass, [{ class: 'http-status', example: /302/ }]);
  t.ok(allowedGot.filter((p) => p === '/rebind').length === step('GET /rebind').ok, 'every /rebind request arrived at the allowed server');
  t.notOk(allowedGot.includes('/stolen'), 'the redirect target was not requested here either');
  t.same(forbiddenGot, [], 'nothing reached the address a second lookup gives');
  t.equal(rebound.result.report.config.http.url, `https://localhost:${port}`, 'the URL keeps the name (SNI and certificate check on it)');
});

t.test('legal variation: an https target on the allowlist (an address literal) runs normally', async (t) => {
  t.equal(literal.status, 'completed', literal.error);
  t.ok(literal.result.summary.requests > 0 && literal.result.summary.errors === 0, `${literal.result.summary.requests} requests, no errors`);
  t.equal(allowedGot.filter((p) => p === '/literal').length, literal.result.summary.steps.find((s: { name: string }) => s.name === 'GET /literal').ok, 'all of them arrived');
});

t.test('the certificate is checked against the name, not the pinned address', async (t) => {
  t.equal(wrongName.status, 'completed', wrongName.error);
  const summary = wrongName.result.summary;
  t.ok(summary.errors > 0 && summary.steps.find((s: { name: string }) => s.name === 'GET /wrong').ok === 0, `every request failed (${summary.errors} errors)`);
  t.match(summary.errorsByClass[0]?.example, /Host: wrong\.test\. is not in the cert's altnames/, 'for the certificate, which does not name wrong.test (checked on the name, though 127.0.0.2 is in it)');
  t.notOk(allowedGot.includes('/wrong'), 'no request was sent over the unverified connection');
  t.same(forbiddenGot, [], 'and nothing reached the forbidden address');
});

t.test('an endpoint path that leads to another origin (//host/…) is refused before any traffic', async (t) => {
  const created = await call('POST', '/requests', {
    requestId: 'https-off-origin',
    sourceAgentId: 'a',
    taskType: 'execute_test',
    taskDescription: 'https load',
    targetDetails: { url: `https://localhost:${port}`, apiEndpoints: [{ method: 'GET', path: '/ok' }, { method: 'GET', path: `//127.0.0.1:${port}/stolen` }] },
    performanceParameters: { virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0 },
  });
  t.equal(created.status, 403, 'refused at submission');
  t.match(created.body.error.problems, [{ field: 'targetDetails.apiEndpoints', message: /GET \/\/127\.0\.0\.1:\d+\/stolen leads to https:\/\/127\.0\.0\.1:\d+, not to the target https:\/\/localhost:\d+/ }], 'the reason names the endpoint and where it leads');
  const variant = await call('POST', '/requests', {
    requestId: 'https-off-origin-backslash',
    sourceAgentId: 'a',
    taskType: 'execute_test',
    taskDescription: 'https load',
    targetDetails: { url: `https://localhost:${port}`, apiEndpoints: [{ method: 'GET', path: `/\\127.0.0.1:${port}/stolen` }] },
    performanceParameters: { virtualUsers: 1, durationSeconds: 1, rampUpSeconds: 0 },
  });
  t.equal(variant.status, 403, 'the backslash form too');
  t.same(forbiddenGot, [], 'nothing reached the forbidden address');
});
