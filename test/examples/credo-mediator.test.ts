// Credo 0.6.0-alpha as a mediator (its mediator module, on by default, granting without an operator):
// the three mediator junctions through examples/credo/agtest.mediator.config.json, one Credo process
// for all 11 tests. Its profile must equal the committed one (profiles/credo-0.6.0-alpha-mediator.json);
// AGTEST_UPDATE_PROFILE=1 rewrites it. Every verdict that is not a pass was read against the RFC
// text and Credo's code (examples/credo/README.md, "Credo as a mediator").
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfigFile, run } from '../../agtest/index.js';
import { validateProfile, type InteropProfile } from '../../profiles/index.js';
import { DIDCOMM_V1_SUITE_URI } from '../../suites/index.js';
import { withTempDir } from '../helpers/reference-run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples', 'credo');
const committedPath = join(root, 'profiles', 'credo-0.6.0-alpha-mediator.json');

t.test("Credo 0.6.0-alpha's mediator is certified and matches its committed profile", async (t) => {
  const config = await loadConfigFile(join(example, 'agtest.mediator.config.json'), example);
  const summary = await withTempDir((outDir) => run({ config, outDir }));
  if (process.env['AGTEST_UPDATE_PROFILE'] === '1') {
    const stored: InteropProfile = { ...summary.profile, results: (summary.profile.results ?? []).map(({ transcript: _transcript, ...result }) => result) };
    await writeFile(committedPath, `${JSON.stringify(stored, null, 2)}\n`);
  }
  const committed = JSON.parse(await readFile(committedPath, 'utf8')) as InteropProfile;
  t.ok(validateProfile(committed).valid, 'the committed profile is a valid interop profile');
  t.equal(committed.test_suite, DIDCOMM_V1_SUITE_URI, 'the committed profile is of the current suite version');
  t.same(Object.keys(summary.profile.profile).sort(), ['coordinate_mediation.1_0.passive', 'pickup.2_0.passive', 'routing.1_0.passive'], 'the three mediator junctions are scored');
  t.same(summary.profile.profile, committed.profile, 'same scores as measured now');
  const statuses = (results: InteropProfile['results']) => Object.fromEntries((results ?? []).map((r) => [r.test, r.status]));
  t.same(statuses(summary.profile.results), statuses(committed.results), 'every test has the committed status');
  for (const result of committed.results ?? []) if (result.status !== 'pass') t.ok(result.reason, `${result.test} says why`);
  t.same(summary.findings, [], 'no findings');
});
