// agtest certifies `agtest serve` as an A2A agent: every junction its card claims must be
// interoperable. The service requires its API key as a bearer token (its card declares it), so
// the run gives it with agtest's own credentials option (agent.headers, what --a2a-header and
// --a2a-header-env set); without it the same run is blocked for credentials, never failed.
import t from 'tap';
import { a2aAgentConfig, run } from '../../agtest/index.js';
import { verdictOf } from '../../profiles/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';
import { startHarness } from './helpers.js';

const h = await startHarness();
t.teardown(() => h.close());

t.test('agtest run --a2a with the key as --a2a-header certifies agtest serve: every claimed junction interoperable (streaming and push included), v1.0 and v0.3', async (t) => {
  const started = Date.now();
  const config = a2aAgentConfig(h.service.url);
  const summary = await withTempDir((outDir) => run({ config: { ...config, agent: { ...config.agent, headers: { Authorization: `Bearer ${h.key}` } }, timeouts: FAST_TIMEOUTS }, outDir }));
  const failed = summary.results.filter((r) => r.status === 'fail' || r.status === 'blocked').map((r) => [r.test, r.reason]);
  t.comment(`certified in ${Date.now() - started} ms; scores ${JSON.stringify(summary.profile.profile)}`);
  t.same(failed, [], 'no check fails, none is blocked');
  t.equal(summary.exitCode, 0);
  const junctions = Object.keys(summary.profile.profile);
  t.ok(junctions.length >= 8, `junctions scored: ${junctions.join(', ')}`);
  for (const [junction, score] of Object.entries(summary.profile.profile)) t.equal(verdictOf(score), 'interoperable', `${junction} interoperable`);
  t.ok(junctions.includes('a2a.v1_0.streaming.passive') && junctions.includes('a2a.v0_3.streaming.passive'), 'streaming is claimed and certified');
  t.ok(junctions.includes('a2a.v1_0.push.passive') && junctions.includes('a2a.v0_3.push.passive'), 'push notifications are claimed and certified, in both versions\' forms');
});

t.test('without the key: refused with 401 before any JSON-RPC, and agtest blocks for credentials instead of blaming the agent (exit 1)', async (t) => {
  const response = await fetch(`${h.service.url}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'message/send', params: { message: { kind: 'message', messageId: 'm', role: 'user', parts: [{ kind: 'text', text: 'hi' }] } } }) });
  t.equal(response.status, 401);
  const summary = await withTempDir((outDir) => run({ config: { ...a2aAgentConfig(h.service.url), timeouts: FAST_TIMEOUTS }, outDir }));
  t.same(summary.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => [r.test, r.reason]), [], 'nothing fails');
  const blocked = summary.results.filter((r) => r.status === 'blocked');
  t.ok(blocked.length > 50 && blocked.every((r) => r.blockedBy === 'credentials'), `${blocked.length} tests blocked for credentials`);
  t.match(summary.results.find((r) => r.test === 'a2a.v1_0.card.passive.access')?.reason, /^the agent requires credentials \(card security: apiKey, http bearer\) and refused agtest's GetTask call with HTTP 401 .*give them with --a2a-header/);
  t.equal(summary.exitCode, 1);
});
