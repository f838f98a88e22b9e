// A DIDComm v1 mediator written from the Aries RFC text (test/fixtures/spec-mediator, no code shared
// with agtest, its reference agent or any SDK) proves each mediator check both ways: the legal
// variations RFC 0211, 0094 and 0685 allow pass with no warning, and each deviation gets its exact
// verdict in its own test only (fail for a MUST, a warning for a SHOULD or policy, blocked for the
// tests that need what it breaks). Deviations that touch different tests share a run, so the file
// stays short; a run that failed every coordinate_mediation test would block the other junctions,
// so each run leaves one of them passing.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { normalizeConfig, run, type RunSummary } from '../../agtest/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';

const AGENT = fileURLToPath(new URL('../fixtures/spec-mediator/agent.mjs', import.meta.url));
const CM = 'coordinate_mediation.1_0.passive';
const ROUTING = 'routing.1_0.passive';
const PICKUP = 'pickup.2_0.passive';
const JUNCTIONS = [CM, ROUTING, PICKUP];

function certify(switches: string[], only: string[] = JUNCTIONS, transport: 'http' | 'ws' = 'http'): Promise<RunSummary> {
  const config = normalizeConfig(
    {
      agent: { name: `spec-mediator (${switches.join(', ') || 'plain'})`, command: ['node', AGENT, `--switches=${switches.join(',')}`], endpoint: '${ready.endpoint}' },
      transport: { adapter: transport, args: transport === 'http' ? ['--retries', '0'] : [] },
      // One agact session per run (the opt-in protocol the reference config uses): the one-shot
      // process per action is proven in test/agtest; here it would only add node start-ups.
      agact: { command: ['agact-http', '--url', '${ready.backchannel}'], session: true },
      claims: ['didexchange.1_1.passive', ...JUNCTIONS],
      only,
      timeouts: FAST_TIMEOUTS,
    },
    'spec-mediator test',
    process.cwd(),
  );
  return withTempDir((outDir) => run({ config, outDir }));
}

const result = (summary: RunSummary, test: string) => {
  const found = summary.results.find((r) => r.test === test);
  if (!found) throw new Error(`${test} did not run`);
  return found;
};
const withStatus = (summary: RunSummary, status: string) => summary.results.filter((r) => r.status === status).map((r) => r.test).sort();
const warned = (summary: RunSummary) => summary.results.filter((r) => r.warnings.length > 0).map((r) => r.test).sort();
const explain = (summary: RunSummary) => JSON.stringify(summary.results.filter((r) => r.status !== 'pass' || r.warnings.length > 0).map((r) => [r.test, r.status, r.reason, r.warnings]));

t.test('legal variations pass every mediator test with no warning; a deny passes the grant test and leaves the rest not run', async (t) => {
  const [variations, slow, deny] = await Promise.all([
    // Two did:key routing keys (nested forwards), 200 OK, a status of message_count only, live mode refused by
    // problem-report over HTTP, json attachments, forwards held for pickup even for a client with an endpoint,
    // a keylist without pagination.
    certify(['routing-keys-2', 'http-200', 'status-minimal', 'live-problem-report', 'attach-json', 'queue-only', 'keylist-bare']),
    // Every answer 500 ms late (on the return route too): a test of each kind.
    certify(['slow'], [`${CM}.keylist-query`, `${ROUTING}.delivers`, `${PICKUP}.delivery`]),
    certify(['deny'], [`${CM}.grant`, `${CM}.keylist-update`, `${ROUTING}.delivers`]),
  ]);
  t.same(variations.results.filter((r) => r.status !== 'pass').map((r) => r.test), [], `every test passes ${explain(variations)}`);
  t.same(warned(variations), [], 'no warning');
  t.same(variations.profile.profile, { [CM]: 'interoperable', [ROUTING]: 'interoperable', [PICKUP]: 'interoperable (6 of 12 MUSTs checked)' }, 'all three junctions interoperable');
  t.same(variations.findings, [], 'no findings');
  t.same(slow.results.map((r) => [r.test, r.status, r.warnings.length]), [[`${CM}.keylist-query`, 'pass', 0], [`${ROUTING}.delivers`, 'pass', 0], [`${PICKUP}.delivery`, 'pass', 0]], `slow answers: pass, no warning ${explain(slow)}`);
  t.equal(result(deny, `${CM}.grant`).status, 'pass', 'RFC 0211 Mediation Deny: a deny answers the request');
  t.same(warned(deny), [], 'deny: no warning');
  t.same(withStatus(deny, 'not-run'), [`${CM}.keylist-update`, `${ROUTING}.delivers`]);
  t.match(result(deny, `${ROUTING}.delivers`).reason, /denied mediation \(mediate-deny\), which RFC 0211 allows/);
});

t.test('deviations that touch different tests: each fails, warns or blocks its own test only', async (t) => {
  const [g1, g2, g3, g4] = await Promise.all([
    certify(['grant-wrong-thid', 'update-no-result', 'query-raw-keys', 'forward-unknown-to-last', 'status-no-recipient-key', 'delivery-wrong-thid', 'empty-delivery', 'live-silent', 'ignore-received']),
    certify(['grant-no-endpoint', 'add-no-change', 'query-omits', 'remove-silent', 'status-count-zero', 'delivery-no-attachment-id', 'empty-status-count']),
    certify(['grant-raw-keys', 'query-wrong-thid', 'remove-ignored', 'status-no-count', 'delivery-other-data']),
    certify(['update-wrong-thid', 'query-unsupported', 'forward-rewrap', 'status-silent', 'delete-on-delivery', 'received-no-status']),
  ]);
  const expectFailures = (summary: RunSummary, name: string, failures: Record<string, RegExp>) => {
    t.same(withStatus(summary, 'fail'), Object.keys(failures).sort(), `${name}: the failing tests ${explain(summary)}`);
    for (const [test, reason] of Object.entries(failures)) t.match(result(summary, test).reason, reason, `${name}: ${test} says why`);
  };

  expectFailures(g1, 'g1', {
    [`${CM}.grant`]: /mediate-grant ~thread\.thid is .* expected the request @id .*\[MUST, Aries RFC 0008/,
    [`${CM}.keylist-update`]: /action "add" and result null; expected action "add" and a result of client_error, server_error, no_change, success \[MUST, Aries RFC 0211/,
    [`${CM}.keylist-query`]: /keylist key\(s\) "\w+" are not did:key \[MUST, Aries RFC 0211 .*Encoding of keys/,
    [`${ROUTING}.unknown-key`]: /which agtest never registered, was delivered to agtest .*\[MUST NOT, Aries RFC 0211/,
    [`${PICKUP}.status`]: /the status has recipient_key null, expected did:key:\w+ \[MUST, Aries RFC 0685/,
    [`${PICKUP}.delivery`]: /delivery ~thread\.thid is .* expected the delivery-request @id/,
    [`${PICKUP}.empty-queue`]: /nothing was queued, and delivery-request got .*delivery.*, not a status \[MUST, Aries RFC 0685/,
    [`${PICKUP}.live-mode`]: /no status or problem-report answered agtest's live-delivery-change/,
  });
  t.same(warned(g1), [`${PICKUP}.messages-received`], 'g1: only ignore-received warns');
  t.match(result(g1, `${PICKUP}.messages-received`).warnings, [/message_count 1, expected 0 \[SHOULD, Aries RFC 0685/, /acknowledged message was delivered again after messages-received \[policy/]);

  expectFailures(g2, 'g2', {
    [`${CM}.grant`]: /mediate-grant endpoint is null, not a URI \[MUST/,
    [`${CM}.keylist-query`]: /does not list the key agtest registered/,
    [`${CM}.keylist-remove`]: /no keylist-update-response to agtest's keylist-update \(remove did:key:\w+\) \[MUST, Aries RFC 0211/,
    [`${PICKUP}.status`]: /message_count is 0 although agtest forwarded a message to its registered key \[MUST, Aries RFC 0685 .*Live Mode/,
    [`${PICKUP}.delivery`]: /delivery attachments have @id \[null\] \[MUST, Aries RFC 0685/,
    [`${PICKUP}.empty-queue`]: /the status has message_count 1, expected 0 \[MUST/,
  });
  t.same(warned(g2), [`${CM}.keylist-update`], 'g2: only add-no-change warns');
  t.match(result(g2, `${CM}.keylist-update`).warnings, [/adding a new key reported result "no_change", not success \[policy/]);
  t.match(result(g2, `${PICKUP}.messages-received`), { status: 'blocked', blockedBy: `${PICKUP}.delivery`, reason: /attachments have @id \[null\], so messages-received cannot name them/ });

  expectFailures(g3, 'g3', {
    [`${CM}.grant`]: /routing key\(s\) "\w+" are not Ed25519 did:key \[MUST/,
    [`${CM}.keylist-query`]: /the keylist ~thread\.thid is .* expected the request @id/,
    [`${CM}.keylist-remove`]: /still lists did:key:\w+ after its remove reported success \[MUST/,
    [`${PICKUP}.status`]: /the status has message_count null, not a non-negative integer \[MUST, Aries RFC 0685/,
    [`${PICKUP}.delivery`]: /the answer to delivery-request does not hold the forwarded envelope/,
  });
  t.same(warned(g3), [], 'g3: no warning');
  t.match(result(g3, `${PICKUP}.messages-received`), { status: 'blocked', blockedBy: `${PICKUP}.delivery` });

  expectFailures(g4, 'g4', {
    [`${CM}.keylist-update`]: /keylist-update-response ~thread\.thid is .* expected the request @id/,
    [`${CM}.keylist-query`]: /no keylist answered agtest's keylist-query: it answered a problem-report \(code "unsupported-message-type"/,
    [`${ROUTING}.delivers`]: /is not the envelope agtest forwarded: .*\[MUST, Aries RFC 0094/,
    [`${PICKUP}.status`]: /no status answered agtest's status-request \[MUST/,
  });
  t.match(result(g4, `${CM}.keylist-remove`), { status: 'blocked', blockedBy: `${CM}.keylist-query` }, 'g4: the remove cannot be seen without a keylist');
  t.same(warned(g4), [`${PICKUP}.delivery`, `${PICKUP}.messages-received`].sort(), 'g4: delete-on-delivery and received-no-status warn');
  t.match(result(g4, `${PICKUP}.delivery`).warnings, [/not delivered again before agtest acknowledged it .*\[policy/]);
  t.match(result(g4, `${PICKUP}.messages-received`).warnings, [/no status answered messages-received \[SHOULD, Aries RFC 0685/]);
});

t.test('deviations that break what other tests need: one failure, the dependents blocked by it', async (t) => {
  // One dependent per junction is enough to see the block.
  const dependents = [`${CM}.grant`, `${CM}.keylist-update`, `${ROUTING}.delivers`, `${PICKUP}.status`];
  const [silent, noKeys, noUpdate, drop] = await Promise.all([
    certify(['grant-silent'], dependents),
    certify(['grant-no-routing-keys'], dependents),
    certify(['update-silent'], dependents),
    certify(['forward-drop'], [`${ROUTING}.delivers`, `${PICKUP}.status`, `${PICKUP}.empty-queue`]),
  ]);
  for (const [name, summary, failing, reason, by] of [
    ['grant-silent', silent, `${CM}.grant`, /got neither a mediate-grant nor a mediate-deny/, `${CM}.grant`],
    ['grant-no-routing-keys', noKeys, `${CM}.grant`, /routing_keys is \[\], not a non-empty array \[MUST/, `${CM}.grant`],
    ['update-silent', noUpdate, `${CM}.keylist-update`, /no keylist-update-response to agtest's keylist-update/, `${CM}.keylist-update`],
  ] as const) {
    t.same(withStatus(summary, 'fail'), [failing], `${name}: one failure ${explain(summary)}`);
    t.match(result(summary, failing).reason, reason, `${name}: its reason`);
    // Within its junction by the failing test; the junctions that require coordinate_mediation by the junction.
    const blocked = summary.results.filter((r) => r.status === 'blocked');
    const needing = dependents.slice(dependents.indexOf(failing) + 1);
    t.same(blocked.map((r) => r.test).sort(), needing.sort(), `${name}: every test after it is blocked ${explain(summary)}`);
    t.ok(blocked.every((r) => r.blockedBy === by || r.blockedBy === CM), `${name}: by ${by} or its junction`);
    t.same(withStatus(summary, 'pass'), dependents.slice(0, dependents.indexOf(failing)), `${name}: the tests before it pass`);
    t.same(warned(summary), [], `${name}: no warning`);
  }
  t.same(withStatus(drop, 'fail'), [`${ROUTING}.delivers`], `forward-drop: one failure ${explain(drop)}`);
  t.match(result(drop, `${PICKUP}.status`), { status: 'blocked', blockedBy: `${ROUTING}.delivers`, reason: /message_count stayed 0, and routing\.1_0\.passive measured/ }, 'forward-drop: nothing reached the queue');
  t.equal(result(drop, `${PICKUP}.empty-queue`).status, 'pass', 'forward-drop: a test that needs no forward passes');
});

t.test('over WebSocket: live mode delivers a new forward on the socket; refusing it there is a SHOULD warning', async (t) => {
  const [live, refused] = await Promise.all([certify(['ws'], JUNCTIONS, 'ws'), certify(['ws', 'live-refused-ws'], [`${PICKUP}.live-mode`], 'ws')]);
  t.same(live.results.filter((r) => r.status !== 'pass').map((r) => r.test), [], `every test passes over ws ${explain(live)}`);
  t.same(warned(live), [], 'no warning: live mode turned on and the forward came on the socket');
  t.equal(result(live, `${PICKUP}.live-mode`).status, 'pass');
  t.equal(result(refused, `${PICKUP}.live-mode`).status, 'pass', 'a problem-report answers the change (MUST met)');
  t.match(result(refused, `${PICKUP}.live-mode`).warnings, [/over WebSocket the agent did not turn live mode on .*\[SHOULD, Aries RFC 0685/]);
});
