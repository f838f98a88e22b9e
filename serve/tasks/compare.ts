/**
 * compare_profiles: two interop profiles, given in the request or by the requestIds of earlier
 * certify requests of the same key, → the comparison profiles/ computes (per junction and per
 * cluster, both directions). Profiles of different suites are refused, not guessed.
 */
import { compareProfiles, IncomparableProfilesError, validateProfile, type InteropProfile, type ProfileComparison } from '../../profiles/index.js';
import type { JobStore } from '../jobs/job-store.js';

export type CompareOutcome = { ok: true; result: { a: ProfileSource; b: ProfileSource; comparison: ProfileComparison } } | { ok: false; error: string };

interface ProfileSource {
  from: 'request' | 'certify';
  requestId?: string;
  agent?: InteropProfile['agent'];
  testSuite: string;
}

/** One side: the profile itself, or the profile of the key's own completed certify request. */
function resolveSide(input: Record<string, unknown>, field: string, store: JobStore, keyId: string): { ok: true; profile: InteropProfile; source: ProfileSource } | { ok: false; error: string } {
  const keys = Object.keys(input);
  if (keys.length === 1 && typeof input['requestId'] === 'string') {
    const id = input['requestId'];
    const job = store.get(id);
    // Another key's request is "no such request", as on GET /requests/{id}.
    if (!job || job.keyId !== keyId) return { ok: false, error: `${field}.requestId: no request ${id}` };
    if (job.taskType !== 'certify') return { ok: false, error: `${field}.requestId: request ${id} is a ${job.taskType}, not a certify request` };
    if (job.status !== 'completed') return { ok: false, error: `${field}.requestId: request ${id} is ${job.status}, not completed` };
    const profile = (job.result as { profile?: unknown } | null)?.profile;
    const checked = validateProfile(profile);
    if (!checked.valid) return { ok: false, error: `${field}.requestId: request ${id} holds no valid profile` };
    return { ok: true, profile: checked.profile, source: { from: 'certify', requestId: id, ...(checked.profile.agent ? { agent: checked.profile.agent } : {}), testSuite: checked.profile.test_suite } };
  }
  const checked = validateProfile(input);
  if (!checked.valid) return { ok: false, error: `${field} is neither {"requestId": …} nor a valid interop profile: ${checked.problems.slice(0, 5).map((p) => `${p.path} ${p.message}`).join('; ')}` };
  return { ok: true, profile: checked.profile, source: { from: 'request', ...(checked.profile.agent ? { agent: checked.profile.agent } : {}), testSuite: checked.profile.test_suite } };
}

export function compareRequested(profiles: Record<string, unknown>[], store: JobStore, keyId: string): CompareOutcome {
  const a = resolveSide(profiles[0]!, 'profiles[0]', store, keyId);
  if (!a.ok) return a;
  const b = resolveSide(profiles[1]!, 'profiles[1]', store, keyId);
  if (!b.ok) return b;
  try {
    return { ok: true, result: { a: a.source, b: b.source, comparison: compareProfiles(a.profile, b.profile) } };
  } catch (error) {
    if (error instanceof IncomparableProfilesError) return { ok: false, error: `profiles: ${error.message}` };
    throw error;
  }
}
