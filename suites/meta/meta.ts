import { parseScore } from '../../profiles/index.js';
import { defineSuite, defineTest, type JsonMessage, type Rule, type TestContext } from '../define.js';
import { parsePid, query } from '../didcomm-v1/discover-features.js';
import { threadId } from '../didcomm-v1/message-type.js';
import { clustersOfProtocol } from '../didcomm-v1/protocols.js';

/** agtest's agent-metadata 1.0 family (docs/agent-metadata-1.0.md). */
const PREFIX = 'https://agtest.dev/protocols/agent-metadata/1.0/';
const SPEC = 'agtest agent-metadata 1.0 (docs/agent-metadata-1.0.md); HIPE 0015 interop profiles; the A2A TCK rule: a capability advertised but not delivered is false advertising';

/**
 * Orders scores: interoperable > constrained (by share passed) > divergent. The MUST coverage note
 * is what agtest's maps say, not what the agent did, so it does not rank.
 */
function rank(score: string): number {
  const parsed = parseScore(score);
  if (parsed?.verdict === 'interoperable') return 1;
  if (parsed?.verdict === 'constrained' && parsed.passed !== undefined && parsed.ran !== undefined && parsed.ran > 0) return parsed.passed / parsed.ran;
  return 0;
}

const measuredHere = (t: TestContext) => Object.entries(t.measured()).filter(([junction]) => !junction.startsWith('meta.'));

const DOC = 'agtest agent-metadata 1.0 (docs/agent-metadata-1.0.md)';
/** The doc's own wording: "A responder never drops a request silently and never fails on one: every input gets a reply." */
const REPLY: Rule = {
  id: 'reply',
  level: 'MUST',
  cite: `${DOC}, problem-report ("A responder never drops a request silently and never fails on one: every input gets a reply") and response ("~thread.thid is the request's @id")`,
  text: 'a request for the interop profile of the suite being run gets a reply threaded to it',
};
const RESPONSE_SHAPE: Rule = {
  id: 'response-shape',
  level: 'MUST',
  cite: `${DOC}, response ("answers has exactly one entry per what item, in the same order; each echoes the suite URI"; an entry carries "a full interop profile whose test_suite is that URI"); HIPE 0015 ({test_suite, profile})`,
  text: 'a response answers for the suite asked with an interop profile of that suite',
};
const HOLDS_PROFILE: Rule = {
  id: 'holds-profile',
  level: 'policy',
  cite: `agtest policy: ${DOC}, Using it → Certification (an agent that claims meta.1_0 is asked for its profile); a problem-report no-profile-for-suite is a legal reply`,
  text: 'an agent that claims meta.1_0 holds a profile of the suite it is run against',
};
const FALSE_ADVERTISING = `${DOC}, Using it → Certification ("every junction it self-reports better than measured is reported as false advertising"; "The same goes for a protocol it discloses in discover-features whose junction was measured divergent"); HIPE 0015 interop profiles`;

/** The agent's self-reported profile for this suite, or undefined when it holds none (a legal reply, a warning here). */
async function askProfile(t: TestContext): Promise<Record<string, unknown> | undefined> {
  const id = t.newId();
  await t.send({ '@type': `${PREFIX}request`, '@id': id, what: [{ 'interop-profile': t.suite }] });
  const reply = await t.receive((m) => threadId(m.message) === id, { description: `an agent-metadata response to request ${id} [${REPLY.level}, ${REPLY.cite}]` });
  const type = reply.message['@type'];
  if (type === `${PREFIX}problem-report`) {
    t.verify('holds-profile', false, `the agent claims meta.1_0 but answered the request for its ${t.suite} profile with a problem-report: ${JSON.stringify((reply.message as JsonMessage)['description'])}`);
    return undefined;
  }
  t.check(type === `${PREFIX}response`, `the reply to an agent-metadata request has @type ${JSON.stringify(type)}, expected ${PREFIX}response [${RESPONSE_SHAPE.level}, ${RESPONSE_SHAPE.cite}]`);
  const answers = reply.message['answers'];
  const answer = Array.isArray(answers) ? (answers[0] as Record<string, unknown> | undefined) : undefined;
  t.check(answer?.['interop-profile'] === t.suite, `the response does not answer for ${t.suite}: ${JSON.stringify(answers)?.slice(0, 200)} [${RESPONSE_SHAPE.level}, ${RESPONSE_SHAPE.cite}]`);
  if (answer['problem'] !== undefined && answer['profile'] === undefined) {
    t.verify('holds-profile', false, `the agent claims meta.1_0 but answered for ${t.suite} with problem ${JSON.stringify(answer['problem'])}`);
    return undefined;
  }
  const profile = answer['profile'] as { test_suite?: unknown; profile?: unknown } | undefined;
  t.check(profile?.test_suite === t.suite && typeof profile.profile === 'object' && profile.profile !== null, `the self-reported profile is not a profile of ${t.suite}: ${JSON.stringify(profile)?.slice(0, 200)} [${RESPONSE_SHAPE.level}, ${RESPONSE_SHAPE.cite}]`);
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
      rules: [
        REPLY,
        RESPONSE_SHAPE,
        HOLDS_PROFILE,
        { id: 'no-false-advertising', level: 'MUST', cite: FALSE_ADVERTISING, text: 'no junction is self-reported better than this run measured it' },
        { id: 'reports-measured', level: 'policy', cite: 'agtest policy: HIPE 0015 (a sparse profile reads as divergent); no text requires every junction', text: 'the self-reported profile names every junction this run measured' },
      ],
      async run(t: TestContext) {
        const measured = measuredHere(t);
        if (measured.length === 0) t.skip('nothing else was measured in this run, so there is nothing to compare the self-reported profile with');
        const claimed = await askProfile(t);
        if (!claimed) return;
        const false_ = measured.flatMap(([junction, score]) => {
          const said = claimed[junction];
          return typeof said === 'string' && rank(said) > rank(score) ? [`${junction} self-reports ${said}, measured ${score}`] : [];
        });
        t.verify('no-false-advertising', false_.length === 0, `false advertising: ${false_.join('; ')}`);
        const unsaid = measured.filter(([junction]) => claimed[junction] === undefined).map(([junction]) => junction);
        t.verify('reports-measured', unsaid.length === 0, `the self-reported profile leaves out measured junction(s) ${unsaid.join(', ')}`);
      },
    }),
    defineTest({
      name: 'disclosures-delivered',
      description: 'No protocol the agent discloses for query "*" has a junction this run measured divergent.',
      spec: `${SPEC}; Aries RFC 0031 (a disclose lists protocols the agent supports)`,
      requires: ['discover_features.1_0.passive'],
      rules: [{ id: 'no-false-advertising', level: 'MUST', cite: `${FALSE_ADVERTISING}; Aries RFC 0031 (a disclose lists protocols the agent supports)`, text: 'no protocol disclosed for query "*" has a junction this run measured divergent' }],
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
        t.verify('no-false-advertising', false_.length === 0, `false advertising: ${false_.join('; ')}`);
      },
    }),
  ],
});
