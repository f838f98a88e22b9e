// The protocol suites run unmodified over every built-in transport: only the adapter changes.
// The same runs keep profiles/reference-agent.json (what the reference agent self-reports) true:
// AGTEST_UPDATE_PROFILE=1 rewrites it from them.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { BUILTIN_TRANSPORTS, referenceAgentConfig, REFERENCE_AGENT_PROFILE, run, type HarnessConfig } from '../../agtest/index.js';
import { DIDCOMM_V1_SUITE_URI } from '../../suites/index.js';
import { FAST_TIMEOUTS, runReference, withTempDir } from '../helpers/reference-run.js';

const UPDATE = process.env['AGTEST_UPDATE_PROFILE'] === '1';
const protocolScores = (profile: Record<string, string>) => Object.fromEntries(Object.entries(profile).filter(([junction]) => !junction.startsWith('transport.') && !junction.startsWith('meta.')));

/** Without a profile to serve (the file is being made), the agent cannot be asked for one. */
function withoutSelfReport(config: HarnessConfig): Partial<HarnessConfig> {
  const command = [...(config.agent.command ?? [])];
  const at = command.indexOf('--profile');
  if (at >= 0) command.splice(at, 2);
  return { agent: { ...config.agent, command }, claims: config.claims.filter((claim) => !claim.startsWith('meta.')) };
}

t.test('the reference agent is interoperable over every built-in transport, with the same protocol profile', async (t) => {
  const profiles: Record<string, Record<string, string>> = {};
  const merged: Record<string, string> = {};
  for (const transport of BUILTIN_TRANSPORTS) {
    const summary = await runReference([], UPDATE ? withoutSelfReport(referenceAgentConfig({ transport })) : {}, transport);
    t.equal(summary.exitCode, 0, `${transport}: every claimed junction interoperable ${JSON.stringify(summary.results.filter((r) => r.status !== 'pass').map((r) => [r.test, r.reason]))}`);
    t.equal(summary.profile.transport, transport);
    t.same(summary.findings, [], `${transport}: no findings`);
    t.same(
      Object.keys(summary.profile.profile).filter((junction) => junction.startsWith('transport.')),
      [`transport.${transport}.passive`, `transport.${transport}.active`],
      `${transport}: its own transport cluster is certified`,
    );
    if (!UPDATE) t.equal(summary.profile.profile['meta.1_0.passive'], 'interoperable', `${transport}: what it self-reports matches what was measured`);
    profiles[transport] = summary.profile.profile;
    for (const [junction, score] of Object.entries(summary.profile.profile)) if (!junction.startsWith('meta.')) merged[junction] = score;
  }
  const [first, ...others] = BUILTIN_TRANSPORTS;
  for (const transport of others) t.same(protocolScores(profiles[transport]!), protocolScores(profiles[first]!), `${transport} and ${first} give the same protocol junctions and scores`);
  t.ok(Object.keys(protocolScores(profiles[first]!)).length >= 7, 'seven protocol junctions or more');

  if (UPDATE) {
    const profile = { test_suite: DIDCOMM_V1_SUITE_URI, agent: { name: 'agtest-reference-agent', version: '0.1.0' }, generated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), profile: merged };
    await writeFile(REFERENCE_AGENT_PROFILE, `${JSON.stringify(profile, null, 2)}\n`);
  }
  const committed = JSON.parse(await readFile(REFERENCE_AGENT_PROFILE, 'utf8')) as { test_suite: string; profile: Record<string, string> };
  t.equal(committed.test_suite, DIDCOMM_V1_SUITE_URI, 'the committed profile is of the current suite version');
  t.same(committed.profile, merged, 'profiles/reference-agent.json is what these runs measured (AGTEST_UPDATE_PROFILE=1 rewrites it)');
});

t.test('claiming envelopes moves every test into RFC 0019 envelopes; without the claim the same tests run in plaintext', async (t) => {
  const filesOf = (dir: string, test: string) => readdir(join(dir, 'transcripts', test)).then((names) => names.filter((name) => name !== 'transcript.json'));
  for (const envelopes of [true, false]) {
    await withTempDir(async (outDir) => {
      const config = referenceAgentConfig({ transport: 'http' });
      const claims = envelopes ? config.claims : config.claims.filter((claim) => !claim.startsWith('envelope.'));
      const summary = await run({ config: { ...config, claims, timeouts: FAST_TIMEOUTS }, outDir });
      t.equal(summary.exitCode, 0, `${envelopes ? 'envelopes' : 'plaintext'}: all interoperable ${JSON.stringify(summary.results.filter((r) => r.status !== 'pass').map((r) => [r.test, r.reason]))}`);
      const extension = envelopes ? /\.dee$/ : /\.dm$/;
      for (const test of ['trust_ping.1_0.passive.responds', 'basicmessage.1_0.active.sends-content', 'message.v1.passive.unknown-major']) {
        const files = await filesOf(outDir, test);
        t.ok(files.length > 0 && files.every((name) => extension.test(name)), `${envelopes ? 'envelopes' : 'plaintext'}: ${test} sent and received only ${extension.source} files (${files.join(', ')})`);
      }
    });
  }
});
