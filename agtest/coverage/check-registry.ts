import { a2aSuites, didcommV1Suites, type Suite } from '../../suites/index.js';
import { listRules } from '../list/format-rules.js';
import type { CheckRegistry } from './compute-coverage.js';

/** Every check and junction of the built-in suites (what `agtest list --rules` prints for each). */
export function createCheckRegistry(suites: readonly Suite[] = [...didcommV1Suites, ...a2aSuites]): CheckRegistry {
  return {
    rules: new Map(listRules(suites).map((row) => [`${row.test}#${row.id}`, row.level])),
    junctions: new Set(suites.map((suite) => suite.junction)),
  };
}
