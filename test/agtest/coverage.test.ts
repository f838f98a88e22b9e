// The requirement-map loader and the coverage computation, on small fixture maps with exact counts, and
// `agtest coverage`'s own logic (exit codes, violations) on fixture folders. The CLI itself: coverage-cli.test.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { computeCoverage, createCheckRegistry, loadRequirementMap, loadRequirementMaps, RequirementsInvalidError, totalOf, type CheckRegistry } from '../../agtest/index.js';
import { runCoverageCommand } from '../../agtest/coverage/coverage-command.js';

const fixtures = (name: string) => fileURLToPath(new URL(`../fixtures/requirements/${name}`, import.meta.url));

const registry: CheckRegistry = {
  rules: new Map([
    ['x.1_0.passive.answers#thid', 'MUST'],
    ['x.1_0.passive.answers#alive', 'MUST NOT'],
    ['x.1_0.active.sends#alive', 'MUST'],
    ['x.1_0.passive.answers#fast', 'SHOULD'],
    ['y.1_0.passive.works#ok', 'MUST'],
  ]),
  junctions: new Set(['x.1_0.passive', 'x.1_0.active', 'y.1_0.passive']),
};
const none = { 'not-yet': 0, 'needs-auth': 0, 'needs-second-agent': 0, 'needs-operator': 0, 'not-observable': 0, 'client-side': 0, 'out-of-scope': 0 };

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

t.test('the loader rejects a broken map, naming the file and the JSON path', async (t) => {
  const file = `${fixtures('broken')}/broken-map.json`;
  const error = (() => {
    try {
      loadRequirementMap(file);
      return undefined;
    } catch (caught) {
      return caught;
    }
  })();
  t.ok(error instanceof RequirementsInvalidError, 'a RequirementsInvalidError');
  t.match(error, { code: 'AGTEST_REQUIREMENTS_INVALID', file, path: '/requirements/1/level' });
  t.match((error as Error).message, /broken-map\.json is invalid: \/requirements\/1\/level must be one of "MUST", "MUST NOT"/);
  t.throws(() => loadRequirementMaps(fixtures('broken')), { code: 'AGTEST_REQUIREMENTS_INVALID', path: '/requirements/1/level' }, 'loading the folder fails the same way');
  t.throws(() => loadRequirementMaps(fixtures('no-such-folder')), { code: 'AGTEST_REQUIREMENTS_INVALID' }, 'a folder that is not there');
});

t.test("the loader reads the package's maps (from source here; from dist/ when installed)", async (t) => {
  const maps = loadRequirementMaps();
  const specs = maps.map((map) => map.spec);
  for (const spec of ['a2a-v1.0', 'a2a-v0.3', 'jsonrpc-2.0', 'aries-rfc-0048']) t.ok(specs.includes(spec), `${spec} is loaded`);
  t.same(specs, [...specs].sort(), 'sorted by spec id');
});

t.test('compute on a small map gives exact counts per spec and per junction', async (t) => {
  const coverage = computeCoverage([loadRequirementMap(`${fixtures('small')}/small-spec.json`)], registry);
  t.same(coverage.violations, [], 'no violations');
  t.same(coverage.specs, [{ spec: 'small-spec', title: 'A small spec for the coverage tests', requirements: 7, musts: { total: 6, checked: 3, unchecked: { ...none, 'not-yet': 1, 'needs-auth': 1, 'client-side': 1 }, observable: 4, percent: 75 } }]);
  t.same(coverage.junctions, [
    { junction: 'x.1_0.active', specs: ['small-spec'], musts: { total: 1, checked: 1, unchecked: none, observable: 1, percent: 100 } },
    { junction: 'x.1_0.passive', specs: ['small-spec'], musts: { total: 4, checked: 2, unchecked: { ...none, 'not-yet': 1, 'needs-auth': 1 }, observable: 3, percent: 66.7 } },
    { junction: 'y.1_0.passive', specs: ['small-spec'], musts: { total: 1, checked: 1, unchecked: none, observable: 1, percent: 100 } },
  ]);
  t.same(
    coverage.unchecked.map((u) => [u.id, u.reason, u.junctions]),
    [
      ['m3', 'not-yet', ['x.1_0.passive']],
      ['m4', 'needs-auth', ['x.1_0.passive']],
      ['m5', 'client-side', []],
    ],
  );
  t.match(coverage.unchecked[0], { spec: 'small-spec', section: '§2', level: 'MUST', quote: 'A MUST page.', why: 'no check yet' });

  const filtered = computeCoverage([loadRequirementMap(`${fixtures('small')}/small-spec.json`)], registry, { junction: 'x.1_0.passive' });
  t.same(filtered.specs[0]?.musts, { total: 4, checked: 2, unchecked: { ...none, 'not-yet': 1, 'needs-auth': 1 }, observable: 3, percent: 66.7 }, 'a junction filter counts only what is mapped to it');
  t.same(filtered.junctions.map((j) => j.junction), ['x.1_0.passive']);
  t.same(filtered.unchecked.map((u) => u.id), ['m3', 'm4']);
});

t.test('a check agtest does not have, a MUST mapped to a SHOULD check, an unknown junction: violations with file and path', async (t) => {
  const maps = [loadRequirementMap(`${fixtures('small')}/small-spec.json`), loadRequirementMap(`${fixtures('mistakes')}/other-spec.json`)];
  const coverage = computeCoverage(maps, registry, { spec: 'small-spec' });
  t.same(coverage.specs.map((s) => s.spec), ['small-spec'], 'the spec filter');
  t.match(coverage.violations, [
    { spec: 'other-spec', path: '/requirements/0/checks/0', message: /weak is a MUST, but check x\.1_0\.passive\.answers#fast is SHOULD/ },
    { spec: 'other-spec', path: '/requirements/1/checks/0', message: /check x\.1_0\.passive\.nope#none is not one agtest has/ },
    { spec: 'other-spec', path: '/requirements/2/junctions/0', message: /junction z\.1_0\.passive is not one agtest has/ },
  ]);
  t.equal(coverage.violations.length, 3, 'violations are listed whatever the filter');
  t.match(coverage.violations[0]?.file, /mistakes\/other-spec\.json$/);
});

t.test('agtest coverage: exit 0 with a report, 2 on violations, a broken map or a filter that names nothing', async (t) => {
  const good = capture();
  t.equal(runCoverageCommand({ unchecked: true, json: false, dir: fixtures('small') }, good.io), 2, 'the fixture checks are not in the real registry: violations, exit 2');
  t.match(good.err(), /small-spec\.json: \/requirements\/0\/checks\/0: m1: check x\.1_0\.passive\.answers#thid is not one agtest has/);
  t.match(good.out(), /small-spec\s+6\s+3\s+4\s+75\.0 %\s+1 not-yet, 1 needs-auth, 1 client-side/);

  t.throws(() => runCoverageCommand({ unchecked: false, json: false, dir: fixtures('broken') }, capture().io), { code: 'AGTEST_REQUIREMENTS_INVALID' }, 'a broken map is thrown (the CLI exits 2 with its message and code)');

  const unknown = capture();
  t.equal(runCoverageCommand({ spec: 'no-such-spec', unchecked: false, json: false }, unknown.io), 2);
  t.match(unknown.err(), /no requirement map for spec no-such-spec; the maps are: .*a2a-v1\.0/);
  const nowhere = capture();
  t.equal(runCoverageCommand({ junction: 'no_such.1_0.passive', unchecked: false, json: false }, nowhere.io), 2);
  t.match(nowhere.err(), /no requirement is mapped to junction no_such\.1_0\.passive/);
});

t.test("the README's Coverage table is what agtest coverage measures (update it when the maps change)", async (t) => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const coverage = computeCoverage(loadRequirementMaps(), createCheckRegistry());
  const row = (name: string) => new RegExp(`^\\| ${name.replace(/[.*()]/g, '\\$&')} \\| (\\d+) \\| (\\d+) \\| (\\d+) \\| ([\\d.]+) % \\|`, 'm').exec(readme)?.slice(1).map(Number);
  const expect = (musts: { total: number; checked: number; observable: number; percent: number | null }) => [musts.total, musts.checked, musts.observable, musts.percent ?? 0];
  for (const spec of ['a2a-v1.0', 'a2a-v0.3', 'jsonrpc-2.0']) {
    const measured = coverage.specs.find((s) => s.spec === spec);
    t.same(row(`\`${spec}\``), measured && expect(measured.musts), `${spec}: README row = agtest coverage`);
  }
  const aries = coverage.specs.filter((s) => s.spec.startsWith('aries-rfc-'));
  t.same(row(`\`aries-rfc-*\` (${aries.length} RFCs)`), expect(totalOf(aries)), 'the Aries RFCs, summed');
  t.same(row('all'), expect(totalOf(coverage.specs)), 'all specs');
});
