// The A2A v1.0 card, JSON-RPC and message checks of suite a2a 0.6, proven both ways on the spec
// agent (fixtures/spec-agent.mjs, written from the spec text, no code shared with the reference
// agent or any SDK): each deviation gets exactly its verdict, each legal variation passes clean.
import t from 'tap';
import { certify, deviate, failed, failures, result, vary, warned } from './spec-agent-run.js';

const V1 = 'a2a.v1_0';
const reasonOf = (summary: Awaited<ReturnType<typeof certify>>, test: string) => result(summary, test)?.reason ?? '';

t.test('legal: one URL for both versions, a rich signed card with default values, typed error details, varied parts: clean, and every new check judged', async (t) => {
  const summary = await certify(vary('one-url', 'rich-card', 'error-data-typed', 'parts-varied'), [`${V1}.card`, `${V1}.jsonrpc`, `${V1}.message`, `${V1}.tasks`, 'a2a.v0_3.card', 'a2a.v0_3.jsonrpc', 'a2a.v0_3.message']);
  t.same(failures(summary), [], 'nothing fails');
  t.same(warned(summary), [], 'no warning');
  t.equal(summary.exitCode, 0);
  for (const name of ['card.passive.optional-members', 'card.passive.signature-verifies', 'jsonrpc.passive.error-details', 'jsonrpc.passive.missing-params', 'jsonrpc.passive.version-empty-is-0.3', 'jsonrpc.passive.version-patch-ignored', 'message.passive.send-history-length', 'message.passive.object-members', 'message.passive.blocking', 'tasks.passive.list-filters']) {
    t.equal(result(summary, `${V1}.${name}`)?.status, 'pass', `${name} judged and passed`);
  }
});

t.test('deviations in the optional card members: optional-members fails once, naming each; typ JWT warns; a signature without kid still verifies', async (t) => {
  const summary = await certify(deviate('provider-no-organization', 'scheme-two-kinds', 'scheme-missing-required', 'oauth-two-flows', 'signature-unprotected', 'signature-no-kid', 'signature-typ-jwt'), [`${V1}.card`]);
  t.same(failed(summary), [`${V1}.card.passive.optional-members`]);
  const reason = reasonOf(summary, `${V1}.card.passive.optional-members`);
  t.match(reason, /the card's provider lacks provider\.organization \[MUST, A2A v1\.0 §4\.4\.2/);
  t.match(reason, /securitySchemes\.bearer holds httpAuthSecurityScheme and mtlsSecurityScheme of .*: a SecurityScheme holds exactly one kind \[MUST/);
  t.match(reason, /securitySchemes\.key\.apiKeySecurityScheme\.name is missing \(REQUIRED\) \[MUST/);
  t.match(reason, /securitySchemes\.machine\.oauth2SecurityScheme\.flows holds clientCredentials and password of .*OAuthFlows holds exactly one flow \[MUST/);
  t.match(reason, /signatures\[0\]\.protected missing \(REQUIRED\) \[MUST, A2A v1\.0 §4\.4\.7/);
  t.match(reason, /signatures\[1\]'s protected header .* has no kid \[MUST, A2A v1\.0 §8\.4\.2/);
  t.same(warned(summary), [`${V1}.card.passive.optional-members`]);
  t.match(result(summary, `${V1}.card.passive.optional-members`)?.warnings.join(' '), /typ "JWT", not "JOSE" \[SHOULD/);
  t.equal(result(summary, `${V1}.card.passive.signature-verifies`)?.status, 'pass', 'the second signature, without a kid, verifies under a key of the JWKS');
});

t.test('deviation: the card signed as served, not in its RFC 8785 canonical form: signature-verifies fails, optional-members passes', async (t) => {
  const summary = await certify(deviate('signature-over-served-json'), [`${V1}.card`]);
  t.same(failed(summary), [`${V1}.card.passive.signature-verifies`]);
  t.match(reasonOf(summary, `${V1}.card.passive.signature-verifies`), /signature 1 \(alg EdDSA, kid "spec-ed25519"\) does not verify .*signature 2 \(alg ES256, kid "spec-p256"\) does not verify/);
  t.same(warned(summary), []);
});

t.test('deviations in field presence of the signed content: default values signed, explicitly set optional false left out: signature-verifies fails each time', async (t) => {
  for (const name of ['signature-with-defaults', 'signature-drops-optional-false']) {
    const summary = await certify(deviate(name), [`${V1}.card`]);
    t.same(failed(summary), [`${V1}.card.passive.signature-verifies`], name);
    t.match(reasonOf(summary, `${V1}.card.passive.signature-verifies`), /signature 1 \(alg EdDSA, kid "spec-ed25519"\) does not verify .*\[MUST, A2A v1\.0 §8\.4\.1/, name);
    t.same(warned(summary), [], name);
  }
});

t.test('deviations in requests: missing params looked up, untyped error details, no A2A-Version served as 1.0 (fail); 1.0.1 refused (policy warning)', async (t) => {
  const summary = await certify(deviate('missing-params-unchecked', 'error-data-untyped', 'version-empty-served-as-1.0', 'version-patch-refused'), [`${V1}.card`, `${V1}.jsonrpc`, `${V1}.tasks.passive.get-unknown`, 'a2a.v0_3.card', 'a2a.v0_3.jsonrpc']);
  t.same(failed(summary), [`${V1}.jsonrpc.passive.error-details`, `${V1}.jsonrpc.passive.missing-params`, `${V1}.jsonrpc.passive.version-empty-is-0.3`]);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.error-details`), /GetTask of a task never issued: error\.data\[0\] has no @type: \{"reason":"TASK_NOT_FOUND".*\[MUST, A2A v1\.0 §9\.5/);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.missing-params`), /GetTask without id: expected error -32602, got -32001/);
  t.match(reasonOf(summary, `${V1}.jsonrpc.passive.version-empty-is-0.3`), /SendMessage without A2A-Version was answered in the A2A 1\.0 form/);
  t.same(warned(summary), [`${V1}.jsonrpc.passive.version-patch-ignored`]);
  t.match(result(summary, `${V1}.jsonrpc.passive.version-patch-ignored`)?.warnings.join(' '), /A2A-Version 1\.0\.1 was refused with -32009.*\[policy/);
  t.equal(result(summary, `${V1}.tasks.passive.get-unknown`)?.status, 'pass', 'a task that was never issued is still -32001');
});

t.test('deviations in send results: each message check fails once, with its reason', async (t) => {
  const summary = await certify(deviate('send-history-ignored', 'part-two-contents', 'artifact-without-id', 'timestamp-offset', 'task-id-from-text'), [`${V1}.card`, `${V1}.message`]);
  t.same(failed(summary), [`${V1}.message.passive.object-members`, `${V1}.message.passive.send-history-length`]);
  t.match(reasonOf(summary, `${V1}.message.passive.send-history-length`), /SendMessage with historyLength 0 returned task .* with 2 history entries.*\[MUST NOT, A2A v1\.0 §3\.2\.2/);
  const members = reasonOf(summary, `${V1}.message.passive.object-members`);
  t.match(members, /artifact 1 of task .* part 1 holds text and data of text, raw, url, data/);
  t.match(members, /artifact 1 of task .* has no artifactId/);
  t.match(members, /status\.timestamp "[^"]+\+00:00", not an ISO 8601 UTC time ending in Z/);
  t.match(members, /two sends of the same text without a taskId both returned task task-/);
  t.same(warned(summary), []);
});

t.test('legal: a task that works 1.2 s (slow, within the timeouts): blocking waits, a follow-up is judged in the task\'s context', async (t) => {
  const summary = await certify(['--work-ms', '1200'], [`${V1}.card`, `${V1}.message.passive.blocking`, `${V1}.message.passive.non-blocking`, `${V1}.message.passive.follow-up-context`]);
  t.same(failures(summary), []);
  t.same(warned(summary), []);
  t.equal(result(summary, `${V1}.message.passive.follow-up-context`)?.status, 'pass', 'judged: the task was still running');
});

t.test('deviations (slow task): a blocking send without the artifacts, a follow-up moved to a new context: blocking and follow-up-context fail once each', async (t) => {
  const summary = await certify(['--work-ms', '1200', ...deviate('blocking-without-artifacts', 'follow-up-new-context')], [`${V1}.card`, `${V1}.message.passive.blocking`, `${V1}.message.passive.follow-up-context`]);
  t.same(failed(summary), [`${V1}.message.passive.blocking`, `${V1}.message.passive.follow-up-context`]);
  t.match(reasonOf(summary, `${V1}.message.passive.blocking`), /returned TASK_STATE_COMPLETED task .* without artifact\(s\) .*which GetTask lists.*\[MUST, A2A v1\.0 §3\.2\.2/);
  t.match(reasonOf(summary, `${V1}.message.passive.follow-up-context`), /a follow-up naming only task .* was answered in context .*; the task's context is .*\[MUST, A2A v1\.0 §3\.4\.3/);
});

t.test('deviation (slow task): a message naming a running task with another contextId is accepted: follow-up-context fails', async (t) => {
  const summary = await certify(['--work-ms', '1200', ...deviate('context-mismatch-accepted')], [`${V1}.card`, `${V1}.message.passive.follow-up-context`]);
  t.same(failed(summary), [`${V1}.message.passive.follow-up-context`]);
  t.match(reasonOf(summary, `${V1}.message.passive.follow-up-context`), /with contextId agtest-other-context-.*: expected JSON-RPC error \(any code\), got a result/);
});

t.test('legal: a send answered with a Message that carries a contextId; without one, object-members fails', async (t) => {
  const only = [`${V1}.card`, `${V1}.message.passive.send-returns-task-or-message`, `${V1}.message.passive.object-members`];
  const legal = await certify(vary('message-reply'), only);
  t.same(failures(legal), []);
  t.same(warned(legal), []);
  t.equal(result(legal, `${V1}.message.passive.object-members`)?.status, 'pass');
  const deviation = await certify(deviate('message-reply-without-context'), only);
  t.same(failed(deviation), [`${V1}.message.passive.object-members`]);
  t.match(reasonOf(deviation, `${V1}.message.passive.object-members`), /the agent's Message has no contextId \[MUST, A2A v1\.0 §4\.1\.4/);
});
