// A plaintext DIDComm v1 agent written from the Aries RFC text (test/fixtures/spec-plain-agent,
// no code shared with the reference agent or any SDK): each legal variation it can switch on is
// interoperable, and each deviation gets its exact verdict, whatever the HTTP adapter's retries.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { normalizeConfig, run, type RunSummary } from '../../agtest/index.js';
import { verdictOf } from '../../profiles/index.js';
import { withTempDir } from '../helpers/reference-run.js';

const AGENT = fileURLToPath(new URL('../fixtures/spec-plain-agent/agent.mjs', import.meta.url));
const CLAIMS = [
  'message.v1.passive',
  'trust_ping.1_0.passive',
  'trust_ping.1_0.active',
  'basicmessage.1_0.passive',
  'basicmessage.1_0.active',
  'discover_features.1_0.passive',
  'discover_features.1_0.active',
  'transport.http.passive',
  'transport.http.active',
];
/** messageMs above the 1.8 s slow read-back, below the 5 s default, to keep the file short. */
const TIMEOUTS = { testMs: 20_000, messageMs: 3_000, silenceMs: 500 };

function certify(switches: string[], options: { only?: string[]; adapterArgs?: string[]; transport?: 'http' | 'ws'; claims?: string[] } = {}): Promise<RunSummary> {
  const config = normalizeConfig(
    {
      agent: { name: 'spec-plain-agent', command: ['node', AGENT, '--switches', switches.join(',')], endpoint: '${ready.endpoint}' },
      transport: { adapter: options.transport ?? 'http', args: options.adapterArgs ?? [] },
      // One agact session per run (the opt-in protocol the reference config uses): the one-shot
      // process per action is proven in test/agtest; here it would only add node start-ups.
      agact: { command: ['agact-http', '--url', '${ready.backchannel}'], session: true },
      claims: options.claims ?? CLAIMS,
      timeouts: TIMEOUTS,
      ...(options.only ? { only: options.only } : {}),
    },
    'spec-plain-agent test',
    process.cwd(),
  );
  return withTempDir((outDir) => run({ config, outDir }));
}

const result = (summary: RunSummary, test: string) => {
  const found = summary.results.find((r) => r.test === test);
  if (!found) throw new Error(`${test} did not run`);
  return found;
};
const notPassing = (summary: RunSummary) => summary.results.filter((r) => r.status !== 'pass' && r.status !== 'not-run').map((r) => `${r.test}: ${r.status} ${r.reason ?? ''}`);
const warned = (summary: RunSummary) => summary.results.filter((r) => r.warnings.length > 0).map((r) => r.test);

t.test('legal variations: slow read-back, RFC 0035 sample problem-reports, HTTP 200, a withheld protocol', async (t) => {
  const summary = await certify(['slow-readback', 'notification-problem-report', 'http-200', 'withhold-protocol']);
  t.same(notPassing(summary), [], 'every test passes');
  for (const junction of CLAIMS) t.equal(verdictOf(summary.profile.profile[junction]), 'interoperable', `${junction} is interoperable (${summary.profile.profile[junction]})`);
  t.equal(summary.exitCode, 0);
  // Read-back polls for the message wait (3 s here), not a fixed 1 s.
  t.equal(result(summary, 'basicmessage.1_0.passive.receives').status, 'pass', 'a basicmessage that shows after 1.8 s is received');
  t.equal(result(summary, 'trust_ping.1_0.active.accepts-response').status, 'pass', 'a ping_response that shows after 1.8 s is received');
  // notification/1.0/problem-report with ~thread.pthid and description~l10n.code is a problem-report.
  t.same(result(summary, 'message.v1.passive.unknown-major').warnings, [], 'the RFC 0035 sample form is recognised, code and all');
  t.same(result(summary, 'transport.http.passive.status-accepted').warnings, [], 'RFC 0025 allows 200 OK: no warning');
  t.equal(result(summary, 'transport.http.passive.transmit-only').status, 'pass', 'replies POSTed on its own, with 200 OK on the inbound POST: transmit only');
  // RFC 0031 lets a responder withhold a protocol: agtest's policy warns, nothing fails.
  t.match(result(summary, 'discover_features.1_0.passive.discloses-claimed').warnings, [/omits claimed protocol\(s\): trust_ping\/1\.x \[policy, Aries RFC 0031/]);
  t.same(warned(summary), ['discover_features.1_0.passive.discloses-claimed'], 'no other warning');
});

t.test('wrong reply type in the ping thread: only the trust ping checks fail; the probe junctions see the reply', async (t) => {
  const summary = await certify(['wrong-reply-type'], { only: ['trust_ping.1_0.passive', 'message.v1.passive', 'transport.http.passive'] });
  const failing = summary.results.filter((r) => r.status === 'fail').map((r) => r.test).sort();
  t.same(failing, ['trust_ping.1_0.passive.responds', 'trust_ping.1_0.passive.responds-when-absent']);
  for (const test of failing) t.match(result(summary, test).reason, /@type is https:\/\/didcomm\.org\/trust_ping\/1\.0\/pong, expected trust_ping\/1\.x\/ping_response \[MUST, Aries RFC 0020/);
  t.equal(summary.profile.profile['trust_ping.1_0.passive'], 'constrained (1 of 3)');
  t.equal(summary.profile.profile['message.v1.passive'], 'interoperable', 'a reply in the probe thread proves the probe was processed');
  t.equal(summary.profile.profile['transport.http.passive'], 'interoperable');
});

t.test('HTTP 500 to an unsupported major version: the same warning with the default retries and with --retries 0', async (t) => {
  const only = ['message.v1.passive'];
  const [retried, once] = [await certify(['http-500-unknown-major'], { only }), await certify(['http-500-unknown-major'], { only, adapterArgs: ['--retries', '0'] })];
  for (const [name, summary] of [
    ['default retries', retried],
    ['--retries 0', once],
  ] as const) {
    const unknownMajor = result(summary, 'message.v1.passive.unknown-major');
    t.equal(unknownMajor.status, 'pass', `${name}: the agent keeps answering 1.0 pings (the retried 2.0 ping does not hold the next one back)`);
    t.match(unknownMajor.warnings, [/answered the delivery of the trust_ping\/2\.0 ping with HTTP 500.*: a failed delivery, not a rejection \[SHOULD, Aries RFC 0025/, /no problem-report for the unsupported major version \[SHOULD, Aries RFC 0003/], `${name}: the 500 is judged`);
    t.equal(unknownMajor.warnings.length, 2, `${name}: those two warnings only`);
    t.equal(summary.profile.profile['message.v1.passive'], 'interoperable', name);
    t.same(summary.findings, [], `${name}: the refusal is the test's evidence, not a separate finding`);
  }
  t.match(result(retried, 'message.v1.passive.unknown-major').warnings[0], /with HTTP 500(, 500)+:/, 'with retries every attempt is quoted');
  t.match(result(once, 'message.v1.passive.unknown-major').warnings[0], /with HTTP 500:/, 'without, the one answer');
});

t.test('a reply in the HTTP response without return route: only transmit-only fails (RFC 0025: POST is transmit only by default)', async (t) => {
  const summary = await certify(['reply-in-http-response'], { only: ['transport.http.passive', 'trust_ping.1_0.passive'] });
  const failing = summary.results.filter((r) => r.status === 'fail').map((r) => r.test);
  t.same(failing, ['transport.http.passive.transmit-only'], `the one failure ${JSON.stringify(summary.results.map((r) => [r.test, r.status]))}`);
  t.match(result(summary, 'transport.http.passive.transmit-only').reason, /came in the HTTP response to agtest's POST: POST requests are transmit only by default \[MUST NOT, Aries RFC 0025/);
  t.equal(summary.profile.profile['trust_ping.1_0.passive'], 'interoperable', 'a reply on the return route is still a reply');
  t.same(warned(summary), [], 'no warning');
});

t.test('over WebSocket: replies on a socket of its own pass transmit-only; replies on the peer socket without return route fail it alone', async (t) => {
  const only = ['transport.ws.passive', 'trust_ping.1_0.passive'];
  const claims = ['transport.ws.passive', 'trust_ping.1_0.passive'];
  const [legal, onSocket] = await Promise.all([certify(['ws'], { only, transport: 'ws', claims }), certify(['ws', 'ws-reply-on-socket'], { only, transport: 'ws', claims })]);
  t.same(notPassing(legal), [], 'legal: every test passes');
  t.same(warned(legal), [], 'legal: no warning');
  t.equal(result(legal, 'transport.ws.passive.transmit-only').status, 'pass');
  t.same(onSocket.results.filter((r) => r.status === 'fail').map((r) => r.test), ['transport.ws.passive.transmit-only'], `the one failure ${JSON.stringify(onSocket.results.map((r) => [r.test, r.status]))}`);
  t.match(result(onSocket, 'transport.ws.passive.transmit-only').reason, /came on the socket agtest opened: websockets are transmit only by default \[MUST NOT, Aries RFC 0025/);
  t.same(warned(onSocket), [], 'ws-reply-on-socket: no warning');
});
