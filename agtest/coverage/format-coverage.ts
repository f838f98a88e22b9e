import type { ChalkInstance } from 'chalk';
import { UNCHECKED_REASONS } from './load-requirements.js';
import { totalOf, type Coverage, type CoverageFilter, type MustCounts } from './compute-coverage.js';

/** Version of the `agtest coverage --json` shape (README, "Coverage"); bump on a breaking change. */
export const COVERAGE_JSON_VERSION = 1;

/** `agtest coverage --json`: stable for tools. */
export function coverageJson(coverage: Coverage, filter: CoverageFilter): object {
  return {
    schema_version: COVERAGE_JSON_VERSION,
    filter: { spec: filter.spec ?? null, junction: filter.junction ?? null },
    specs: coverage.specs,
    total: totalOf(coverage.specs),
    junctions: coverage.junctions,
    unchecked: coverage.unchecked,
    violations: coverage.violations,
  };
}

const percent = (counts: MustCounts) => (counts.percent === null ? '—' : `${counts.percent.toFixed(1)} %`);
const reasons = (counts: MustCounts) =>
  UNCHECKED_REASONS.filter((reason) => counts.unchecked[reason] > 0)
    .map((reason) => `${counts.unchecked[reason]} ${reason}`)
    .join(', ');

function table(c: ChalkInstance, head: string, rows: { name: string; musts: MustCounts }[]): string[] {
  const width = Math.max(head.length, ...rows.map((row) => row.name.length));
  const line = (name: string, musts: string, checked: string, observable: string, coverage: string, unchecked: string) =>
    `${name.padEnd(width)}  ${musts.padStart(5)}  ${checked.padStart(7)}  ${observable.padStart(10)}  ${coverage.padStart(8)}  ${unchecked}`.trimEnd();
  return [
    c.bold(line(head, 'MUSTs', 'checked', 'observable', 'coverage', 'unchecked, by reason')),
    ...rows.map((row) => {
      const text = line(row.name, String(row.musts.total), String(row.musts.checked), String(row.musts.observable), percent(row.musts), reasons(row.musts));
      return row.musts.unchecked['not-yet'] > 0 ? text : c.green(text);
    }),
  ];
}

/** The readable report: a table per spec (with the sum), a table per junction, and with `unchecked` every unchecked MUST. */
export function formatCoverage(coverage: Coverage, options: { unchecked: boolean; c: ChalkInstance }): string {
  const { c } = options;
  const lines = [
    c.dim('MUSTs are MUST and MUST NOT. observable = checked + unchecked "not-yet" (a check could see it from outside);'),
    c.dim('coverage = checked / observable. The other reasons say why no check can exist (suites/requirements/*.json).'),
    '',
    ...table(c, 'spec', [...coverage.specs.map((spec) => ({ name: spec.spec, musts: spec.musts })), ...(coverage.specs.length > 1 ? [{ name: 'all', musts: totalOf(coverage.specs) }] : [])]),
    '',
    ...table(c, 'junction', coverage.junctions.map((junction) => ({ name: junction.junction, musts: junction.musts }))),
  ];
  if (options.unchecked) {
    lines.push('', c.bold(`Unchecked MUSTs (${coverage.unchecked.length})`));
    for (const must of coverage.unchecked) {
      const where = must.junctions.length > 0 ? must.junctions.join(', ') : 'no junction';
      lines.push(`${must.spec} ${must.section}  ${must.id}  ${c.red(must.level)}  ${must.reason === 'not-yet' ? c.yellow(must.reason) : c.dim(must.reason)}  ${c.dim(`[${where}]`)}`);
      lines.push(`    "${must.quote}"`, `    ${c.dim(must.why)}`);
    }
  } else if (coverage.unchecked.length > 0) {
    lines.push('', c.dim(`${coverage.unchecked.length} MUSTs are unchecked: --unchecked lists each with its section, quote and reason.`));
  }
  return `${lines.join('\n')}\n`;
}

/** The violations, one per line, naming the file and the JSON path. */
export function formatViolations(coverage: Coverage): string {
  return coverage.violations.map((v) => `agtest: ${v.file}: ${v.path}: ${v.message}\n`).join('');
}
