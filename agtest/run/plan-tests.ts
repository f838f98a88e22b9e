import { AgtestError } from '../../common/index.js';
import type { Suite, TestDefinition } from '../../suites/index.js';

export interface PlannedTest {
  name: string;
  junction: string;
  suite: Suite;
  test: TestDefinition;
  /** Set when the test will not run (reported as not-run with this reason). */
  notRunReason?: string;
}

/** Expands claims (junctions or whole clusters) to the set of claimed junctions. */
export function expandClaims(claims: readonly string[], suites: readonly Suite[], source: string): Set<string> {
  const junctions = new Set<string>();
  const unknown: string[] = [];
  for (const claim of claims) {
    const matching = suites.filter((suite) => suite.junction === claim || suite.cluster === claim);
    if (matching.length === 0) unknown.push(claim);
    for (const suite of matching) junctions.add(suite.junction);
  }
  if (unknown.length > 0) {
    const known = [...new Set(suites.map((suite) => suite.junction))].join(', ');
    throw new AgtestError('AGTEST_CLAIM_UNKNOWN', `claims in ${source} name no known junction or cluster: ${unknown.join(', ')} (known: ${known})`, { file: source });
  }
  return junctions;
}

/** The tests of the claimed junctions, in suite order, filtered by `only` name prefixes. */
export function planTests(suites: readonly Suite[], claimed: ReadonlySet<string>, only?: readonly string[]): PlannedTest[] {
  const planned: PlannedTest[] = [];
  for (const suite of suites) {
    if (!claimed.has(suite.junction)) continue;
    for (const test of suite.tests) {
      const name = `${suite.junction}.${test.name}`;
      if (only && only.length > 0 && !only.some((prefix) => name === prefix || name.startsWith(`${prefix}.`))) continue;
      const missing = (test.requires ?? []).filter((junction) => !claimed.has(junction));
      planned.push({
        name,
        junction: suite.junction,
        suite,
        test,
        notRunReason: missing.length > 0 ? `needs ${missing.join(', ')}, which the agent does not claim` : undefined,
      });
    }
  }
  return planned;
}
