// The requirement maps of the A2A suite's specs (suites/requirements/a2a-v1.0.json, a2a-v0.3.json, jsonrpc-2.0.json):
// each loads through the coverage loader (valid against the schema, spec id = file name, unique requirement ids),
// names only checks `agtest list --rules` lists, maps a MUST only to MUST-level checks, and names only A2A junctions.
import path from 'node:path';
import t from 'tap';
import { computeCoverage, createCheckRegistry, junctionsOf, loadRequirementMap, requirementsDir } from '../../agtest/index.js';
import { a2aSuites } from '../../suites/index.js';

const registry = createCheckRegistry(a2aSuites);

for (const spec of ['a2a-v1.0', 'a2a-v0.3', 'jsonrpc-2.0']) {
  t.test(spec, async (t) => {
    const map = loadRequirementMap(path.join(requirementsDir(), `${spec}.json`));
    t.equal(map.spec, spec, 'spec id is the file name');
    t.ok(map.requirements.length > 0, 'the map lists requirements');
    const { violations } = computeCoverage([map], registry);
    t.same(violations, [], 'every check exists in agtest list --rules, a MUST maps only to MUST-level checks, every junction is an A2A junction');
    for (const requirement of map.requirements) for (const junction of junctionsOf(requirement)) t.ok(registry.junctions.has(junction), `${requirement.id}: junction ${junction} is an A2A junction`);
  });
}
