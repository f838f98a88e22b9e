// The requirement maps of the DIDComm v1 suite's Aries RFCs (suites/requirements/aries-rfc-*.json): each loads
// through the coverage loader (valid against the schema, spec id = file name, unique requirement ids), names only
// checks the suite has, maps a MUST only to MUST-level checks, and names only DIDComm junctions.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { computeCoverage, createCheckRegistry, junctionsOf, loadRequirementMap, requirementsDir } from '../../agtest/index.js';
import { didcommV1Suites } from '../../suites/index.js';

const registry = createCheckRegistry(didcommV1Suites);

/** The RFCs the brief names: those of the suite plus the ones its checks cite. */
const EXPECTED = ['0003', '0005', '0008', '0011', '0019', '0020', '0023', '0025', '0031', '0035', '0048', '0092', '0094', '0095', '0160', '0211', '0434', '0685'];
const files = readdirSync(requirementsDir()).filter((name) => /^aries-rfc-\d{4}\.json$/.test(name));

t.same(files.map((name) => name.slice('aries-rfc-'.length, -'.json'.length)).sort(), EXPECTED, 'one map per Aries RFC of the suite');

for (const file of files) {
  t.test(file, async (t) => {
    const map = loadRequirementMap(path.join(requirementsDir(), file));
    t.equal(map.spec, file.slice(0, -'.json'.length), 'spec id is the file name');
    const { violations } = computeCoverage([map], registry);
    t.same(violations, [], 'every check exists in the suite, a MUST maps only to MUST-level checks, every junction is a DIDComm v1 junction');
    for (const requirement of map.requirements) for (const junction of junctionsOf(requirement)) t.ok(registry.junctions.has(junction), `${requirement.id}: junction ${junction} is a DIDComm v1 junction`);
  });
}
