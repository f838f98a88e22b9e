// A real third-party DIDComm agent: Credo (credo-ts 0.6.0-alpha, installed by npm ci from the
// root package.json) in examples/credo, certified through its own harness config, out-of-band +
// DID exchange + RFC 0019 envelopes included. Its profile must equal the committed one
// (profiles/credo-0.6.0-alpha.json, shown in the README); AGTEST_UPDATE_PROFILE=1 rewrites it.
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
const committedPath = join(root, 'profiles', 'credo-0.6.0-alpha.json');

t.test('Credo 0.6.0-alpha is certified through examples/credo and matches its committed profile', async (t) => {
  const config = await loadConfigFile(join(example, 'agtest.config.json'), example);
  const summary = await withTempDir((outDir) => run({ config, outDir }));
  if (process.env['AGTEST_UPDATE_PROFILE'] === '1') {
    const stored: InteropProfile = { ...summary.profile, results: (summary.profile.results ?? []).map(({ transcript: _transcript, ...result }) => result) };
    await writeFile(committedPath, `${JSON.stringify(stored, null, 2)}\n`);
  }
  const committed = JSON.parse(await readFile(committedPath, 'utf8')) as InteropProfile;
  t.ok(validateProfile(committed).valid, 'the committed profile is a valid interop profile');
  t.equal(committed.test_suite, DIDCOMM_V1_SUITE_URI, 'the committed profile is of the current suite version');
  t.same(summary.profile.profile, committed.profile, 'same scores as measured now');
  const statuses = (results: InteropProfile['results']) => Object.fromEntries((results ?? []).map((r) => [r.test, r.status]));
  t.same(statuses(summary.profile.results), statuses(committed.results), 'every test has the committed status');
  for (const result of committed.results ?? []) if (result.status !== 'pass') t.ok(result.reason, `${result.test} says why`);
  t.same(summary.findings, [], 'no findings');
  // The connection is real: Credo answered agtest's DID exchange and every test ran inside it.
  const connected = summary.results.filter((r) => r.test.startsWith('didexchange.1_1.passive.') && r.status === 'pass');
  t.equal(connected.length, 7, 'DID exchange as responder: the three response checks, complete, a newer-minor request and both refusals pass');
});
