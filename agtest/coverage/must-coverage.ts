import type { MustCoverage } from '../../profiles/index.js';
import { createCheckRegistry } from './check-registry.js';
import { computeCoverage } from './compute-coverage.js';
import { loadRequirementMaps } from './load-requirements.js';

let cached: ReadonlyMap<string, MustCoverage> | undefined;

/**
 * Junction → its mapped MUSTs and how many have a check, from the package's requirement maps: what
 * a profile's scores say when a claimed junction is not fully checked. Read once per process (the
 * maps ship with agtest); an invalid map throws AGTEST_REQUIREMENTS_INVALID.
 */
export function mustCoverageByJunction(): ReadonlyMap<string, MustCoverage> {
  cached ??= new Map(computeCoverage(loadRequirementMaps(), createCheckRegistry()).junctions.map((j) => [j.junction, { checked: j.musts.checked, total: j.musts.total }]));
  return cached;
}
