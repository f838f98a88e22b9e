import type { Writable } from 'node:stream';
import { createChalk } from '../reporters/console-reporter.js';
import { createCheckRegistry } from './check-registry.js';
import { computeCoverage, junctionsOf, type CoverageFilter } from './compute-coverage.js';
import { coverageJson, formatCoverage, formatViolations } from './format-coverage.js';
import { loadRequirementMaps } from './load-requirements.js';

export interface CoverageCommandOptions extends CoverageFilter {
  /** List every unchecked MUST with its section, quote, reason and why. */
  unchecked: boolean;
  json: boolean;
  /** Another folder of maps (tests); default the package's suites/requirements/. */
  dir?: string;
}

export interface CoverageIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
}

/**
 * `agtest coverage`. Exit 0 with the report; 2 when a map is invalid (schema: thrown as
 * AGTEST_REQUIREMENTS_INVALID; a check or junction agtest lacks, or a MUST mapped to a weaker check:
 * listed on stderr) or the filter names no spec / junction of the maps.
 */
export function runCoverageCommand(options: CoverageCommandOptions, io: CoverageIo): number {
  const maps = loadRequirementMaps(options.dir);
  const filter: CoverageFilter = { ...(options.spec === undefined ? {} : { spec: options.spec }), ...(options.junction === undefined ? {} : { junction: options.junction }) };
  if (filter.spec !== undefined && !maps.some((map) => map.spec === filter.spec)) {
    io.stderr.write(`agtest: no requirement map for spec ${filter.spec}; the maps are: ${maps.map((map) => map.spec).join(', ')}\n`);
    return 2;
  }
  if (filter.junction !== undefined && !maps.some((map) => map.requirements.some((r) => junctionsOf(r).includes(filter.junction!)))) {
    io.stderr.write(`agtest: no requirement is mapped to junction ${filter.junction} (agtest list shows the junctions)\n`);
    return 2;
  }
  const coverage = computeCoverage(maps, createCheckRegistry(), filter);
  if (options.json) io.stdout.write(`${JSON.stringify(coverageJson(coverage, filter), null, 2)}\n`);
  else io.stdout.write(formatCoverage(coverage, { unchecked: options.unchecked, c: createChalk(io.stdout) }));
  if (coverage.violations.length > 0) {
    io.stderr.write(formatViolations(coverage));
    io.stderr.write(`agtest: ${coverage.violations.length} problems in the requirement maps [AGTEST_REQUIREMENTS_INVALID]\n`);
    return 2;
  }
  return 0;
}
