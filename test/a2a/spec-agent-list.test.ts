// ListTasks pagination (v1.0 §3.1.4; a2a.proto ListTasksRequest.page_size, page_token; ListTasksResponse)
// proven both ways on the spec agent (fixtures/spec-agent.mjs, written from the spec text, no code shared
// with the reference agent or any SDK): one fault, one failure, the tests that need what it broke blocked.
import t from 'tap';
import { certify, deviate, failed, result, vary, warned } from './spec-agent-run.js';

const V1 = 'a2a.v1_0';
const LIST = `${V1}.tasks.passive.list`;
const PAGINATION = `${V1}.tasks.passive.list-pagination`;
const DEFAULT = `${V1}.tasks.passive.list-default-page-size`;
const ONLY = [`${V1}.card`, LIST, PAGINATION, DEFAULT];
const reasonOf = (summary: Awaited<ReturnType<typeof certify>>, test: string) => result(summary, test)?.reason ?? '';
const blockedBy = (summary: Awaited<ReturnType<typeof certify>>, test: string) => [result(summary, test)?.status, result(summary, test)?.blockedBy];

t.test('legal: a default page of 20, a full page followed by an empty one ending in "", pages capped below pageSize: every list test passes, no warning', async (t) => {
  const summary = await certify(['--versions', '1.0', ...vary('list-small-default', 'list-trailing-empty-page')], [...ONLY, `${V1}.tasks.passive.list-filters`, `${V1}.tasks.passive.list-order`]);
  t.same(failed(summary), []);
  t.same(warned(summary), []);
  for (const test of [LIST, PAGINATION, DEFAULT, `${V1}.tasks.passive.list-filters`, `${V1}.tasks.passive.list-order`]) t.equal(result(summary, test)?.status, 'pass', test);
  const capped = await certify(['--versions', '1.0', '--page-cap', '2'], ONLY);
  t.same(failed(capped), []);
  t.same(warned(capped), []);
  for (const test of [LIST, PAGINATION, DEFAULT]) t.equal(result(capped, test)?.status, 'pass', test);
});

t.test('deviation: nextPageToken left out: the list test fails, the pagination tests are blocked by it', async (t) => {
  const summary = await certify(['--versions', '1.0', ...deviate('list-without-page-token')], ONLY);
  t.same(failed(summary), [LIST]);
  t.match(reasonOf(summary, LIST), /nextPageToken is undefined; it MUST always be present/);
  t.same(blockedBy(summary, PAGINATION), ['blocked', LIST]);
  t.same(blockedBy(summary, DEFAULT), ['blocked', LIST]);
  t.same(warned(summary), []);
});

t.test('deviation: pageSize ignored (every task on one page): list-pagination fails, list-default-page-size is blocked by it', async (t) => {
  const summary = await certify(['--versions', '1.0', ...deviate('list-ignores-page-size')], ONLY);
  t.same(failed(summary), [PAGINATION]);
  t.match(reasonOf(summary, PAGINATION), /with pageSize 1 returned 3 tasks/);
  t.notMatch(reasonOf(summary, PAGINATION), /nextPageToken/, 'nothing remains after a page holding every task: "" is right');
  t.same(blockedBy(summary, DEFAULT), ['blocked', PAGINATION]);
  t.equal(result(summary, LIST)?.status, 'pass');
  t.same(warned(summary), []);
});

t.test('deviation: nextPageToken "" while tasks remain: list-pagination fails, list-default-page-size is blocked by it', async (t) => {
  const summary = await certify(['--versions', '1.0', ...deviate('list-token-empty-early')], ONLY);
  t.same(failed(summary), [PAGINATION]);
  t.match(reasonOf(summary, PAGINATION), /nextPageToken is "" though 2 remain; it must lead to the rest/);
  t.same(blockedBy(summary, DEFAULT), ['blocked', PAGINATION]);
  t.equal(result(summary, LIST)?.status, 'pass');
  t.same(warned(summary), []);
});

t.test('deviation: a default page of 100: list-default-page-size fails alone', async (t) => {
  const summary = await certify(['--versions', '1.0', ...deviate('list-default-100')], ONLY);
  t.same(failed(summary), [DEFAULT]);
  t.match(reasonOf(summary, DEFAULT), /without pageSize returned 51 tasks; at most 50/);
  t.notMatch(reasonOf(summary, DEFAULT), /nextPageToken/, 'all 51 listed: "" is right');
  t.equal(result(summary, PAGINATION)?.status, 'pass');
  t.same(warned(summary), []);
});
