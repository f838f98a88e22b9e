// The protocol suites run unmodified over every built-in transport: only the adapter changes.
// The same runs keep profiles/reference-agent.json (what the reference agent self-reports) true:
// AGTEST_UPDATE_PROFILE=1 rewrites it from them.
import { readFile, writeFile } from 'node:fs/promises';
import t from 'tap';
import { BUILTIN_TRANSPORTS, referenceAgentConfig, REFERENCE_AGENT_PROFILE, type HarnessConfig } from '../../agtest/index.js';
import { DIDCOMM_V1_SUITE_URI } from '../../suites/index.js';
import { runReference } from '../helpers/reference-run.js';

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
  // Pickup 2.0 runs on a return route (RFC 0092): SMTP has none, so the reference agent does not claim it there.
  const comparable = (transport: string, profile: Record<string, string>) => Object.fromEntries(Object.entries(protocolScores(profile)).filter(([junction]) => transport !== 'smtp' || !junction.startsWith('pickup.')));
  for (const transport of others) t.same(comparable(transport, profiles[transport]!), comparable(transport, profiles[first]!), `${transport} and ${first} give the same protocol junctions and scores`);
  t.ok(Object.keys(protocolScores(profiles[first]!)).length >= 7, 'seven protocol junctions or more');

  if (UPDATE) {
    const profile = { test_suite: DIDCOMM_V1_SUITE_URI, agent: { name: 'agtest-reference-agent', version: '0.1.0' }, generated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), profile: merged };
    await writeFile(REFERENCE_AGENT_PROFILE, `${JSON.stringify(profile, null, 2)}\n`);
  }
  const committed = JSON.parse(await readFile(REFERENCE_AGENT_PROFILE, 'utf8')) as { test_suite: string; profile: Record<string, string> };
  t.equal(committed.test_suite, DIDCOMM_V1_SUITE_URI, 'the committed profile is of the current suite version');
  t.same(committed.profile, merged, 'profiles/reference-agent.json is what these runs measured (AGTEST_UPDATE_PROFILE=1 rewrites it)');
});
