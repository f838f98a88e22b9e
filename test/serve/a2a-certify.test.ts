// agtest certifies `agtest serve` as an A2A agent: every junction its card claims must be
// interoperable. agtest's A2A adapter sends no credentials of its own, so the run goes through a
// loopback gateway that adds the caller's API key (as an API gateway in front of the service
// would); the service's card names the gateway (publicUrl). Without the gateway the same calls
// are refused (401), which the last test shows.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { a2aAgentConfig, run } from '../../agtest/index.js';
import { verdictOf } from '../../profiles/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';
import { startHarness } from './helpers.js';

async function startGateway(): Promise<{ server: Server; url: string; point(target: string, key: string): void }> {
  let target = '';
  let key = '';
  const server = createServer((req, res) => {
    const upstream = new URL(req.url ?? '/', target);
    const forward = httpRequest(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host, authorization: `Bearer ${key}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    point(to, withKey) {
      target = to;
      key = withKey;
    },
  };
}

t.test('agtest run --a2a certifies agtest serve: every claimed junction interoperable (streaming and push included), v1.0 and v0.3', async (t) => {
  const gateway = await startGateway();
  const h = await startHarness({ publicUrl: gateway.url });
  gateway.point(h.service.url, h.key);
  t.teardown(async () => {
    await h.close();
    gateway.server.closeAllConnections();
    await new Promise((done) => gateway.server.close(done));
  });
  const started = Date.now();
  const summary = await withTempDir((outDir) => run({ config: { ...a2aAgentConfig(gateway.url), timeouts: FAST_TIMEOUTS }, outDir }));
  const failed = summary.results.filter((r) => r.status === 'fail').map((r) => [r.test, r.reason]);
  t.comment(`certified in ${Date.now() - started} ms; scores ${JSON.stringify(summary.profile.profile)}`);
  t.same(failed, [], 'no check fails');
  t.equal(summary.exitCode, 0);
  const junctions = Object.keys(summary.profile.profile);
  t.ok(junctions.length >= 8, `junctions scored: ${junctions.join(', ')}`);
  for (const [junction, score] of Object.entries(summary.profile.profile)) t.equal(verdictOf(score), 'interoperable', `${junction} interoperable`);
  t.ok(junctions.includes('a2a.v1_0.streaming.passive') && junctions.includes('a2a.v0_3.streaming.passive'), 'streaming is claimed and certified');
  t.ok(junctions.includes('a2a.v1_0.push.passive') && junctions.includes('a2a.v0_3.push.passive'), 'push notifications are claimed and certified, in both versions\' forms');
});

t.test('the same endpoint without the key: refused with 401 before any JSON-RPC', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const response = await fetch(`${h.service.url}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'message/send', params: { message: { kind: 'message', messageId: 'm', role: 'user', parts: [{ kind: 'text', text: 'hi' }] } } }) });
  t.equal(response.status, 401);
});
