import { readFile } from 'node:fs/promises';
import { isValidScore, validateProfile, type InteropProfile, type ProfileProblem } from '../../profiles/index.js';
import type { Suite } from '../../suites/index.js';

export interface KnownSuite {
  uri: string;
  suites: readonly Suite[];
}

export type ProfileCheck = { ok: true; profile: InteropProfile; notes: string[] } | { ok: false; problems: ProfileProblem[] };

/**
 * Schema, score syntax, and — for a suite agtest knows — junction and test names that exist in
 * that suite version. A profile of an unknown suite is checked against the schema only (noted).
 */
export function checkProfile(value: unknown, known: readonly KnownSuite[]): ProfileCheck {
  const schema = validateProfile(value);
  if (!schema.valid) return { ok: false, problems: schema.problems };
  const { profile } = schema;
  const problems: ProfileProblem[] = [];
  const notes: string[] = [];
  for (const [junction, score] of Object.entries(profile.profile)) {
    if (!isValidScore(score)) problems.push({ path: `/profile/${junction}`, message: `${JSON.stringify(score)} is not a valid interop score` });
  }
  const suite = known.find((k) => k.uri === profile.test_suite);
  if (!suite) {
    notes.push(`suite ${profile.test_suite} is not one agtest ships; junction and test names were not checked`);
    return problems.length ? { ok: false, problems } : { ok: true, profile, notes };
  }
  const junctions = new Set(suite.suites.map((s) => s.junction));
  const tests = new Set(suite.suites.flatMap((s) => s.tests.map((t) => `${s.junction}.${t.name}`)));
  for (const junction of Object.keys(profile.profile)) {
    if (!junctions.has(junction)) problems.push({ path: `/profile/${junction}`, message: `is not a junction of ${suite.uri} (known: ${[...junctions].join(', ')})` });
  }
  (profile.results ?? []).forEach((result, index) => {
    if (!tests.has(result.test)) problems.push({ path: `/results/${index}/test`, message: `${result.test} is not a test of ${suite.uri}` });
  });
  return problems.length ? { ok: false, problems } : { ok: true, profile, notes };
}

export async function readProfileFile(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}
