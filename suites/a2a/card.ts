import { defineSuite, defineTest, type Rule, type Suite, type TestContext, type TestDefinition } from '../define.js';
import { agentCard, blockIfCardRefused, cardStanding, cardTest, CARD_PATH, describeTried, discoverCard, interfaceUrl, LEGACY_CARD_PATH, type FoundCard } from './agent-card.js';
import { accessRule, declaredSecurity, enforcedRule, refusalAccount, refusedAtHttp } from './access.js';
import { clip, rpc } from './client.js';
import { NEEDS_CREDENTIALS } from '../define.js';
import { A2A_V0_3, type A2aVersion } from './protocol-version.js';
import { cardV1Tests } from './card-v1.js';

/** The card a card test judges: no card blocks (the `served` test fails for it), another version's card is not-run. */
async function judgedCard(t: TestContext, v: A2aVersion): Promise<FoundCard> {
  const discovery = await discoverCard(t, v);
  blockIfCardRefused(t, discovery);
  const { found, tried } = discovery;
  if (!found) t.block(`no agent card (${describeTried(tried)}), see ${cardTest(v, 'served')}`, cardTest(v, 'served'));
  const standing = cardStanding(found.card, v);
  if (!standing.declared) t.skip(`the agent card declares ${standing.declares}, not A2A ${v.id}`);
  return found;
}

export function cardSuite(v: A2aVersion): Suite {
  const servedRules: Rule[] = [
    {
      id: 'card-available',
      level: 'MUST',
      cite: v.id === '1.0' ? 'A2A v1.0 §8.1 ("A2A Servers MUST make an Agent Card available")' : 'A2A v0.3 §5.1 ("A2A Servers MUST make an Agent Card available")',
      text: `A JSON object card is served at the URL given, at ${CARD_PATH}, or at ${LEGACY_CARD_PATH}`,
    },
    v.id === '1.0'
      ? { id: 'well-known-location', level: 'policy', cite: `agtest policy: A2A v1.0 §8.2 names ${CARD_PATH} as the well-known URI (no requirement keyword)`, text: `A card found through the base URL is at ${CARD_PATH}, not only at the v0.2 path ${LEGACY_CARD_PATH}` }
      : { id: 'well-known-location', level: 'SHOULD', cite: `A2A v0.3 §5.3 Recommended Location (${CARD_PATH})`, text: `A card found through the base URL is at ${CARD_PATH}, not only at the v0.2 path ${LEGACY_CARD_PATH}` },
    { id: 'card-content-type', level: 'policy', cite: 'agtest policy: the card is a JSON document (A2A v1.0 §8.1 / v0.3 §5.1); no text fixes its media type', text: 'The card is served as application/json' },
  ];
  const tests: TestDefinition[] = [
    defineTest({
      name: 'served',
      description: `The card is served as a JSON object: at the URL given, else at ${CARD_PATH} (else the v0.2 ${LEGACY_CARD_PATH}, a deviation)`,
      spec: `${v.cite} ${v.id === '1.0' ? '§8.1 Purpose, §8.2 Discovery Mechanisms' : '§5.1 Purpose, §5.2 Discovery Mechanisms, §5.3 Recommended Location'}`,
      rules: servedRules,
      async run(t: TestContext) {
        const discovery = await discoverCard(t, v);
        blockIfCardRefused(t, discovery);
        const { found, tried } = discovery;
        if (!found) t.fail(`no agent card: ${describeTried(tried)} [MUST, ${servedRules[0]!.cite}]`);
        const standing = cardStanding(found.card, v);
        if (!standing.declared) t.skip(`the agent card declares ${standing.declares}, not A2A ${v.id}`);
        t.verify('well-known-location', found.location !== 'legacy', `the card is only at ${LEGACY_CARD_PATH}, the A2A v0.2 path (${describeTried(tried)}); A2A ${v.id} clients look at ${CARD_PATH}`);
        const type = found.answer.headers['content-type'] ?? '';
        t.verify('card-content-type', type.toLowerCase().startsWith('application/json'), `GET ${found.url}: Content-Type ${JSON.stringify(type)}, not application/json`);
        if (!interfaceUrl(found.card, v) && standing.problems.length === 0) t.skip(`the agent card declares no JSON-RPC interface for A2A ${v.id}`);
      },
    }),
    defineTest({
      name: 'required-fields',
      description: `The card has every member ${v.id} requires, with the right types${v.id === '1.0' ? ', and each supportedInterfaces entry has url, protocolBinding and protocolVersion' : ''}`,
      spec: v.id === '1.0' ? 'A2A v1.0 §4.4.1 AgentCard and its AgentInterface and AgentSkill objects (REQUIRED members)' : 'A2A v0.3 §5.5 AgentCard object structure (required members, AgentSkill)',
      rules: [
        {
          id: 'required-members',
          level: 'MUST',
          cite: v.id === '1.0' ? 'A2A v1.0 §4.4 (AgentCard, AgentInterface, AgentSkill: REQUIRED fields); §5.7 (a REQUIRED field MUST be present)' : 'A2A v0.3 §5.5 AgentCard object structure (AgentCard and AgentSkill required members)',
          text: v.id === '1.0' ? 'name, description, version, supportedInterfaces[] {url, protocolBinding, protocolVersion}, capabilities, defaultInputModes, defaultOutputModes, skills[] {id, name, description, tags}' : 'protocolVersion, name, description, url, version, capabilities, defaultInputModes, defaultOutputModes, skills[] {id, name, description, tags}',
        },
        ...(v.id === '1.0'
          ? [{ id: 'no-stray-url', level: 'policy' as const, cite: 'agtest policy: A2A v1.0 replaced the v0.3 top-level url with supportedInterfaces (§8.3.1)', text: 'A top-level url comes with a 0.3 interface it is for' }]
          : []),
      ],
      async run(t: TestContext) {
        const { card } = await judgedCard(t, v);
        const standing = cardStanding(card, v);
        const problems = standing.declared ? standing.problems : [];
        t.verify('required-members', problems.length === 0, `the agent card breaks ${v.id}'s AgentCard: ${problems.join('; ')}`);
        if (v.id === '1.0') t.verify('no-stray-url', !('url' in card) || interfaceUrl(card, A2A_V0_3) !== undefined, 'the card has a top-level url, a v0.3 member that v1.0 replaced with supportedInterfaces, and declares no 0.3 interface it would be for');
      },
    }),
  ];
  const access = accessRule(v);
  const enforced = enforcedRule(v);
  tests.push(
    defineTest({
      name: 'access',
      description:
        "A JSON-RPC call (with the credentials agtest was given, if any) is not refused at the HTTP layer (401 / 403); an agent that refuses it must declare the security it requires in its card. Refused with the card's security declared: blocked, give credentials. A card that requires security: a send without credentials is not served",
      spec: v.id === '1.0' ? 'A2A v1.0 §7.3 Client Authentication Process, §7.4 Server Authentication Responsibilities' : 'A2A v0.3 §4.3 Client Authentication Process, §4.4 Server Responsibilities for Authentication',
      rules: [access, enforced],
      async run(t: TestContext) {
        const { rpcUrl, card } = await agentCard(t, v);
        // A harmless call every agent answers: a task that cannot exist (its refusal is judged in tasks.passive).
        const answer = await rpc(t, v, rpcUrl, v.methods.get, { id: `agtest-access-${t.newId()}` }, { httpRefusalIsAnswer: true });
        const security = declaredSecurity(card);
        if (!refusedAtHttp(answer)) {
          if (!security.required) return;
          // The card requires credentials: a send without them must be refused (any HTTP refusal or JSON-RPC error), never served.
          const bare = await rpc(t, v, rpcUrl, v.methods.send, { message: v.userMessage('agtest: sent without credentials, to be refused') }, { httpRefusalIsAnswer: true, withoutCredentials: true });
          const served = !refusedAtHttp(bare) && bare.response !== undefined && 'result' in bare.response && !('error' in bare.response);
          t.verify(enforced.id, !served, `${v.methods.send} without credentials was served (HTTP ${bare.status}: ${clip(bare.body, 160)}), though the card requires security (${security.schemes})`);
          return;
        }
        const account = refusalAccount(t, answer, `${v.methods.get} call`, rpcUrl);
        if (security.declared) t.block(account, NEEDS_CREDENTIALS);
        t.verify(access.id, false, account);
      },
    }),
  );
  // Card caching is a v1.0 rule (§8.6.1); v0.3 has no caching text, so it has no such test.
  if (v.id === '1.0') {
    tests.push(
      defineTest({
        name: 'caching',
        description: 'The card response carries Cache-Control (with max-age) and an ETag',
        spec: 'A2A v1.0 §8.6.1 Server Requirements (SHOULD, so warnings)',
        rules: [
          { id: 'cache-control', level: 'SHOULD', cite: 'A2A v1.0 §8.6.1 (Cache-Control with a max-age directive)', text: 'The card response has a Cache-Control header with max-age' },
          { id: 'etag', level: 'SHOULD', cite: 'A2A v1.0 §8.6.1 (ETag derived from the version or a hash of the card)', text: 'The card response has an ETag header' },
        ],
        async run(t: TestContext) {
          const found = await judgedCard(t, v);
          const standing = cardStanding(found.card, v);
          if (standing.declared && standing.problems.length > 0) t.block(`the agent card is not a valid A2A ${v.id} card, see ${cardTest(v, 'required-fields')}`, cardTest(v, 'required-fields'));
          const cacheControl = found.answer.headers['cache-control'];
          t.verify('cache-control', cacheControl !== undefined && /max-age\s*=/i.test(cacheControl), cacheControl === undefined ? 'the card response has no Cache-Control header' : `the card response's Cache-Control ${JSON.stringify(cacheControl)} has no max-age`);
          t.verify('etag', Boolean(found.answer.headers['etag']), 'the card response has no ETag header');
        },
      }),
      ...cardV1Tests(v),
    );
  }
  return defineSuite({
    cluster: `${v.prefix}.card`,
    mode: 'passive',
    description: `The Agent Card (A2A ${v.id}): served where a ${v.id} client finds it, with the members a ${v.id} client needs`,
    tests,
  });
}
