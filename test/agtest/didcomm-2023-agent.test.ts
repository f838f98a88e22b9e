// agtest against a "2023-era" DIDComm agent written from the RFCs (test/fixtures/didcomm-2023-agent,
// no code shared with agtest, its reference agent or any SDK): the handshake agtest uses is the one
// the agent's invitation offers (DID exchange 1.0 + did:peer:1 + did_doc~attach, connections 1.0,
// DID exchange 1.1 + did:peer:2), and a handshake deviation is reported once, by the handshake's
// own test: the other junctions run in the (lenient) connection, or are blocked when none exists.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { run, type HarnessConfig, type RunSummary } from '../../agtest/index.js';
import { verdictOf } from '../../profiles/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const agent = fileURLToPath(new URL('../fixtures/didcomm-2023-agent/agent.mjs', import.meta.url));

const BASE_CLAIMS = ['trust_ping.1_0.passive', 'trust_ping.1_0.active', 'basicmessage.1_0.passive', 'basicmessage.1_0.active', 'out_of_band.1_1.active', 'didexchange.1_1.passive'];
const CONNECTIONS_CLAIMS = [...BASE_CLAIMS.filter((claim) => !claim.startsWith('didexchange.')), 'connections.1_0.passive'];
/** A test of each other kind that runs in the connection: passive, active, read-back. */
const OTHERS = ['trust_ping.1_0.passive.responds', 'basicmessage.1_0.active.sends-content', 'trust_ping.1_0.active.accepts-response'];
/** Legal modes: the handshake junctions whole, out-of-band, and the others (a full run takes too long here). */
const LEGAL = ['didexchange.1_1.passive', 'connections.1_0.passive', 'out_of_band.1_1.active', ...OTHERS];
const DX = (name: string) => `didexchange.1_1.passive.${name}`;

function fixtureRun(mode: string, deviation?: string, options: { claims?: string[]; only?: string[] } = {}): Promise<RunSummary> {
  const config: HarnessConfig = {
    agent: { name: `2023-era agent (${mode}${deviation ? `, ${deviation}` : ''})`, command: ['node', agent, '--mode', mode, ...(deviation ? ['--deviation', deviation] : [])], readyTimeoutMs: 15_000, endpoint: '${ready.endpoint}' },
    transport: { adapter: 'http', args: ['--retries', '0'] },
    // One agact session per run: one-shot agact (a process per action) is proven by output-folder, process-tree and the harness tests.
    agact: { command: ['agact-http', '--url', '${ready.backchannel}'], timeoutMs: 10_000, session: true },
    suite: 'didcomm-v1',
    claims: options.claims ?? BASE_CLAIMS,
    timeouts: FAST_TIMEOUTS,
    ...(options.only ? { only: options.only } : {}),
    source: 'didcomm-2023-agent test',
    baseDir: root,
  };
  return withTempDir((outDir) => run({ config, outDir }));
}

const byStatus = (summary: RunSummary, status: string) => summary.results.filter((r) => r.status === status).map((r) => r.test).sort();
const result = (summary: RunSummary, test: string) => summary.results.find((r) => r.test === test);
const explain = (summary: RunSummary) => JSON.stringify(summary.results.filter((r) => r.status !== 'pass').map((r) => [r.test, r.status, r.reason]));

t.test('legal handshakes: each connects the way the invitation offers and every claimed junction is interoperable', async (t) => {
  const [dx10, connections, dx11] = await Promise.all([
    fixtureRun('didexchange-1.0', undefined, { only: LEGAL }),
    fixtureRun('connections', undefined, { claims: CONNECTIONS_CLAIMS, only: LEGAL }),
    fixtureRun('didexchange-1.1', undefined, { only: LEGAL }),
  ]);
  t.equal(dx10.exitCode, 0, `DID exchange 1.0 + did:peer:1: all interoperable ${explain(dx10)}`);
  t.equal(result(dx10, DX('response-signed'))?.status, 'pass', 'the did:peer:1 is read from its verified did_doc~attach');
  t.equal(verdictOf(dx10.profile.profile['basicmessage.1_0.active']), 'interoperable', 'the other junctions ran inside the DID exchange 1.0 connection');

  t.equal(connections.exitCode, 0, `connections 1.0 only: all interoperable ${explain(connections)}`);
  t.equal(connections.profile.profile['connections.1_0.passive'], 'interoperable');
  t.equal(verdictOf(connections.profile.profile['basicmessage.1_0.active']), 'interoperable', 'the run connected by connections 1.0 and sent on it');

  t.equal(dx11.exitCode, 0, `DID exchange 1.1 + did:peer:2: all interoperable ${explain(dx11)}`);
  t.equal(result(dx11, DX('newer-minor-request'))?.status, 'pass', 'a didexchange/1.2 request is answered');
});

t.test('handshake deviations fail the handshake test once; the rest runs in the lenient connection, or is blocked when there is none', async (t) => {
  const [badSignature, mismatch, exact, refused, badSig160] = await Promise.all([
    fixtureRun('didexchange-1.0', 'bad-doc-signature', { only: [DX('response-signed'), OTHERS[0]!] }),
    fixtureRun('didexchange-1.0', 'peer1-mismatch', { only: [DX('response-signed'), OTHERS[0]!] }),
    fixtureRun('didexchange-1.0', 'exact-version', { only: [DX('response-encrypted'), DX('newer-minor-request'), OTHERS[0]!] }),
    fixtureRun('didexchange-1.0', 'refuse-request', { only: [DX('response-encrypted'), ...OTHERS.slice(0, 2)] }),
    // It claims DID exchange too, but its invitation offers connections 1.0 only.
    fixtureRun('connections', 'bad-doc-signature', { claims: [...CONNECTIONS_CLAIMS, 'didexchange.1_1.passive'], only: [DX('response-encrypted'), 'connections.1_0.passive', OTHERS[0]!] }),
  ]);
  t.same(byStatus(badSignature, 'fail'), [DX('response-signed')], explain(badSignature));
  t.match(result(badSignature, DX('response-signed'))?.reason, /did_doc~attach: the signature does not verify/);
  t.equal(result(badSignature, OTHERS[0]!)?.status, 'pass', 'the lenient connection still reads the keys: the rest is measured');

  t.same(byStatus(mismatch, 'fail'), [DX('response-signed')], explain(mismatch));
  t.match(result(mismatch, DX('response-signed'))?.reason, /did:peer:1z\S+ is not derived from its document.*did:peer spec, Method 1/);

  // Aries RFC 0003: a recipient "should tentatively accept" a later minor version: a SHOULD, so the refusal warns.
  t.same(byStatus(exact, 'fail'), [], explain(exact));
  t.same(byStatus(exact, 'pass'), [DX('newer-minor-request'), DX('response-encrypted'), OTHERS[0]!].sort(), 'agtest connects in the version offered: only the version test sees the deviation');
  t.match(result(exact, DX('newer-minor-request'))?.warnings, [/refused agtest's didexchange\/1\.1\/request: request_not_accepted "unsupported version 1\.1" \[SHOULD, Aries RFC 0003/], 'the refusal of a newer minor version is a SHOULD-level warning');
  t.same(result(exact, DX('response-encrypted'))?.warnings, [], 'the version the agent offered raises nothing');

  // No connection at all: the DID exchange test carries the refusal, every other test is blocked.
  t.same(byStatus(refused, 'fail'), [DX('response-encrypted')], explain(refused));
  t.match(result(refused, DX('response-encrypted'))?.reason, /the agent refused agtest's didexchange\/1\.0\/request: request_not_accepted/);
  t.same(byStatus(refused, 'blocked'), OTHERS.slice(0, 2).sort(), explain(refused));
  const blocked = result(refused, OTHERS[0]!);
  t.equal(blocked?.blockedBy, DX('response-encrypted'));
  t.match(blocked?.reason, /could not connect by out-of-band \+ didexchange\/1\.0 before the test \(step: response\): the agent answered agtest's request with a problem report: request_not_accepted "this agent accepts no request today"/);

  t.same(byStatus(badSig160, 'fail'), ['connections.1_0.passive.response-signed'], explain(badSig160));
  t.match(result(badSig160, 'connections.1_0.passive.response-signed')?.reason, /connection~sig: the signature does not verify/);
  t.match(result(badSig160, DX('response-encrypted')), { status: 'not-run', reason: /offers only connections\/1\.0/ }, 'DID exchange claimed but not offered: not-run');
  t.equal(result(badSig160, OTHERS[0]!)?.status, 'pass', 'the run connected by connections 1.0');
});

// The DIDComm v1 checks whose deviations only the reference agent's faults proved: this agent, as
// requester (receive-invitation) and as recipient of a two-recipient envelope, passes them legally,
// and each deviation fails (MUST) or warns (SHOULD) its own test only.
const REQUESTER_CLAIMS = [...BASE_CLAIMS, 'out_of_band.1_1.passive', 'didexchange.1_1.active', 'envelope.rfc0019.passive'];
const OOB = (name: string) => `out_of_band.1_1.passive.${name}`;
const DXA = (name: string) => `didexchange.1_1.active.${name}`;
const MULTI = 'envelope.rfc0019.passive.unpacks-multi-recipient';

t.test('requester and envelope checks: legal runs pass with no warning; each deviation fails or warns its own test only', async (t) => {
  const claims = REQUESTER_CLAIMS;
  const [legal, firstOnly, noPadding, noShort, noAccept, badSignature, redirectOnly] = await Promise.all([
    fixtureRun('didexchange-1.1', undefined, { claims, only: [OOB('decodes-padded'), OOB('short-url'), DXA('complete'), DXA('rejects-bad-signature'), MULTI] }),
    fixtureRun('didexchange-1.1', 'first-recipient-only', { claims, only: [MULTI, OTHERS[0]!] }),
    fixtureRun('didexchange-1.1', 'oob-reject-padding', { claims, only: [OOB('decodes-padded'), DXA('complete')] }),
    fixtureRun('didexchange-1.1', 'no-short-url', { claims, only: [OOB('short-url'), OOB('decodes-padded')] }),
    fixtureRun('didexchange-1.1', 'short-url-no-accept', { claims, only: [OOB('short-url')] }),
    fixtureRun('didexchange-1.1', 'accept-bad-signature', { claims, only: [DXA('rejects-bad-signature'), DXA('complete')] }),
    fixtureRun('didexchange-1.1', 'short-url-redirect-only', { claims, only: [OOB('short-url')] }),
  ]);
  const warned = (summary: RunSummary) => summary.results.filter((r) => r.warnings.length > 0).map((r) => r.test);
  t.same(byStatus(legal, 'pass'), [DXA('complete'), DXA('rejects-bad-signature'), MULTI, OOB('decodes-padded'), OOB('short-url')].sort(), `legal: all pass ${explain(legal)}`);
  t.same(warned(legal), [], 'legal: no warning (a padded oob decoded, the shortened URL fetched asking for JSON, a bad signature refused by problem_report)');

  const expectOne = (summary: RunSummary, name: string, test: string, reason: RegExp) => {
    t.same(byStatus(summary, 'fail'), [test], `${name}: one failure ${explain(summary)}`);
    t.match(result(summary, test)?.reason, reason, `${name}: its reason`);
    t.same(warned(summary), [], `${name}: no warning`);
    t.ok(summary.results.filter((r) => r.test !== test).every((r) => r.status === 'pass'), `${name}: the rest passes`);
  };
  expectOne(firstOnly, 'first-recipient-only', MULTI, /whose recipients list .* before the agent's key.*\[MUST, Aries RFC 0019/);
  expectOne(noPadding, 'oob-reject-padding', OOB('decodes-padded'), /refused agact receive-invitation: .*padded base64url.*: it did not take agtest's invitation as padded Base64Url \[MUST, Aries RFC 0434/);
  expectOne(noShort, 'no-short-url', OOB('short-url'), /never fetched the shortened URL .*\[MUST, Aries RFC 0434/);
  expectOne(badSignature, 'accept-bad-signature', DXA('rejects-bad-signature'), /answered a .* response whose signed attachment does not verify with complete.*\[MUST NOT, Aries RFC 0023/);

  expectOne(redirectOnly, 'short-url-redirect-only', OOB('short-url'), /fetched the shortened URL but sent no DID exchange request for the invitation it got \(the agent refused agact receive-invitation: .*\) \[MUST, Aries RFC 0434/);
  t.equal(result(noAccept, OOB('short-url'))?.status, 'pass', 'short-url-no-accept: the GET followed the redirect to the invitation');
  t.match(result(noAccept, OOB('short-url'))?.warnings, [/asked for .* not application\/json .*\[SHOULD, Aries RFC 0434/], 'short-url-no-accept: the SHOULD warns');
});
