import { fileURLToPath } from 'node:url';
import t from 'tap';
import { compareProfiles, IncomparableProfilesError, type InteropProfile } from '../../profiles/index.js';
import { runCli } from '../helpers/cli.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/profiles/${name}`, import.meta.url));

t.test('profile validate accepts good profiles (and the HIPE minimal shape) and names bad keys by path', async (t) => {
  const good = await runCli(['profile', 'validate', fixture('full.json'), fixture('sparse.json'), fixture('hipe-minimal.json')]);
  t.equal(good.exitCode, 0, String(good.stdout));
  t.match(String(good.stdout), /hipe-minimal\.json: valid profile of https:\/\/example\.org\/hipe-0015-content/);
  t.match(String(good.stdout), /note: suite https:\/\/example\.org\/hipe-0015-content is not one agtest ships/);
  const bad = await runCli(['profile', 'validate', fixture('full.json'), fixture('bad.json')]);
  t.equal(bad.exitCode, 1);
  t.match(String(bad.stdout), /bad\.json: invalid\n\s+\/profile\/trust_ping\.1_0\.passive: is not a valid interop score/);
  const names = await runCli(['profile', 'validate', fixture('other-suite.json')]);
  t.equal(names.exitCode, 0, 'a suite agtest does not ship is schema-checked only');
});

t.test('known-suite profiles are checked for junction and test names', async (t) => {
  const { checkProfile } = await import('../../agtest/profile/check-profile.js');
  const { didcommV1Suites, DIDCOMM_V1_SUITE_URI } = await import('../../suites/index.js');
  const check = checkProfile(
    { test_suite: DIDCOMM_V1_SUITE_URI, profile: { 'no_such.1_0.passive': 'interoperable' }, results: [{ test: 'trust_ping.1_0.passive.nope', status: 'pass' }] },
    [{ uri: DIDCOMM_V1_SUITE_URI, suites: didcommV1Suites }],
  );
  t.notOk(check.ok);
  if (!check.ok) {
    t.match(check.problems, [
      { path: '/profile/no_such.1_0.passive', message: /is not a junction of urn:agtest:suite:didcomm-v1:0\.8/ },
      { path: '/results/0/test', message: /trust_ping\.1_0\.passive\.nope is not a test/ },
    ]);
  }
});

t.test('compare gives the per-junction table, treating absent junctions as divergent', async (t) => {
  const full: InteropProfile = { test_suite: 's', profile: { 'x.1_0.passive': 'interoperable', 'x.1_0.active': 'interoperable', 'y.v1.passive': 'interoperable' } };
  const sparse: InteropProfile = { test_suite: 's', profile: { 'x.1_0.passive': 'constrained (1 of 2)', 'z.1_0.passive': 'interoperable' } };
  const result = compareProfiles(full, sparse, ['x.1_0.passive', 'x.1_0.active', 'y.v1.passive']);
  t.same(
    result.junctions.map((j) => [j.junction, j.verdict]),
    [
      ['x.1_0.active', 'divergent'],
      ['x.1_0.passive', 'constrained'],
      ['y.v1.passive', 'divergent'],
      ['z.1_0.passive', 'divergent'],
    ],
  );
  t.same(result.junctions.find((j) => j.junction === 'z.1_0.passive'), { junction: 'z.1_0.passive', a: 'divergent (absent)', b: 'interoperable', verdict: 'divergent' }, 'an unknown junction is kept and compared');
  t.match(result.clusters.find((c) => c.cluster === 'x.1_0'), { aToB: 'constrained', bToA: 'divergent' }, 'A active ↔ B passive; B has no active side');
  t.match(result.clusters.find((c) => c.cluster === 'y.v1'), { aToB: 'divergent', bToA: 'interoperable' }, 'passive-only cluster: who can receive');
});

t.test('compare refuses profiles of different suite versions, clearly', async (t) => {
  t.throws(() => compareProfiles({ test_suite: 'a:0.1', profile: {} }, { test_suite: 'a:0.2', profile: {} }), IncomparableProfilesError);
  const cli = await runCli(['profile', 'compare', fixture('full.json'), fixture('other-suite.json')]);
  t.equal(cli.exitCode, 2);
  t.match(String(cli.stderr), /the profiles measure different suites \(urn:agtest:suite:didcomm-v1:0\.8 and urn:agtest:suite:didcomm-v1:0\.1\)/);
  const table = await runCli(['profile', 'compare', fixture('full.json'), fixture('sparse.json')]);
  t.equal(table.exitCode, 0);
  t.match(String(table.stdout), /trust_ping\.1_0\.active\s+interoperable\s+constrained \(1 of 2\)\s+constrained/);
  t.match(String(table.stdout), /basicmessage\.1_0: A → B divergent, B → A divergent/);
  t.match(String(table.stdout), /trust_ping\.1_0: A → B interoperable, B → A constrained/);
});
