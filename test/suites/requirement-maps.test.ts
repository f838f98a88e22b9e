// The requirement maps of the A2A suite's specs (suites/requirements/a2a-v1.0.json, a2a-v0.3.json, jsonrpc-2.0.json):
// each is valid against the schema, names only checks `agtest list --rules` lists, maps a MUST only to MUST-level
// checks, and names only A2A junctions. The coverage loader checks the same; this keeps the maps honest until then.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import t from 'tap';
import { Ajv } from 'ajv';
import { listRules } from '../../agtest/list/format-rules.js';
import { a2aSuites } from '../../suites/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../suites/requirements');
const schema = JSON.parse(readFileSync(path.join(dir, 'requirements.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

interface Requirement {
  id: string;
  level: string;
  junctions?: string[];
  checks?: string[];
  unchecked?: { reason: string; why: string };
}

const rules = new Map(listRules(a2aSuites).map((row) => [`${row.test}#${row.id}`, row.level]));
const junctions = new Set(a2aSuites.map((suite) => suite.junction));
const MUST_LEVELS = new Set(['MUST', 'MUST NOT']);

for (const spec of ['a2a-v1.0', 'a2a-v0.3', 'jsonrpc-2.0']) {
  t.test(spec, async (t) => {
    const map = JSON.parse(readFileSync(path.join(dir, `${spec}.json`), 'utf8')) as { spec: string; requirements: Requirement[] };
    t.ok(validate(map), `valid against requirements.schema.json: ${JSON.stringify(validate.errors ?? [])}`);
    t.equal(map.spec, spec, 'spec id is the file name');
    t.ok(map.requirements.length > 0, 'the map lists requirements');
    const ids = map.requirements.map((r) => r.id);
    t.equal(new Set(ids).size, ids.length, 'requirement ids are unique');
    for (const requirement of map.requirements) {
      for (const check of requirement.checks ?? []) {
        const level = rules.get(check);
        t.ok(level !== undefined, `${requirement.id}: check ${check} exists in agtest list --rules`);
        if (level !== undefined && MUST_LEVELS.has(requirement.level)) t.ok(MUST_LEVELS.has(level), `${requirement.id} (${requirement.level}) maps to ${check}, whose level is ${level}`);
      }
      for (const junction of requirement.junctions ?? []) t.ok(junctions.has(junction), `${requirement.id}: junction ${junction} is an A2A junction`);
    }
  });
}
