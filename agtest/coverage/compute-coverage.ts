import { junctionOf } from '../../profiles/index.js';
import { UNCHECKED_REASONS, type Requirement, type RequirementLevel, type RequirementMap, type UncheckedReason } from './load-requirements.js';

/** What the maps are checked against: every check `agtest list --rules` prints, and every junction of the suites. */
export interface CheckRegistry {
  /** Check id `<junction>.<test>#<rule>` → its level (MUST, MUST NOT, SHOULD, …, policy). */
  rules: ReadonlyMap<string, string>;
  junctions: ReadonlySet<string>;
}

/** The MUSTs (MUST and MUST NOT) of a spec or a junction. */
export interface MustCounts {
  total: number;
  checked: number;
  /** Unchecked MUSTs by reason; every reason is present (0 when none). */
  unchecked: Record<UncheckedReason, number>;
  /** The MUSTs a check could see from outside: checked + unchecked "not-yet". */
  observable: number;
  /** checked / observable in percent, one decimal; null when nothing is observable. */
  percent: number | null;
}

export interface SpecCoverage {
  spec: string;
  title: string;
  /** Requirements of every level in the map (after the filters). */
  requirements: number;
  musts: MustCounts;
}

export interface JunctionCoverage {
  junction: string;
  /** The specs whose MUSTs are mapped to it. */
  specs: string[];
  musts: MustCounts;
}

export interface UncheckedMust {
  spec: string;
  id: string;
  section: string;
  level: RequirementLevel;
  quote: string;
  junctions: string[];
  reason: UncheckedReason;
  why: string;
}

/** A map entry that names a check or junction agtest does not have, or maps a MUST to a weaker check. */
export interface CoverageViolation {
  spec: string;
  file: string;
  /** JSON pointer into the map file. */
  path: string;
  message: string;
}

export interface Coverage {
  specs: SpecCoverage[];
  junctions: JunctionCoverage[];
  unchecked: UncheckedMust[];
  violations: CoverageViolation[];
}

export interface CoverageFilter {
  /** Only this spec (its id, e.g. a2a-v1.0). */
  spec?: string;
  /** Only the requirements mapped to this junction. */
  junction?: string;
}

const MUST_LEVELS: ReadonlySet<string> = new Set(['MUST', 'MUST NOT']);

export function isMust(level: string): boolean {
  return MUST_LEVELS.has(level);
}

/** `x.1_0.passive.test#rule` → `x.1_0.passive`; undefined for an id with no mode (a violation, reported as such). */
const junctionOfCheck = (check: string): string | undefined => {
  const test = check.split('#')[0] ?? '';
  return /\.(active|passive)\./.test(test) ? junctionOf(test) : undefined;
};

/** The junctions whose claim carries the requirement: its own list, else the junctions of its checks. */
export function junctionsOf(requirement: Requirement): string[] {
  if (requirement.junctions) return requirement.junctions;
  return [...new Set((requirement.checks ?? []).flatMap((check) => junctionOfCheck(check) ?? []))];
}

function emptyCounts(): MustCounts {
  return { total: 0, checked: 0, unchecked: Object.fromEntries(UNCHECKED_REASONS.map((reason) => [reason, 0])) as Record<UncheckedReason, number>, observable: 0, percent: null };
}

function count(counts: MustCounts, requirement: Requirement): void {
  counts.total += 1;
  if (requirement.checks) counts.checked += 1;
  else if (requirement.unchecked) counts.unchecked[requirement.unchecked.reason] += 1;
}

function finish(counts: MustCounts): MustCounts {
  const observable = counts.checked + counts.unchecked['not-yet'];
  return { ...counts, observable, percent: observable === 0 ? null : Math.round((counts.checked / observable) * 1000) / 10 };
}

/** Checks each map entry against the registry: check ids exist, a MUST maps only to MUST-level checks, junctions exist. */
function violationsOf(map: RequirementMap, registry: CheckRegistry): CoverageViolation[] {
  const found: CoverageViolation[] = [];
  const add = (path: string, message: string) => found.push({ spec: map.spec, file: map.file, path, message });
  map.requirements.forEach((requirement, index) => {
    (requirement.checks ?? []).forEach((check, k) => {
      const level = registry.rules.get(check);
      if (level === undefined) add(`/requirements/${index}/checks/${k}`, `${requirement.id}: check ${check} is not one agtest has (agtest list --rules)`);
      else if (isMust(requirement.level) && !isMust(level)) add(`/requirements/${index}/checks/${k}`, `${requirement.id} is a ${requirement.level}, but check ${check} is ${level}: a MUST may only be mapped to MUST / MUST NOT checks`);
    });
    (requirement.junctions ?? []).forEach((junction, k) => {
      if (!registry.junctions.has(junction)) add(`/requirements/${index}/junctions/${k}`, `${requirement.id}: junction ${junction} is not one agtest has (agtest list)`);
    });
  });
  return found;
}

/**
 * Coverage of the maps: per spec and per junction, how many MUSTs (MUST and MUST NOT) have a
 * check, and why the others have none. A requirement with checks counts as checked in every
 * junction it is mapped to. Violations are listed for every map, whatever the filter.
 */
export function computeCoverage(maps: readonly RequirementMap[], registry: CheckRegistry, filter: CoverageFilter = {}): Coverage {
  const specs: SpecCoverage[] = [];
  const byJunction = new Map<string, { specs: Set<string>; musts: MustCounts }>();
  const unchecked: UncheckedMust[] = [];
  const violations = maps.flatMap((map) => violationsOf(map, registry));
  for (const map of maps) {
    if (filter.spec !== undefined && map.spec !== filter.spec) continue;
    const requirements = map.requirements.filter((r) => filter.junction === undefined || junctionsOf(r).includes(filter.junction));
    // A junction filter keeps only the specs that map something to it.
    if (filter.junction !== undefined && requirements.length === 0) continue;
    const musts = emptyCounts();
    for (const requirement of requirements) {
      if (!isMust(requirement.level)) continue;
      count(musts, requirement);
      const junctions = junctionsOf(requirement).filter((j) => filter.junction === undefined || j === filter.junction);
      for (const junction of junctions) {
        const entry = byJunction.get(junction) ?? { specs: new Set<string>(), musts: emptyCounts() };
        entry.specs.add(map.spec);
        count(entry.musts, requirement);
        byJunction.set(junction, entry);
      }
      if (requirement.unchecked) {
        unchecked.push({ spec: map.spec, id: requirement.id, section: requirement.section, level: requirement.level, quote: requirement.quote, junctions, reason: requirement.unchecked.reason, why: requirement.unchecked.why });
      }
    }
    specs.push({ spec: map.spec, title: map.title, requirements: requirements.length, musts: finish(musts) });
  }
  const junctions = [...byJunction]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([junction, entry]) => ({ junction, specs: [...entry.specs].sort(), musts: finish(entry.musts) }));
  return { specs, junctions, unchecked, violations };
}

/** Sums of the specs' counts (the "all" row). */
export function totalOf(specs: readonly SpecCoverage[]): MustCounts {
  const sum = emptyCounts();
  for (const spec of specs) {
    sum.total += spec.musts.total;
    sum.checked += spec.musts.checked;
    for (const reason of UNCHECKED_REASONS) sum.unchecked[reason] += spec.musts.unchecked[reason];
  }
  return finish(sum);
}
