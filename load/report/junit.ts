/** JUnit XML for CI: one test case per threshold (a failed threshold is a failure), plus a suspect-run case. */
import type { LoadReport } from './report.js';

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderJunit(report: LoadReport): string {
  const cases = report.thresholds.map((t) => {
    const failure = t.ok ? '' : `<failure message="${escapeXml(`${t.threshold}: ${t.reason ?? 'not met'}`)}"/>`;
    return `    <testcase classname="agtest.load.${escapeXml(report.scenario)}" name="${escapeXml(t.threshold)}" time="${report.duration_s}">${failure}</testcase>`;
  });
  // A suspect run is not a failed threshold; CI sees it as a skipped case with the reason.
  cases.push(`    <testcase classname="agtest.load.${escapeXml(report.scenario)}" name="generator not saturated" time="0">${report.suspect ? `<skipped message="${escapeXml(`suspect: ${report.suspect_reasons.join('; ')}`)}"/>` : ''}</testcase>`);
  const failures = report.thresholds.filter((t) => !t.ok).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="agtest load ${escapeXml(report.scenario)}" tests="${cases.length}" failures="${failures}" skipped="${report.suspect ? 1 : 0}" timestamp="${escapeXml(report.started_at)}" time="${report.duration_s}">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
