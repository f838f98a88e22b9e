import { defineSuite, defineTest, type TestContext } from '../define.js';
import { checkWellFormed, messageType, ofType, parseMessageType, threadId } from './message-type.js';
import { protocolOfCluster } from './protocols.js';

const RFC = 'Aries RFC 0031 (Discover Features 1.0)';
const isDisclose = ofType('discover-features', 1, 'disclose');
const isQuery = ofType('discover-features', 1, 'query');

export async function query(t: TestContext, pattern: string) {
  const id = t.newId();
  await t.send({ '@type': messageType('discover-features', '1.0', 'query'), '@id': id, query: pattern });
  const disclose = await t.receive(isDisclose, { description: `a disclose answering query ${JSON.stringify(pattern)} (${id})` });
  checkWellFormed(t, disclose, 'discover-features', 1, 'disclose');
  const protocols = disclose.message['protocols'];
  t.check(Array.isArray(protocols), `disclose has no protocols array (got ${JSON.stringify(protocols)})`);
  return { id, disclose, protocols: protocols as unknown[] };
}

/** `https://didcomm.org/trust_ping/1.0` → family + major; a pid is a protocol URI without a name. */
export function parsePid(pid: unknown): { family: string; major: number } | undefined {
  if (typeof pid !== 'string') return undefined;
  const type = parseMessageType(`${pid.replace(/\/$/, '')}/x`);
  return type && { family: type.family, major: type.major };
}

export const discoverFeaturesPassive = defineSuite({
  cluster: 'discover_features.1_0',
  mode: 'passive',
  description: 'The agent answers discover-features queries.',
  tests: [
    defineTest({
      name: 'discloses-claimed',
      description: 'query "*" discloses at least every protocol the agent claims.',
      spec: `${RFC}, "disclose": protocols lists what the agent supports that matches the query`,
      async run(t: TestContext) {
        const { protocols } = await query(t, '*');
        const disclosed = protocols.map((entry) => parsePid((entry as Record<string, unknown> | null)?.['pid']));
        const claimed = [...t.claims].map((junction) => protocolOfCluster(junction)).filter((p) => p !== undefined);
        const missing = [...new Set(claimed.map((p) => `${p.family}/${p.major}.x`))].filter(
          (wanted) => !disclosed.some((d) => d !== undefined && `${d.family}/${d.major}.x` === wanted),
        );
        t.check(missing.length === 0, `disclose for "*" omits claimed protocol(s): ${missing.join(', ')}`);
      },
    }),
    defineTest({
      name: 'thread-id',
      description: 'The disclose ~thread.thid is the query @id.',
      spec: `${RFC}, "disclose" is threaded to the query (Aries RFC 0008)`,
      async run(t: TestContext) {
        const { id, disclose } = await query(t, '*');
        t.check(threadId(disclose.message) === id, `disclose ~thread.thid is ${JSON.stringify(threadId(disclose.message))}, expected the query @id ${id}`);
      },
    }),
    defineTest({
      name: 'unknown-protocol-empty',
      description: 'A query for a protocol the agent does not know gets a disclose with an empty protocols list.',
      spec: `${RFC}, "disclose": only protocols matching the query are listed`,
      async run(t: TestContext) {
        const id = t.newId();
        await t.send({ '@type': messageType('discover-features', '1.0', 'query'), '@id': id, query: 'https://didcomm.org/agtest-no-such-protocol/*' });
        const disclose = await t.receive(isDisclose, { description: `a disclose answering the query for an unknown protocol (${id})` });
        const protocols = disclose.message['protocols'];
        t.check(Array.isArray(protocols) && protocols.length === 0, `disclose for an unknown protocol lists ${JSON.stringify(protocols)}, expected []`);
      },
    }),
  ],
});

export const discoverFeaturesActive = defineSuite({
  cluster: 'discover_features.1_0',
  mode: 'active',
  description: 'The agent sends discover-features queries when asked.',
  tests: [
    defineTest({
      name: 'sends-query',
      description: 'agact send-query makes a well-formed query arrive.',
      spec: `${RFC}, "query": query is a string (a protocol URI, * wildcards allowed)`,
      async run(t: TestContext) {
        await t.act('send-query', { query: '*' });
        const received = await t.receive(isQuery, { description: 'a discover-features query after agact send-query' });
        checkWellFormed(t, received, 'discover-features', 1, 'query');
        const pattern = received.message['query'];
        t.check(typeof pattern === 'string' && pattern.length > 0, `query field is ${JSON.stringify(pattern)}, must be a non-empty string`);
      },
    }),
  ],
});
