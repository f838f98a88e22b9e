// An A2A server written from the specification text (fixtures/spec-agent.mjs, no code shared with
// the reference agent or any SDK), certified with each of its switches: a deviation gets exactly
// its verdict (fail, warning or blocked), a legal variation is interoperable.
import t from 'tap';
import { verdictOf } from '../../profiles/index.js';
import { ALL_TESTS, certify, failures, result, warned } from './spec-agent-run.js';

t.test('legal: both versions, errors with HTTP 200: every claimed junction interoperable, no warning', async (t) => {
  const summary = await certify([]);
  t.same(failures(summary), [], 'nothing fails');
  t.equal(summary.exitCode, 0);
  t.same(warned(summary), [], 'no warning');
  t.same(summary.findings, [], 'no findings');
  for (const version of ['a2a.v1_0', 'a2a.v0_3']) {
    for (const cluster of ['card', 'jsonrpc', 'message', 'tasks']) t.equal(verdictOf(summary.profile.profile[`${version}.${cluster}.passive`]), 'interoperable', `${version}.${cluster}`);
  }
  t.equal(result(summary, 'a2a.v1_0.message.passive.terminal-task-refused')?.status, 'pass', 'a message to a completed task is refused, and that is checked');
});

t.test('legal: every JSON-RPC error answered with HTTP 400 (no text fixes the status): interoperable, no warning', async (t) => {
  const summary = await certify(['--error-status', '400']);
  t.same(failures(summary), [], 'nothing fails');
  t.equal(summary.exitCode, 0);
  t.same(warned(summary), [], 'no warning');
  t.equal(result(summary, 'a2a.v1_0.jsonrpc.passive.method-not-found')?.status, 'pass');
  t.equal(result(summary, 'a2a.v0_3.tasks.passive.get-unknown')?.status, 'pass');
});

t.test('legal: the card only at another path, given by its URL (direct configuration): interoperable, the card used for everything', async (t) => {
  const summary = await certify(['--card-at', 'other'], ['a2a.v1_0.card', 'a2a.v1_0.jsonrpc', 'a2a.v0_3.card', 'a2a.v0_3.message']);
  t.same(failures(summary), [], 'nothing fails');
  t.equal(summary.exitCode, 0);
  t.same(warned(summary), [], 'no warning');
  t.equal(result(summary, 'a2a.v1_0.jsonrpc.passive.parse-error')?.status, 'pass', 'the JSON-RPC tests reached the interface the card names');
});

t.test('legal: ListTasks pages of at most one task whatever pageSize asks ("may return fewer"): every list test passes by walking nextPageToken', async (t) => {
  const summary = await certify(['--versions', '1.0', '--page-cap', '1'], ['a2a.v1_0.card', 'a2a.v1_0.tasks']);
  t.same(failures(summary), [], 'nothing fails');
  t.equal(summary.exitCode, 0);
  t.same(warned(summary), [], 'no warning');
  for (const name of ['list', 'list-pagination', 'list-default-page-size', 'list-filters', 'list-order', 'list-history-length', 'list-artifacts', 'list-invalid-params']) {
    t.equal(result(summary, `a2a.v1_0.tasks.passive.${name}`)?.status, 'pass', `${name} passes`);
  }
});

t.test('deviation: the card only at the legacy /.well-known/agent.json: a warning (v0.3 SHOULD, v1.0 policy), the card still used', async (t) => {
  const summary = await certify(['--card-at', 'legacy'], ['a2a.v1_0.card', 'a2a.v1_0.tasks.passive.get-unknown', 'a2a.v0_3.card', 'a2a.v0_3.message.passive.blocking']);
  t.same(failures(summary), [], 'nothing fails');
  t.equal(summary.exitCode, 0);
  t.same(warned(summary), ['a2a.v0_3.card.passive.served', 'a2a.v1_0.card.passive.served']);
  t.match(result(summary, 'a2a.v0_3.card.passive.served')?.warnings.join(' '), /only at \/\.well-known\/agent\.json, the A2A v0\.2 path.*\[SHOULD, A2A v0\.3 §5\.3/);
  t.match(result(summary, 'a2a.v1_0.card.passive.served')?.warnings.join(' '), /only at \/\.well-known\/agent\.json.*\[policy, /);
  t.equal(result(summary, 'a2a.v0_3.message.passive.blocking')?.status, 'pass');
});

t.test('deviation: A2A-specific codes replaced by -32000 on the 0.3 interface (v0.3 §8.2 SHOULD): warnings, no failure', async (t) => {
  const summary = await certify(['--versions', '0.3', '--generic-codes'], ['a2a.v0_3.jsonrpc', 'a2a.v0_3.tasks', 'a2a.v0_3.message.passive.terminal-task-refused']);
  t.same(failures(summary), [], 'nothing fails');
  t.equal(summary.exitCode, 0);
  t.same(warned(summary), [
    'a2a.v0_3.jsonrpc.passive.extended-card-unclaimed-refused',
    'a2a.v0_3.jsonrpc.passive.push-unclaimed-refused',
    'a2a.v0_3.jsonrpc.passive.streaming-unclaimed-refused',
    'a2a.v0_3.tasks.passive.cancel-unknown',
    'a2a.v0_3.tasks.passive.get-unknown',
    'a2a.v0_3.tasks.passive.not-cancelable',
  ]);
  t.match(result(summary, 'a2a.v0_3.tasks.passive.get-unknown')?.warnings.join(' '), /expected error -32001, got -32000 .*\[SHOULD, A2A v0\.3 §8\.2/);
  t.equal(result(summary, 'a2a.v0_3.message.passive.terminal-task-refused')?.status, 'pass', 'v0.3 names no code for it: any error will do');
  t.notOk(Object.keys(summary.profile.profile).some((junction) => junction.startsWith('a2a.v1_0.')), 'the card declares only 0.3: no v1.0 junction');
});

t.test('deviation: a 0.3 card without its required protocolVersion: required-fields fails once, every other 0.3 test is blocked, v1.0 not-run', async (t) => {
  const summary = await certify(['--versions', '0.3', '--card', 'no-protocol-version']);
  t.same(failures(summary), [`a2a.v0_3.card.passive.required-fields: the agent card breaks 0.3's AgentCard: protocolVersion is missing [MUST, A2A v0.3 §5.5 AgentCard object structure (AgentCard and AgentSkill required members)]`]);
  t.not(summary.exitCode, 0, 'a run with an invalid card does not exit 0');
  const v03 = ALL_TESTS.filter((name) => name.startsWith('a2a.v0_3.') && !name.startsWith('a2a.v0_3.card.'));
  for (const test of v03) {
    const r = result(summary, test);
    t.equal(r?.status, 'blocked', `${test} is blocked`);
    t.equal(r?.blockedBy, 'a2a.v0_3.card.passive.required-fields');
  }
  t.match(result(summary, 'a2a.v0_3.tasks.passive.get')?.reason, /not a valid A2A 0\.3 card \(protocolVersion is missing\)/);
  t.ok(summary.results.filter((r) => r.test.startsWith('a2a.v1_0.')).every((r) => r.status === 'not-run'), 'the card declares no 1.0: v1.0 is not-run');
  t.match(result(summary, 'a2a.v1_0.message.passive.blocking')?.reason, /declares A2A 0\.3, not A2A 1\.0/);
});

t.test('deviation: the card is {}: required-fields fails in each version, everything else is blocked, exit non-zero', async (t) => {
  const summary = await certify(['--card', 'empty']);
  t.same(summary.results.filter((r) => r.status === 'fail').map((r) => r.test).sort(), ['a2a.v0_3.card.passive.required-fields', 'a2a.v1_0.card.passive.required-fields']);
  t.match(result(summary, 'a2a.v1_0.card.passive.required-fields')?.reason, /supportedInterfaces is missing/);
  t.match(result(summary, 'a2a.v0_3.card.passive.required-fields')?.reason, /protocolVersion is missing/);
  const others = summary.results.filter((r) => !/\.card\.passive\.(served|required-fields)$/.test(r.test));
  t.ok(others.length > 40, `${others.length} other tests`);
  t.same(others.filter((r) => r.status !== 'blocked').map((r) => `${r.test}: ${r.status}`), [], 'every other test is blocked');
  t.ok(others.every((r) => /^a2a\.v(1_0|0_3)\.card\.passive\.required-fields$/.test(r.blockedBy ?? '')), 'blocked by its version\'s card test');
  t.not(summary.exitCode, 0);
});

t.test('deviation: no card where agtest looks (the base URL of an agent whose card is elsewhere): served fails in each version, the rest is blocked', async (t) => {
  const summary = await certify(['--card-at', 'other'], ['a2a.v1_0.card', 'a2a.v0_3.card', 'a2a.v1_0.jsonrpc.passive.parse-error', 'a2a.v0_3.tasks.passive.get'], '${ready.base}');
  t.same(summary.results.filter((r) => r.status === 'fail').map((r) => r.test).sort(), ['a2a.v0_3.card.passive.served', 'a2a.v1_0.card.passive.served']);
  t.match(result(summary, 'a2a.v1_0.card.passive.served')?.reason, /no agent card: GET http:\/\/127\.0\.0\.1:\d+\/\.well-known\/agent-card\.json: HTTP 404.*\/\.well-known\/agent\.json: HTTP 404.*\[MUST, A2A v1\.0 §8\.1/);
  for (const test of ['a2a.v1_0.card.passive.required-fields', 'a2a.v1_0.card.passive.caching', 'a2a.v1_0.jsonrpc.passive.parse-error', 'a2a.v0_3.card.passive.required-fields', 'a2a.v0_3.tasks.passive.get']) {
    t.equal(result(summary, test)?.status, 'blocked', `${test} is blocked`);
    t.match(result(summary, test)?.blockedBy, /card\.passive\.served$/);
  }
  t.not(summary.exitCode, 0);
});
