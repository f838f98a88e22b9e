import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMessageWriter } from '../../agtalk/index.js';
import t from 'tap';
import { referenceAgentConfig, run } from '../../agtest/index.js';
import { validateProfile } from '../../profiles/index.js';
import { defineSuite, defineTest, messageType, ofType, type Suite, type TestContext } from '../../suites/index.js';
import { FAST_TIMEOUTS, withTempDir } from '../helpers/reference-run.js';

// Suites written for this test: each outcome of the runner (fail with every MUST, warn at SHOULD,
// blocked, blocked by a failed probe junction) is produced on purpose against the reference agent.
const RULES = [
  { id: 'thid', level: 'MUST', cite: 'Aries RFC 0008 §thid', text: 'the reply is threaded' },
  { id: 'type', level: 'MUST', cite: 'Aries RFC 0048', text: 'the reply is a ping_response' },
  { id: 'timing', level: 'SHOULD', cite: 'test policy text', text: 'the reply is quick' },
] as const;

const probe = defineSuite({
  cluster: 'probe.1_0',
  mode: 'passive',
  description: 'a probe junction whose only test fails',
  tests: [
    defineTest({
      name: 'always-fails',
      description: 'fails on a MUST',
      spec: 'test',
      rules: [RULES[0]],
      async run(t: TestContext) {
        t.verify('thid', false, 'no thread, on purpose');
      },
    }),
  ],
});

const outcomes = defineSuite({
  cluster: 'outcomes.1_0',
  mode: 'passive',
  description: 'every outcome',
  tests: [
    defineTest({
      name: 'passes-with-warning',
      description: 'a real ping round trip; a SHOULD that does not hold only warns',
      spec: 'test',
      rules: [...RULES],
      async run(t: TestContext) {
        const id = t.newId();
        await t.send({ '@type': messageType('trust_ping', '1.0', 'ping'), '@id': id, response_requested: true });
        const response = await t.receive(ofType('trust_ping', 1, 'ping_response'), { description: 'a ping_response' });
        t.verify('thid', (response.message['~thread'] as { thid?: string } | undefined)?.thid === id, 'not threaded');
        t.verify('timing', false, 'slow\u001e on purpose');
      },
    }),
    defineTest({
      name: 'every-must',
      description: 'two MUSTs fail, then a hard check: all three reported',
      spec: 'test',
      rules: [...RULES],
      async run(t: TestContext) {
        t.verify('thid', false, 'first MUST');
        t.verify('type', false, 'second MUST');
        t.check(false, 'third, a hard check');
      },
    }),
    defineTest({
      name: 'blocked',
      description: 'a prerequisite failed elsewhere',
      spec: 'test',
      async run(t: TestContext) {
        t.block('no card, see x', 'outcomes.1_0.passive.every-must');
      },
    }),
    defineTest({
      name: 'needs-probe',
      description: 'requires the probe junction, which failed',
      spec: 'test',
      requires: ['probe.1_0.passive'],
      async run() {
        throw new Error('must not run: its probe junction failed');
      },
    }),
    defineTest({
      name: 'unknown-rule',
      description: 'a check naming a rule the test does not declare is an error of the suite',
      spec: 'test',
      async run(t: TestContext) {
        t.verify('nope', false, 'x');
      },
    }),
  ],
});

const nothingRuns = defineSuite({
  cluster: 'blocked.1_0',
  mode: 'passive',
  description: 'nothing can be tested: the one test needs a junction the agent does not claim',
  tests: [defineTest({ name: 'a', description: 'not run', spec: 'test', requires: ['probe.1_0.passive'], run: async () => undefined })],
});

const falseBlock = defineSuite({
  cluster: 'falseblock.1_0',
  mode: 'passive',
  description: 'a block whose prerequisite passed',
  tests: [
    defineTest({ name: 'prerequisite', description: 'passes', spec: 'test', run: async () => undefined }),
    defineTest({ name: 'dependent', description: 'blocks on a prerequisite that passed', spec: 'test', run: async (t) => t.block('no connection', 'falseblock.1_0.passive.prerequisite') }),
    defineTest({ name: 'unnamed', description: 'blocks naming nothing', spec: 'test', run: async (t) => t.block('something missing') }),
  ],
});

// Each test records a MUST failure, then stops another way: the recorded fault must stay a failure.
const recordedThen = defineSuite({
  cluster: 'recorded.1_0',
  mode: 'passive',
  description: 'a recorded failure, then a block, a skip, a crash',
  tests: [
    defineTest({ name: 'prerequisite', description: 'fails', spec: 'test', rules: [RULES[0]], run: async (t) => void t.verify('thid', false, 'the prerequisite fault') }),
    defineTest({
      name: 'then-blocked',
      description: 'records a MUST, then blocks on a prerequisite that failed',
      spec: 'test',
      rules: [RULES[1]],
      async run(t: TestContext) {
        t.verify('type', false, 'recorded before the block');
        t.block('no card, see prerequisite', 'recorded.1_0.passive.prerequisite');
      },
    }),
    defineTest({
      name: 'then-skipped',
      description: 'records a MUST, then skips',
      spec: 'test',
      rules: [RULES[1]],
      async run(t: TestContext) {
        t.verify('type', false, 'recorded before the skip');
        t.skip('the rest needs an optional feature');
      },
    }),
    defineTest({
      name: 'then-crashed',
      description: 'records a MUST, then the test itself throws',
      spec: 'test',
      rules: [RULES[1]],
      async run(t: TestContext) {
        t.verify('type', false, 'recorded before the crash');
        throw new Error('a defect of the suite');
      },
    }),
    defineTest({ name: 'only-blocked', description: 'blocks having recorded nothing', spec: 'test', run: async (t) => t.block('no card', 'recorded.1_0.passive.prerequisite') }),
  ],
});

async function runSuites(suites: Suite[], claims: string[]) {
  return withTempDir(async (outDir) => {
    const summary = await run({ config: { ...referenceAgentConfig(), timeouts: FAST_TIMEOUTS, claims }, outDir, suites, suiteUri: 'urn:agtest:suite:test:1' });
    return { summary, junit: await readFile(summary.files.junit, 'utf8'), profile: JSON.parse(await readFile(summary.files.profile, 'utf8')) as unknown };
  });
}

t.test('outcomes: every MUST reported, SHOULD warns, blocked counts nowhere', async (t) => {
  const { summary, junit, profile } = await runSuites([probe, outcomes], ['probe.1_0.passive', 'outcomes.1_0.passive']);
  const byName = Object.fromEntries(summary.results.map((r) => [r.test.split('.').pop(), r]));

  t.equal(byName['passes-with-warning']?.status, 'pass', 'a SHOULD that does not hold does not fail');
  t.same(byName['passes-with-warning']?.warnings, ['slow\\u001e on purpose [SHOULD, test policy text]'], 'the warning carries level and citation, control character escaped');

  const every = byName['every-must'];
  t.equal(every?.status, 'fail');
  t.same(every?.failures, ['first MUST [MUST, Aries RFC 0008 §thid]', 'second MUST [MUST, Aries RFC 0048]', 'third, a hard check'], 'all failed checks, in order');
  t.match(every?.reason, /first MUST.*; second MUST.*; third, a hard check/);

  t.equal(byName['blocked']?.status, 'blocked');
  t.equal(byName['blocked']?.blockedBy, 'outcomes.1_0.passive.every-must');
  t.equal(byName['needs-probe']?.status, 'blocked', 'a test whose probe junction failed is blocked, not run');
  t.equal(byName['needs-probe']?.blockedBy, 'probe.1_0.passive');
  t.equal(byName['unknown-rule']?.status, 'error');
  t.match(byName['unknown-rule']?.reason, /rule "nope", which outcomes\.1_0\.passive\.unknown-rule does not declare/);

  // 3 ran (pass, fail, error); the 2 blocked count nowhere.
  t.equal(summary.profile.profile['outcomes.1_0.passive'], 'constrained (1 of 3)');
  t.equal(summary.profile.profile['probe.1_0.passive'], 'divergent');
  t.equal(summary.exitCode, 1);
  t.equal(summary.nothingTested, false);
  t.ok(validateProfile(profile).valid, 'the profile with blocked results passes the schema');
  t.match(junit, /<testcase classname="outcomes\.1_0\.passive" name="blocked"[^>]*>\s*<skipped message="blocked: no card, see x"\/>/);
  t.match(junit, /<failure message="first MUST[^"]*">first MUST/);
});

t.test('a run where nothing could be tested exits non-zero and says so', async (t) => {
  const { summary } = await runSuites([nothingRuns], ['blocked.1_0.passive']);
  t.equal(summary.nothingTested, true);
  t.equal(summary.exitCode, 1);
  t.equal(summary.profile.profile['blocked.1_0.passive'], undefined, 'a junction with no test run has no score');
  t.equal(summary.results[0]?.status, 'not-run');
});

t.test('a block whose prerequisite did not fail is this test’s failure: no fault goes unreported', async (t) => {
  const { summary } = await runSuites([falseBlock], ['falseblock.1_0.passive']);
  const [prerequisite, dependent, unnamed] = summary.results;
  t.equal(prerequisite?.status, 'pass');
  t.equal(dependent?.status, 'fail');
  t.match(dependent?.reason, /^no connection \(counted as this test's failure: falseblock\.1_0\.passive\.prerequisite did not fail in this run/);
  t.equal(unnamed?.status, 'fail');
  t.equal(summary.profile.profile['falseblock.1_0.passive'], 'constrained (1 of 3)');
});

t.test('a message whose @type is not a string is a finding naming its file', (t) =>
  withTempDir(async (outDir) => {
    // The test plays an agent that answers with a numeric @type, by writing into the run's inbox.
    const odd = defineSuite({
      cluster: 'odd.1_0',
      mode: 'passive',
      description: 'a numeric @type arrives',
      tests: [
        defineTest({
          name: 'numeric-type',
          description: 'receives it',
          spec: 'test',
          async run(t: TestContext) {
            const writer = await createMessageWriter(join(outDir, 'agtalk', 'inbox'));
            await writer.write(JSON.stringify({ '@type': 42, '@id': 'n-1' }), 'dm');
            await t.receive((m) => m.message['@id'] === 'n-1', { description: 'the odd message' });
          },
        }),
      ],
    });
    const summary = await run({ config: { ...referenceAgentConfig(), timeouts: FAST_TIMEOUTS, claims: ['odd.1_0.passive'] }, outDir, suites: [odd], suiteUri: 'urn:agtest:suite:test:1' });
    const finding = summary.findings.find((f) => f.kind === 'bad-type');
    t.match(finding, { message: /^\d{6}--\S+\.dm has an @type that is not a string \(42\)/, test: 'odd.1_0.passive.numeric-type' });
    t.equal(summary.results[0]?.status, 'pass', 'the message still reaches the test that judges it');
  }),
);

t.test('a recorded MUST failure survives a later block or skip: the test fails, the stop is a note', async (t) => {
  const { summary, profile } = await runSuites([recordedThen], ['recorded.1_0.passive']);
  const byName = Object.fromEntries(summary.results.map((r) => [r.test.split('.').pop(), r]));
  const blocked = byName['then-blocked'];
  t.equal(blocked?.status, 'fail', 'not blocked: the failure it recorded is its own fault');
  t.same(blocked?.failures, ['recorded before the block [MUST, Aries RFC 0048]'], 'only the recorded failure counts as one');
  t.equal(blocked?.reason, 'recorded before the block [MUST, Aries RFC 0048] (then blocked: no card, see prerequisite)');
  t.equal(blocked?.blockedBy, undefined);
  const skipped = byName['then-skipped'];
  t.equal(skipped?.status, 'fail', 'not not-run');
  t.equal(skipped?.reason, 'recorded before the skip [MUST, Aries RFC 0048] (then skipped: the rest needs an optional feature)');
  const crashed = byName['then-crashed'];
  t.equal(crashed?.status, 'error', 'a crash stays the suite’s error');
  t.same(crashed?.failures, ['recorded before the crash [MUST, Aries RFC 0048]'], 'with the failure it recorded kept');
  t.equal(byName['only-blocked']?.status, 'blocked', 'a block with nothing recorded is still a block');
  t.equal(byName['only-blocked']?.blockedBy, 'recorded.1_0.passive.prerequisite');
  t.ok(validateProfile(profile).valid);
});
