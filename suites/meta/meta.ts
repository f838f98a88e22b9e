import { defineSuite, defineTest, type JsonMessage, type TestContext } from '../define.js';
import { parsePid, query } from '../didcomm-v1/discover-features.js';
import { threadId } from '../didcomm-v1/message-type.js';
import { clustersOfProtocol } from '../didcomm-v1/protocols.js';

/** agtest's agent-metadata 1.0 family (docs/agent-metadata-1.0.md). */
const PREFIX = 'https://agtest.dev/protocols/agent-metadata/1.0/';
const SPEC = 'agtest agent-metadata 1.0 (docs/agent-metadata-1.0.md); HIPE 0015 interop profiles; the A2A TCK rule: a capability advertised but not delivered is false advertising';

/** Orders scores: interoperable > constrained (by share passed) > divergent. */
function rank(score: string): number {
  if (score === 'interoperable') return 1;
  const constrained = /^constrained \((\d+) of (\d+)\)$/.exec(score);
  if (constrained) return Number(constrained[1]) / Number(constrained[2]);
  return 0;
}

const measuredHere = (t: TestContext) => Object.entries(t.measured()).filter(([junction]) => !junction.startsWith('meta.'));

async function askProfile(t: TestContext): Promise<Record<string, unknown>> {
  const id = t.newId();
  await t.send({ '@type': `${PREFIX}request`, '@id': id, what: [{ 'interop-profile': t.suite }] });
  const reply = await t.receive((m) => threadId(m.message) === id, { description: `an agent-metadata response to request ${id}` });
  const type = reply.message['@type'];
  if (type === `${PREFIX}problem-report`) {
    t.fail(`the agent claims meta.1_0 but answered the request for its ${t.suite} profile with a problem-report: ${JSON.stringify((reply.message as JsonMessage)['description'])}`);
  }
  t.check(type === `${PREFIX}response`, `the reply to an agent-metadata request has @type ${JSON.stringify(type)}, expected ${PREFIX}response`);
  const answers = reply.message['answers'];
  const answer = Array.isArray(answers) ? (answers[0] as Record<string, unknown> | undefined) : undefined;
  t.check(answer?.['interop-profile'] === t.suite, `the response does not answer for ${t.suite}: ${JSON.stringify(answers)?.slice(0, 200)}`);
  const profile = answer['profile'] as { test_suite?: unknown; profile?: unknown } | undefined;
  t.check(profile?.test_suite === t.suite && typeof profile.profile === 'object' && profile.profile !== null, `the self-reported profile is not a profile of ${t.suite}: ${JSON.stringify(profile)?.slice(0, 200)}`);
  return profile.profile as Record<string, unknown>;
}

export const metaPassive = defineSuite({
  cluster: 'meta.1_0',
  mode: 'passive',
  description: 'What the agent says about itself matches what this run measured (runs last).',
  tests: [
    defineTest({
      name: 'profile-matches-measured',
      description: 'Asked for its interop profile, the agent self-reports no junction better than this run measured it.',
      spec: SPEC,
      async run(t: TestContext) {
        const claimed = await askProfile(t);
        const measured = measuredHere(t);
        t.check(measured.length > 0, 'nothing else was measured in this run, so there is nothing to compare the self-reported profile with');
        const false_ = measured.flatMap(([junction, score]) => {
          const said = claimed[junction];
          return typeof said === 'string' && rank(said) > rank(score) ? [`${junction} self-reports ${said}, measured ${score}`] : [];
        });
        t.check(false_.length === 0, `false advertising: ${false_.join('; ')}`);
        const unsaid = measured.filter(([junction]) => claimed[junction] === undefined).map(([junction]) => junction);
        if (unsaid.length > 0) t.warn(`the self-reported profile leaves out measured junction(s) ${unsaid.join(', ')}`);
      },
    }),
    defineTest({
      name: 'disclosures-delivered',
      description: 'No protocol the agent discloses for query "*" has a junction this run measured divergent.',
      spec: `${SPEC}; Aries RFC 0031 (a disclose lists protocols the agent supports)`,
      requires: ['discover_features.1_0.passive'],
      async run(t: TestContext) {
        const { protocols } = await query(t, '*');
        const measured = Object.fromEntries(measuredHere(t));
        const false_ = protocols.flatMap((entry) => {
          const pid = parsePid((entry as Record<string, unknown> | null)?.['pid']);
          if (!pid) return [];
          return clustersOfProtocol(pid.family, pid.major).flatMap((cluster) =>
            ['active', 'passive'].map((mode) => `${cluster}.${mode}`).filter((junction) => measured[junction] === 'divergent').map((junction) => `discloses ${pid.family}/${pid.major}.x, but ${junction} measured divergent`),
          );
        });
        t.check(false_.length === 0, `false advertising: ${false_.join('; ')}`);
      },
    }),
  ],
});
