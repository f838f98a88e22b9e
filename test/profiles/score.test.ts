import t from 'tap';
import { isValidScore, junctionOf, scoreJunction, type TestResult } from '../../profiles/index.js';

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

t.test('junctionOf cuts at the mode', async (t) => {
  t.equal(junctionOf('trust_ping.1_0.passive.responds'), 'trust_ping.1_0.passive');
  t.equal(junctionOf('a2a.v1_0.jsonrpc.active.x.y'), 'a2a.v1_0.jsonrpc.active');
  t.throws(() => junctionOf('no.mode.here'));
});
