import t from 'tap';
import { AGENT_METADATA_TYPES, answerMetadata, answerMetadataRequest, MAX_METADATA_ITEMS, type InteropProfile } from '../../profiles/index.js';

const ours: InteropProfile = { test_suite: 'urn:agtest:suite:didcomm-v1:0.8', profile: { 'trust_ping.1_0.passive': 'interoperable' } };
const other: InteropProfile = { test_suite: 'urn:example:other:1', profile: { 'x.1_0.passive': 'constrained (1 of 2)' } };
const ask = (...suites: string[]) => ({ what: suites.map((suite) => ({ 'interop-profile': suite })) });

t.test('a batch is answered item by item, in the order asked', async (t) => {
  const reply = answerMetadata(ask(other.test_suite, 'urn:nobody', ours.test_suite), [ours, other]);
  t.same(reply, {
    kind: 'response',
    answers: [
      { 'interop-profile': other.test_suite, profile: other },
      { 'interop-profile': 'urn:nobody', problem: 'no-profile-for-suite' },
      { 'interop-profile': ours.test_suite, profile: ours },
    ],
  });
});

t.test('a request none of whose suites has a profile is a no-profile-for-suite problem', async (t) => {
  t.same(answerMetadata(ask('urn:nobody'), [ours]), { kind: 'problem', problem: { code: 'no-profile-for-suite', explain: 'no interop profile for urn:nobody' } });
  t.match(answerMetadata(ask(ours.test_suite), []), { kind: 'problem', problem: { code: 'no-profile-for-suite' } }, 'an agent holding no profile at all');
});

t.test('malformed requests get a malformed-request problem that says what is wrong, never an exception', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['no what', { '@type': AGENT_METADATA_TYPES.request }, /must have required property 'what'/],
    ['what is a string', { what: 'interop-profile' }, /\/what must be array/],
    ['what is empty', { what: [] }, /\/what must NOT have fewer than 1 items/],
    ['item is a string', { what: [ours.test_suite] }, /\/what\/0 must be object/],
    ['item without interop-profile', { what: [{ profile: ours.test_suite }] }, /\/what\/0 must have required property 'interop-profile'/],
    ['suite uri is a number', { what: [{ 'interop-profile': 7 }] }, /\/what\/0\/interop-profile must be string/],
    ['suite uri is empty', { what: [{ 'interop-profile': '' }] }, /\/what\/0\/interop-profile must NOT have fewer than 1 characters/],
    ['suite uri is huge', { what: [{ 'interop-profile': 'u'.repeat(10_000) }] }, /must NOT have more than 512 characters/],
    ['@id is not a string', { '@id': 12, ...ask(ours.test_suite) }, /\/@id must be string/],
    ['null', null, /\(the request\) must be object/],
    ['an array', [ask(ours.test_suite)], /\(the request\) must be object/],
    ['a string', 'what', /\(the request\) must be object/],
  ];
  for (const [name, request, explain] of cases) {
    const reply = answerMetadata(request, [ours]);
    t.equal(reply.kind, 'problem', name);
    if (reply.kind === 'problem') {
      t.equal(reply.problem.code, 'malformed-request', name);
      t.match(reply.problem.explain, explain, name);
    }
  }
});

t.test('huge arrays are refused as too-many-items before any item is looked at', async (t) => {
  const huge = { what: Array.from({ length: 100_000 }, () => ({ 'interop-profile': ours.test_suite })) };
  t.same(answerMetadata(huge, [ours]), { kind: 'problem', problem: { code: 'too-many-items', explain: `100000 items asked; at most ${MAX_METADATA_ITEMS} per request` } });
  const atLimit = answerMetadata({ what: Array.from({ length: MAX_METADATA_ITEMS }, () => ({ 'interop-profile': ours.test_suite })) }, [ours]);
  t.equal(atLimit.kind, 'response', `${MAX_METADATA_ITEMS} items is still answered`);
  const garbage = answerMetadata({ what: Array.from({ length: MAX_METADATA_ITEMS + 1 }, () => 'junk') }, [ours]);
  t.match(garbage, { kind: 'problem', problem: { code: 'too-many-items' } });
});

t.test('as DIDComm: response and problem-report are typed and threaded to the request', async (t) => {
  const ids = ['reply-1', 'reply-2', 'reply-3'];
  const newId = () => ids.shift()!;
  const response = answerMetadataRequest({ '@type': AGENT_METADATA_TYPES.request, '@id': 'req-1', ...ask(ours.test_suite) }, [ours], newId);
  t.same(response, { '@type': AGENT_METADATA_TYPES.response, '@id': 'reply-1', '~thread': { thid: 'req-1' }, answers: [{ 'interop-profile': ours.test_suite, profile: ours }] });
  const problem = answerMetadataRequest({ '@type': AGENT_METADATA_TYPES.request, '@id': 'req-2', what: {} }, [ours], newId);
  t.same(problem, { '@type': AGENT_METADATA_TYPES.problemReport, '@id': 'reply-2', '~thread': { thid: 'req-2' }, description: { code: 'malformed-request', en: '/what must be array' } });
  const unthreadable = answerMetadataRequest({ '@id': 'x'.repeat(1000), ...ask(ours.test_suite) }, [ours], newId);
  t.equal(unthreadable['@type'], AGENT_METADATA_TYPES.problemReport, 'an oversized @id is malformed');
  t.notOk('~thread' in unthreadable, 'and is not echoed back as a thread id');
});
