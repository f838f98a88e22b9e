// The MUST coverage note in a real run: a claimed junction with mapped MUSTs that have no check says so in the
// profile ("interoperable (N of M MUSTs checked)"); one whose mapped MUSTs are all checked does not; the run still
// exits 0 (the verdict is interoperable) and the profile carries the counts.
import t from 'tap';
import { computeCoverage, createCheckRegistry, loadRequirementMaps } from '../../agtest/index.js';
import { runReference } from '../helpers/reference-run.js';

const junctions = computeCoverage(loadRequirementMaps(), createCheckRegistry()).junctions;
const mustsOf = (junction: string) => junctions.find((j) => j.junction === junction)?.musts;

// trust_ping.1_0.active has a MUST no check can see (not-observable); the passive side has every MUST checked.
// If the maps change, pick two junctions that still show the difference.
const partial = 'trust_ping.1_0.active';
const full = 'trust_ping.1_0.passive';

t.test('the maps still give the two cases this test needs', async (t) => {
  const p = mustsOf(partial);
  const f = mustsOf(full);
  t.ok(p && p.checked < p.total, `${partial}: some mapped MUSTs unchecked (${p?.checked} of ${p?.total})`);
  t.ok(f && f.checked === f.total && f.total > 0, `${full}: every mapped MUST checked (${f?.checked} of ${f?.total})`);
});

t.test('a run of the reference agent: the note appears exactly where MUSTs are unchecked', async (t) => {
  const summary = await runReference([], { claims: [full, partial] });
  const p = mustsOf(partial)!;
  const f = mustsOf(full)!;
  t.equal(summary.profile.profile[partial], `interoperable (${p.checked} of ${p.total} MUSTs checked)`);
  t.equal(summary.profile.profile[full], 'interoperable', 'every mapped MUST checked: the plain verdict');
  t.same(summary.profile.coverage, { [full]: { musts: f.total, checked: f.checked }, [partial]: { musts: p.total, checked: p.checked } }, 'the counts, per junction');
  t.equal(summary.exitCode, 0, 'the verdict is still interoperable: exit 0');
});
