// agent-metadata 1.0 end to end: measure the reference agent, load the measured profile into a
// running agent, ask it over each way the protocol travels, get the same profile back.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AGENT_METADATA_TYPES, validateProfile, type InteropProfile } from '../../profiles/index.js';
import { createKeyPair } from '../../envelopes/index.js';
import { startReferenceAgent } from '../../reference-agent/index.js';
import { DIDCOMM_V1_SUITE_URI } from '../../suites/index.js';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/reference-run.js';

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Left as text: the assertion shows it.
  }
  return { status: response.status, body: parsed };
}

const measured = await withTempDir(async (dir) => {
  // One junction is enough to round-trip a measured profile; a full run is the transports test's job.
  const result = await runCli(['run', '--out', dir, '--only', 'trust_ping.1_0.passive']);
  if (result.exitCode !== 0) throw new Error(`agtest run failed: ${String(result.stderr)}${String(result.stdout)}`);
  return JSON.parse(await readFile(join(dir, 'profile.json'), 'utf8')) as InteropProfile;
});

t.test('round trip: the profile agtest measured, loaded into the agent, comes back the same and valid', async (t) => {
  t.ok(validateProfile(measured).valid, 'what agtest run wrote is a valid profile');
  const agent = await startReferenceAgent({ transport: 'http' });
  t.teardown(() => agent.close());
  const before = await runCli(['profile', 'ask', agent.endpoint]);
  t.equal(before.exitCode, 1, 'an agent holding no profile answers with a problem');
  t.match(String(before.stdout), /answered with a problem: .*no-profile-for-suite/);

  const loaded = await post(agent.backchannel, { action: 'load-profile', params: { profile: measured } });
  t.equal(loaded.status, 200, JSON.stringify(loaded.body));

  const asked = await runCli(['profile', 'ask', agent.endpoint, '--json']);
  t.equal(asked.exitCode, 0, String(asked.stderr));
  const reply = JSON.parse(String(asked.stdout)) as { '@type': string; answers: { profile: InteropProfile }[] };
  t.equal(reply['@type'], AGENT_METADATA_TYPES.response);
  t.same(reply.answers[0]?.profile, measured, 'the same profile, byte for byte as JSON');

  const readable = await runCli(['profile', 'ask', agent.endpoint]);
  t.equal(readable.exitCode, 0);
  t.match(String(readable.stdout), new RegExp(`✓ ${DIDCOMM_V1_SUITE_URI.replace(/\./g, '\\.')}: valid profile of agtest-reference-agent`));
  t.match(String(readable.stdout), /trust_ping\.1_0\.passive\s+interoperable/);

  const plain = await post(agent.endpoint, { what: [{ 'interop-profile': DIDCOMM_V1_SUITE_URI }] });
  t.equal(plain.status, 200, 'plain JSON form over HTTP');
  t.same(plain.body, { answers: [{ 'interop-profile': DIDCOMM_V1_SUITE_URI, profile: measured }] });
  const plainCli = await runCli(['profile', 'ask', agent.endpoint, '-t', 'plain']);
  t.equal(plainCli.exitCode, 0, String(plainCli.stdout));
});

t.test('over WebSocket the answer comes back on the same socket', async (t) => {
  const agent = await startReferenceAgent({ transport: 'ws', profiles: [measured] });
  t.teardown(() => agent.close());
  const asked = await runCli(['profile', 'ask', agent.endpoint, '-t', 'ws', '--json']);
  t.equal(asked.exitCode, 0, String(asked.stderr));
  t.same((JSON.parse(String(asked.stdout)) as { answers: { profile: unknown }[] }).answers[0]?.profile, measured);
});

t.test('a running agent answers malformed requests with problem-reports and keeps working', async (t) => {
  const agent = await startReferenceAgent({ transport: 'http', profiles: [measured] });
  t.teardown(() => agent.close());
  const didcomm = (body: Record<string, unknown>) => post(agent.endpoint, { '@type': AGENT_METADATA_TYPES.request, '@id': 'req-1', '~transport': { return_route: 'all' }, ...body });

  const cases: [string, Record<string, unknown>, string][] = [
    ['no what', {}, 'malformed-request'],
    ['wrong types', { what: [{ 'interop-profile': 42 }] }, 'malformed-request'],
    ['huge array', { what: Array.from({ length: 5000 }, () => ({ 'interop-profile': DIDCOMM_V1_SUITE_URI })) }, 'too-many-items'],
    ['unknown suite', { what: [{ 'interop-profile': 'urn:example:unknown-suite' }] }, 'no-profile-for-suite'],
  ];
  for (const [name, body, code] of cases) {
    const reply = await didcomm(body);
    t.match(reply.body, { '@type': AGENT_METADATA_TYPES.problemReport, '~thread': { thid: 'req-1' }, description: { code } }, `DIDComm, ${name}: ${code}`);
    // Plain JSON is told apart by `what` (docs/agent-metadata-1.0.md), so every plain case has one.
    if ('what' in body) {
      const plain = await post(agent.endpoint, { what: body['what'] });
      t.match(plain, { status: code === 'no-profile-for-suite' ? 404 : 400, body: { error: { code } } }, `plain JSON, ${name}: ${code}`);
    }
  }
  const cli = await runCli(['profile', 'ask', agent.endpoint, '--suite', 'urn:example:unknown-suite', '--suite', DIDCOMM_V1_SUITE_URI]);
  t.equal(cli.exitCode, 1, 'a batch with one unknown suite is answered, and the unknown one is reported');
  t.match(String(cli.stdout), /✗ urn:example:unknown-suite: no profile \("no-profile-for-suite"\)/);
  t.match(String(cli.stdout), /✓ urn:agtest:suite:didcomm-v1:0\.8: valid profile/);

  const still = await didcomm({ what: [{ 'interop-profile': DIDCOMM_V1_SUITE_URI }] });
  t.match(still.body, { '@type': AGENT_METADATA_TYPES.response }, 'after all of that it still answers');
});

t.test('an agent that cannot be reached or never answers is exit 2 with the reason', async (t) => {
  const refused = await runCli(['profile', 'ask', 'http://127.0.0.1:9/', '-t', 'plain']);
  t.equal(refused.exitCode, 2);
  t.match(String(refused.stderr), /cannot ask http:\/\/127\.0\.0\.1:9\/: .*\[AGTEST_AGENT_UNREACHABLE\]/);
  // Accepts the request but never answers it: a ping-only agent would do the same.
  const agent = await startReferenceAgent({ transport: 'http', profiles: [measured], faults: ['ignore-return-route'] });
  t.teardown(() => agent.close());
  const silent = await runCli(['profile', 'ask', agent.endpoint, '--timeout-ms', '1500']);
  t.equal(silent.exitCode, 2);
  t.match(String(silent.stderr), /no answer from http:\/\/127\.0\.0\.1:\d+\/ within 1500 ms \[AGTEST_ASK_TIMEOUT\]/);
});

t.test('--to asks inside an RFC 0019 envelope, for agents that take only encrypted messages', async (t) => {
  const agent = await startReferenceAgent({ transport: 'http', profiles: [measured] });
  t.teardown(() => agent.close());
  const setup = await post(agent.backchannel, { action: 'setup', params: { endpoint: 'http://127.0.0.1:9/' } });
  const did = (setup.body as { did: string }).did;
  const asked = await runCli(['profile', 'ask', agent.endpoint, '--to', did, '--json']);
  t.equal(asked.exitCode, 0, String(asked.stderr));
  t.same((JSON.parse(String(asked.stdout)) as { answers: { profile: unknown }[] }).answers[0]?.profile, measured, 'the answer, unpacked');
  // Packed for a key the agent does not hold, the request is refused: so it really was packed.
  const stranger = (await createKeyPair()).verkey;
  const refused = await runCli(['profile', 'ask', agent.endpoint, '--to', stranger, '--timeout-ms', '1500']);
  t.equal(refused.exitCode, 2);
  t.match(String(refused.stderr), /AGTEST_ASK_TIMEOUT/);
  const bad = await runCli(['profile', 'ask', agent.endpoint, '--to', 'did:key:zNotAKey0']);
  t.equal(bad.exitCode, 2);
  t.match(String(bad.stderr), /--to did:key:zNotAKey0: .*not a base58btc did:key/);
  const plain = await runCli(['profile', 'ask', agent.endpoint, '--to', did, '-t', 'plain']);
  t.equal(plain.exitCode, 2);
  t.match(String(plain.stderr), /the plain JSON form \(-t plain\) has no envelope/);
});
