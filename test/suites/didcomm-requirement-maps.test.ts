// The requirement maps of the DIDComm v1 suite's Aries RFCs (suites/requirements/aries-rfc-*.json): each is valid
// against the schema, names only checks the suite has, maps a MUST only to MUST-level checks, and names only
// DIDComm junctions when unchecked. The coverage loader checks the same; this keeps the maps honest until then.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import t from 'tap';
import { Ajv } from 'ajv';
import { listRules } from '../../agtest/list/format-rules.js';
import { didcommV1Suites } from '../../suites/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../suites/requirements');
const schema = JSON.parse(readFileSync(path.join(dir, 'requirements.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

interface Requirement {
  id: string;
  level: string;
  quote: string;
  junctions?: string[];
  checks?: string[];
  unchecked?: { reason: string; why: string };
}

const rules = new Map(listRules(didcommV1Suites).map((row) => [`${row.test}#${row.id}`, row.level]));
const junctions = new Set(didcommV1Suites.map((suite) => suite.junction));
const MUST_LEVELS = new Set(['MUST', 'MUST NOT']);

/** The RFCs the brief names: those of the suite plus the ones its checks cite. */
const EXPECTED = ['0003', '0005', '0008', '0011', '0019', '0020', '0023', '0025', '0031', '0035', '0048', '0092', '0094', '0095', '0160', '0211', '0434', '0685'];
const files = readdirSync(dir).filter((name) => /^aries-rfc-\d{4}\.json$/.test(name));

t.same(files.map((name) => name.slice('aries-rfc-'.length, -'.json'.length)).sort(), EXPECTED, 'one map per Aries RFC of the suite');

for (const file of files) {
  t.test(file, async (t) => {
    const map = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { spec: string; requirements: Requirement[] };
    t.ok(validate(map), `valid against requirements.schema.json: ${JSON.stringify(validate.errors ?? [])}`);
    t.equal(map.spec, file.slice(0, -'.json'.length), 'spec id is the file name');
    const ids = map.requirements.map((r) => r.id);
    t.equal(new Set(ids).size, ids.length, 'requirement ids are unique');
    for (const requirement of map.requirements) {
      for (const check of requirement.checks ?? []) {
        const level = rules.get(check);
        t.ok(level !== undefined, `${requirement.id}: check ${check} exists in agtest list --rules`);
        if (level !== undefined && MUST_LEVELS.has(requirement.level)) t.ok(MUST_LEVELS.has(level), `${requirement.id} (${requirement.level}) maps to ${check}, whose level is ${level}`);
      }
      for (const junction of requirement.junctions ?? []) t.ok(junctions.has(junction), `${requirement.id}: junction ${junction} is a DIDComm v1 junction`);
    }
  });
}
