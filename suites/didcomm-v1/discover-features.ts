import { defineSuite, defineTest, type TestContext } from '../define.js';
import { checkWellFormed, messageType, ofType, parseMessageType, threadId, wellFormedRules, DIDCOMM_PREFIX, LEGACY_PREFIX } from './message-type.js';
import { protocolOfCluster } from './protocols.js';

const RFC = 'Aries RFC 0031 (Discover Features 1.0)';
const isDisclose = ofType('discover-features', 1, 'disclose');
const isQuery = ofType('discover-features', 1, 'query');
const PROTOCOLS_FIELD = `${RFC}, disclose: "The protocols field is a JSON array of protocol support descriptor objects that match the query. Each descriptor has a pid"`;

export async function query(t: TestContext, pattern: string) {
  const id = t.newId();
  await t.send({ '@type': messageType('discover-features', '1.0', 'query'), '@id': id, query: pattern });
  const disclose = await t.receive(isDisclose, { description: `a disclose answering query ${JSON.stringify(pattern)} (${id})` });
  const protocols = disclose.message['protocols'];
  t.check(Array.isArray(protocols), `disclose has no protocols array (got ${JSON.stringify(protocols)}) [MUST, ${PROTOCOLS_FIELD}]`);
  return { id, disclose, protocols: protocols as unknown[] };
}

/** `https://didcomm.org/trust_ping/1.0` → family + major; a pid is a protocol URI without a name. */
export function parsePid(pid: unknown): { family: string; major: number } | undefined {
  if (typeof pid !== 'string') return undefined;
  const type = parseMessageType(`${pid.replace(/\/$/, '')}/x`);
  return type && { family: type.family, major: type.major };
}

/** RFC 0031 queries are protocol URIs with `*` wildcards; the legacy prefix names the same protocols. */
function matchesQuery(pid: string, pattern: string): boolean {
  const normal = (uri: string) => (uri.startsWith(LEGACY_PREFIX) ? DIDCOMM_PREFIX + uri.slice(LEGACY_PREFIX.length) : uri);
  const regex = new RegExp(`^${normal(pattern).split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(normal(pid));
}

/** The descriptors that are not objects with a string pid. */
function badDescriptors(protocols: unknown[]): unknown[] {
  return protocols.filter((entry) => typeof entry !== 'object' || entry === null || typeof (entry as Record<string, unknown>)['pid'] !== 'string');
}

export const discoverFeaturesPassive = defineSuite({
  cluster: 'discover_features.1_0',
  mode: 'passive',
  description: 'The agent answers discover-features queries.',
  tests: [
    defineTest({
      name: 'discloses-claimed',
      description: 'query "*" gets a disclose of protocol descriptors; one that withholds a protocol the agent claims is a warning (RFC 0031 allows withholding).',
      spec: `${RFC}, "disclose": protocols lists what the agent supports that matches the query`,
      rules: [
        ...wellFormedRules('disclose', 'policy'),
        { id: 'descriptors', level: 'MUST', cite: PROTOCOLS_FIELD, text: 'protocols is an array of descriptor objects, each with a pid string' },
        {
          id: 'claimed-disclosed',
          level: 'policy',
          cite: `${RFC}, Sparse Responses: a disclose that leaves a protocol out says "I'm not telling you", which an agent may (agtest policy: an agent discloses what it claims)`,
          text: 'the disclose for "*" names every protocol the agent claims a junction of',
        },
      ],
      async run(t: TestContext) {
        const { disclose, protocols } = await query(t, '*');
        checkWellFormed(t, disclose, 'discover-features', 1, 'disclose');
        const bad = badDescriptors(protocols);
        t.verify('descriptors', bad.length === 0, `disclose lists ${bad.length} entr${bad.length === 1 ? 'y' : 'ies'} that are not descriptor objects with a pid: ${JSON.stringify(bad).slice(0, 200)}`);
        const disclosed = protocols.map((entry) => parsePid((entry as Record<string, unknown> | null)?.['pid']));
        const claimed = [...t.claims].map((junction) => protocolOfCluster(junction)).filter((p) => p !== undefined);
        const missing = [...new Set(claimed.map((p) => `${p.family}/${p.major}.x`))].filter(
          (wanted) => !disclosed.some((d) => d !== undefined && `${d.family}/${d.major}.x` === wanted),
        );
        t.verify('claimed-disclosed', missing.length === 0, `disclose for "*" omits claimed protocol(s): ${missing.join(', ')}`);
      },
    }),
    defineTest({
      name: 'thread-id',
      description: 'The disclose ~thread.thid is the query @id.',
      spec: `${RFC}, "disclose" is threaded to the query (Aries RFC 0008)`,
      rules: [
        {
          id: 'thread',
          level: 'MUST',
          cite: `Aries RFC 0008, Threaded Messages ("The ~thread decorator is generally required on any type of response") and Thread ID; ${RFC}, States (request~response)`,
          text: "the disclose's ~thread.thid is the query's @id",
        },
      ],
      async run(t: TestContext) {
        const { id, disclose } = await query(t, '*');
        t.verify('thread', threadId(disclose.message) === id, `disclose ~thread.thid is ${JSON.stringify(threadId(disclose.message))}, expected the query @id ${id}`);
      },
    }),
    defineTest({
      name: 'unknown-protocol-empty',
      description: 'A query for a protocol the agent does not know gets a disclose that lists nothing outside the query (an empty list; made-up matches are allowed).',
      spec: `${RFC}, "disclose": only protocols matching the query are listed`,
      rules: [
        {
          id: 'matches-query',
          level: 'MUST',
          cite: `${PROTOCOLS_FIELD}; Privacy Considerations allow "made-up message family names as matches"`,
          text: 'every pid disclosed for a query matches the query',
        },
      ],
      async run(t: TestContext) {
        const id = t.newId();
        const pattern = 'https://didcomm.org/agtest-no-such-protocol/*';
        await t.send({ '@type': messageType('discover-features', '1.0', 'query'), '@id': id, query: pattern });
        const disclose = await t.receive(isDisclose, { description: `a disclose answering the query for an unknown protocol (${id})` });
        const protocols = disclose.message['protocols'];
        t.check(Array.isArray(protocols), `disclose has no protocols array (got ${JSON.stringify(protocols)}) [MUST, ${PROTOCOLS_FIELD}]`);
        const outside = protocols.filter((entry) => {
          const pid = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['pid'] : undefined;
          return typeof pid !== 'string' || !matchesQuery(pid, pattern);
        });
        t.verify('matches-query', outside.length === 0, `disclose for the unknown protocol ${pattern} lists ${JSON.stringify(outside).slice(0, 300)}, which do not match the query (expected [])`);
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
      rules: [
        ...wellFormedRules('query', 'policy'),
        { id: 'query-field', level: 'MUST', cite: `${RFC}, query: "Please tell me what your capabilities are with respect to the protocols that match this string"; "The query field may use the * wildcard"`, text: 'query is a non-empty string' },
      ],
      async run(t: TestContext) {
        await t.act('send-query', { query: '*' });
        const received = await t.receive(isQuery, { description: 'a discover-features query after agact send-query' });
        checkWellFormed(t, received, 'discover-features', 1, 'query');
        const pattern = received.message['query'];
        t.verify('query-field', typeof pattern === 'string' && pattern.length > 0, `query field is ${JSON.stringify(pattern)}, must be a non-empty string`);
      },
    }),
  ],
});
