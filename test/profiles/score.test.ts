import t from 'tap';
import { compareProfiles, isValidScore, PROFILE_SCHEMA, SCORE_PATTERN, junctionOf, parseScore, scoreJunction, scoreResults, validateProfile, verdictOf, withMustCoverage, type TestResult } from '../../profiles/index.js';

const result = (test: string, status: TestResult['status']): TestResult => ({ test, status, warnings: [], durationMs: 1 });

t.test('scores follow DESIGN §2', async (t) => {
  const j = 'trust_ping.1_0.passive';
  t.equal(scoreJunction(j, [result(`${j}.a`, 'pass'), result(`${j}.b`, 'pass')]).score, 'interoperable');
  t.equal(scoreJunction(j, [result(`${j}.a`, 'pass'), result(`${j}.b`, 'fail'), result(`${j}.c`, 'pass')]).score, 'constrained (2 of 3)');
  t.equal(scoreJunction(j, [result(`${j}.a`, 'fail'), result(`${j}.b`, 'error')]).score, 'divergent');
  t.equal(scoreJunction(j, [result(`${j}.a`, 'pass'), result(`${j}.b`, 'not-run')]).score, 'interoperable', 'not-run does not count in M');
  t.equal(scoreJunction(j, [result(`${j}.a`, 'not-run')]).score, undefined, 'all not-run: left out of the profile');
  t.equal(scoreJunction(j, [result(`${j}.a`, 'pass'), result(`${j}.b`, 'error')]).score, 'constrained (1 of 2)', 'an error never counts as a pass');
});

t.test('score regex accepts the HIPE forms and rejects the rest', async (t) => {
  for (const ok of ['interoperable', 'divergent', 'constrained', 'constrained (10 of 15)', 'constrained(1 of 2)', 'constrained (1 of 2, no return route)']) t.ok(isValidScore(ok), ok);
  for (const bad of ['Interoperable', 'constrained (a of b)', 'constrained (1 of 2', 'ok', '', 'interoperable ']) t.notOk(isValidScore(bad), JSON.stringify(bad));
});

t.test('the MUST coverage note: on interoperable and constrained when some mapped MUSTs are unchecked, never on divergent', async (t) => {
  const j = 'trust_ping.1_0.active';
  const all = [result(`${j}.a`, 'pass'), result(`${j}.b`, 'pass')];
  const some = [result(`${j}.a`, 'pass'), result(`${j}.b`, 'fail'), result(`${j}.c`, 'pass')];
  t.equal(scoreJunction(j, all, { checked: 5, total: 6 }).score, 'interoperable (5 of 6 MUSTs checked)');
  t.equal(scoreJunction(j, some, { checked: 5, total: 6 }).score, 'constrained (2 of 3; 5 of 6 MUSTs checked)');
  t.equal(scoreJunction(j, [result(`${j}.a`, 'fail')], { checked: 5, total: 6 }).score, 'divergent', 'nothing passed: no note');
  t.equal(scoreJunction(j, all, { checked: 6, total: 6 }).score, 'interoperable', 'every mapped MUST checked: no note');
  t.equal(scoreJunction(j, all).score, 'interoperable', 'no MUSTs mapped: no note');
  t.same(scoreJunction(j, all, { checked: 5, total: 6 }).musts, { checked: 5, total: 6 });
  t.same(
    scoreResults([...all, result('x.1_0.passive.a', 'pass')], new Map([[j, { checked: 1, total: 2 }]])).map((s) => s.score),
    ['interoperable (1 of 2 MUSTs checked)', 'interoperable'],
    'scoreResults notes only the junctions the map names',
  );
  t.equal(withMustCoverage('constrained (1 of 2)', { checked: 0, total: 3 }), 'constrained (1 of 2; 0 of 3 MUSTs checked)');
  for (const ok of ['interoperable (5 of 6 MUSTs checked)', 'constrained (2 of 3; 5 of 6 MUSTs checked)']) t.ok(isValidScore(ok), ok);
  for (const bad of ['interoperable (5 of 6)', 'interoperable (5 of 6 MUSTs)', 'divergent (1 of 2 MUSTs checked)', 'interoperable(5 of 6 MUSTs checked)']) t.notOk(isValidScore(bad), JSON.stringify(bad));
});

t.test('parseScore / verdictOf read every score form, with or without the note', async (t) => {
  t.same(parseScore('interoperable'), { verdict: 'interoperable' });
  t.same(parseScore('interoperable (5 of 6 MUSTs checked)'), { verdict: 'interoperable', musts: { checked: 5, total: 6 } });
  t.same(parseScore('constrained (2 of 3)'), { verdict: 'constrained', passed: 2, ran: 3 });
  t.same(parseScore('constrained (2 of 3; 5 of 6 MUSTs checked)'), { verdict: 'constrained', passed: 2, ran: 3, musts: { checked: 5, total: 6 } });
  t.same(parseScore('constrained (1 of 2, no return route)'), { verdict: 'constrained', passed: 1, ran: 2 }, "a HIPE-style free note is not the coverage note");
  t.same(parseScore('constrained'), { verdict: 'constrained' });
  t.same(parseScore('divergent'), { verdict: 'divergent' });
  t.equal(parseScore('interoperable!'), undefined);
  t.equal(verdictOf('interoperable (5 of 6 MUSTs checked)'), 'interoperable');
  t.equal(verdictOf('constrained (2 of 3; 5 of 6 MUSTs checked)'), 'constrained');
  t.equal(verdictOf(undefined), 'divergent', 'a junction left out is divergent');
  t.equal(verdictOf('nonsense'), 'divergent');
});

t.test('validate and compare accept scores with the note', async (t) => {
  const a = { test_suite: 's', profile: { 'x.1_0.active': 'interoperable (5 of 6 MUSTs checked)', 'x.1_0.passive': 'constrained (2 of 3; 5 of 6 MUSTs checked)' }, coverage: { 'x.1_0.active': { musts: 6, checked: 5 } } };
  const b = { test_suite: 's', profile: { 'x.1_0.active': 'interoperable', 'x.1_0.passive': 'interoperable (1 of 2 MUSTs checked)' } };
  t.ok(validateProfile(a).valid, 'the schema accepts the note and the coverage object');
  t.ok(validateProfile(b).valid);
  t.notOk(validateProfile({ test_suite: 's', profile: { 'x.1_0.active': 'interoperable (5 of 6)' } }).valid, 'a note that is not the coverage note is refused on interoperable');
  const comparison = compareProfiles(a, b);
  t.same(comparison.junctions.map((j) => [j.junction, j.verdict]), [['x.1_0.active', 'interoperable'], ['x.1_0.passive', 'constrained']]);
  t.same(comparison.clusters, [{ cluster: 'x.1_0', aToB: 'interoperable', bToA: 'constrained' }]);
});

t.test("the schema's score pattern is SCORE_PATTERN (one syntax, wherever a profile is read)", async (t) => {
  const schema = PROFILE_SCHEMA as { properties: { profile: { additionalProperties: { pattern: string } } } };
  t.equal(schema.properties.profile.additionalProperties.pattern, SCORE_PATTERN.source);
});

t.test('junctionOf cuts at the mode', async (t) => {
  t.equal(junctionOf('trust_ping.1_0.passive.responds'), 'trust_ping.1_0.passive');
  t.equal(junctionOf('a2a.v1_0.jsonrpc.active.x.y'), 'a2a.v1_0.jsonrpc.active');
  t.throws(() => junctionOf('no.mode.here'));
});
