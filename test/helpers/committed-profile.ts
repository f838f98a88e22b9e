// A committed profile (profiles/*.json, shown in the README) must be what a run measures now:
// the scores and each test's status. AGTEST_UPDATE_PROFILE=1 rewrites the file from the run.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { RunSummary } from '../../agtest/index.js';
import { validateProfile, type InteropProfile } from '../../profiles/index.js';

const PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));

export async function matchesCommitted(t: Test, file: string, summary: RunSummary, suiteUri: string): Promise<InteropProfile> {
  const path = join(PROFILES, file);
  if (process.env['AGTEST_UPDATE_PROFILE'] === '1') {
    const { profile } = summary;
    const stored: InteropProfile = { ...profile, results: (profile.results ?? []).map(({ transcript: _transcript, ...result }) => result) };
    await writeFile(path, `${JSON.stringify(stored, null, 2)}\n`);
  }
  const committed = JSON.parse(await readFile(path, 'utf8')) as InteropProfile;
  t.ok(validateProfile(committed).valid, `${file} is a valid interop profile`);
  t.equal(committed.test_suite, suiteUri, `${file} is of the current suite version`);
  t.same(summary.profile.profile, committed.profile, `${file}: same scores as measured now (AGTEST_UPDATE_PROFILE=1 rewrites it)`);
  const statuses = (results: InteropProfile['results']) => Object.fromEntries((results ?? []).map((r) => [r.test, r.status]));
  t.same(statuses(summary.profile.results), statuses(committed.results), `${file}: every test has the committed status`);
  for (const result of committed.results ?? []) if (result.status !== 'pass') t.ok(result.reason, `${file}: ${result.test} says why`);
  return committed;
}
