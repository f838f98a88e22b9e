import { A2A_SUITE_URI, a2aSuites, DIDCOMM_V1_SUITE_URI, didcommV1Suites, type Rule, type Suite } from '../../suites/index.js';

/** One row of the requirement table: a rule of one test. */
export interface RuleRow extends Omit<Rule, 'level'> {
  test: string;
  level: Rule['level'] | 'unaudited';
}

/**
 * Every check of `suites` with its requirement level and citation. A test that declares no
 * rules yet is listed with level "unaudited" and its spec line, so a gap is visible, never hidden.
 */
export function listRules(suites: readonly Suite[]): RuleRow[] {
  return suites.flatMap((suite) =>
    suite.tests.flatMap((test): RuleRow[] => {
      const name = `${suite.junction}.${test.name}`;
      const rules = test.rules ?? [];
      return rules.length > 0 ? rules.map((rule) => ({ test: name, ...rule })) : [{ test: name, id: '-', level: 'unaudited' as const, cite: test.spec, text: test.description }];
    }),
  );
}

/** The table as Markdown, for docs/rules.md (regenerate with `npm run docs:rules`). */
export function formatRulesMarkdown(title: string, suiteUri: string, suites: readonly Suite[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = listRules(suites);
  const lines = [`## ${title}`, '', `Suite \`${suiteUri}\`: ${rows.length} checks in ${suites.reduce((n, s) => n + s.tests.length, 0)} tests.`, '', '| test | rule | level | citation | what it checks |', '|---|---|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.test}\` | ${cell(row.id)} | ${row.level} | ${cell(row.cite)} | ${cell(row.text)} |`);
  return `${lines.join('\n')}\n`;
}

/** docs/rules.md: both built-in suites (a test keeps the committed file equal to this). */
export function rulesDocument(): string {
  return [
    '# Requirement table\n',
    'Every check agtest makes, with the level the spec text gives it (MUST / MUST NOT fail a test; SHOULD / SHOULD NOT / MAY and',
    '"policy" — agtest\'s own rule where no spec speaks — only warn) and where the text says it. Generated from the suites by',
    '`npm run docs:rules`; `agtest list --rules` prints the same for the suite a config selects.\n',
    formatRulesMarkdown('DIDComm v1', DIDCOMM_V1_SUITE_URI, didcommV1Suites),
    formatRulesMarkdown('A2A', A2A_SUITE_URI, a2aSuites),
  ].join('\n');
}
