import { defineSuite, defineTest, type Suite, type TestContext } from '../define.js';
import { agentCard, CARD_PATH, fetchCard, interfaceUrl, LEGACY_CARD_PATH } from './agent-card.js';
import { clip } from './client.js';
import { A2A_V0_3, type A2aVersion } from './protocol-version.js';
import { isObject } from './is-object.js';

/** Required AgentCard members, by version (v1.0 §4.4.1 AgentCard; v0.3 §5.5 AgentCard). */
const REQUIRED: Record<A2aVersion['id'], Record<string, 'string' | 'object' | 'array'>> = {
  '1.0': { name: 'string', description: 'string', version: 'string', supportedInterfaces: 'array', capabilities: 'object', defaultInputModes: 'array', defaultOutputModes: 'array', skills: 'array' },
  '0.3': { name: 'string', description: 'string', url: 'string', version: 'string', protocolVersion: 'string', capabilities: 'object', defaultInputModes: 'array', defaultOutputModes: 'array', skills: 'array' },
};

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

export function cardSuite(v: A2aVersion): Suite {
  return defineSuite({
    cluster: `${v.prefix}.card`,
    mode: 'passive',
    description: `The Agent Card (A2A ${v.id}): served at the well-known path, with the members a ${v.id} client needs`,
    tests: [
      defineTest({
        name: 'served',
        description: `GET ${CARD_PATH} answers 200 with a JSON object as application/json`,
        spec: `${v.cite} Agent Discovery: the well-known URI ${CARD_PATH} (RFC 8615); ${LEGACY_CARD_PATH} is the v0.2 path`,
        async run(t: TestContext) {
          const { answer, card } = await fetchCard(t, v);
          if (answer.status !== 200) {
            const legacy = await fetchCard(t, v, LEGACY_CARD_PATH);
            if (legacy.card) t.fail(`the card is only at ${LEGACY_CARD_PATH}, the A2A v0.2 path; ${v.id} clients look at ${CARD_PATH} (HTTP ${answer.status} there)`);
            t.fail(`GET ${CARD_PATH} answered HTTP ${answer.status}: ${clip(answer.body, 120)}`);
          }
          if (!card) t.fail(`GET ${CARD_PATH}: the body is not a JSON object: ${clip(answer.body, 120)}`);
          const type = answer.headers['content-type'] ?? '';
          t.check(type.toLowerCase().startsWith('application/json'), `GET ${CARD_PATH}: Content-Type ${JSON.stringify(type)}, must be application/json`);
          if (!interfaceUrl(card, v)) t.skip(`the agent card declares no JSON-RPC interface for A2A ${v.id}`);
        },
      }),
      defineTest({
        name: 'required-fields',
        description: `The card has every member ${v.id} requires, with the right types${v.id === '1.0' ? ', and each supportedInterfaces entry has url, protocolBinding and protocolVersion' : ''}`,
        spec: v.id === '1.0' ? 'A2A v1.0 §4.4.1 AgentCard and its AgentInterface and AgentSkill objects (REQUIRED members)' : 'A2A v0.3 §5.5 AgentCard object structure (required members, AgentSkill)',
        async run(t: TestContext) {
          const { card } = await agentCard(t, v);
          const problems: string[] = [];
          for (const [member, type] of Object.entries(REQUIRED[v.id])) {
            if (!(member in card)) problems.push(`${member} is missing`);
            else if (typeOf(card[member]) !== type) problems.push(`${member} is ${typeOf(card[member])}, must be ${type}`);
          }
          if (v.id === '1.0' && Array.isArray(card['supportedInterfaces'])) {
            card['supportedInterfaces'].forEach((entry: unknown, index) => {
              for (const member of ['url', 'protocolBinding', 'protocolVersion']) {
                if (!isObject(entry) || typeof entry[member] !== 'string' || entry[member] === '') problems.push(`supportedInterfaces[${index}].${member} is missing or empty`);
              }
            });
          }
          if (Array.isArray(card['skills'])) {
            card['skills'].forEach((skill: unknown, index) => {
              for (const member of ['id', 'name', 'description']) if (!isObject(skill) || typeof skill[member] !== 'string') problems.push(`skills[${index}].${member} is missing`);
              if (!isObject(skill) || !Array.isArray(skill['tags'])) problems.push(`skills[${index}].tags is missing`);
            });
          }
          t.check(problems.length === 0, `the agent card breaks ${v.id}'s AgentCard: ${problems.join('; ')}`);
          if (v.id === '1.0' && 'url' in card && !interfaceUrl(card, A2A_V0_3)) t.warn('the card has a top-level url, a v0.3 member that v1.0 replaced with supportedInterfaces, and declares no 0.3 interface it would be for');
        },
      }),
      defineTest({
        name: 'caching',
        description: 'The card response carries caching headers (Cache-Control; ETag or Last-Modified)',
        spec: `${v.cite} Agent Discovery, caching: servers SHOULD send Cache-Control and a validator (ETag / Last-Modified) — SHOULD, so a warning`,
        async run(t: TestContext) {
          const { answer } = await agentCard(t, v);
          if (!answer.headers['cache-control']) t.warn('the card response has no Cache-Control header (SHOULD)');
          if (!answer.headers['etag'] && !answer.headers['last-modified']) t.warn('the card response has neither ETag nor Last-Modified (SHOULD)');
        },
      }),
    ],
  });
}
