import type { Finding, JunctionScore, TestResult } from '../../profiles/index.js';

/** JUnit XML: one <testsuite> per junction, so CI dashboards show the profile's shape. */
export function formatJunitXml(scores: readonly JunctionScore[], results: readonly TestResult[], findings: readonly Finding[], suiteUri: string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = results.length;
  const failures = results.filter((r) => r.status === 'fail').length;
  const errors = results.filter((r) => r.status === 'error').length;
  const skipped = results.filter((r) => r.status === 'not-run' || r.status === 'blocked').length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const allMs = results.reduce((sum, r) => sum + r.durationMs, 0);
  lines.push(`<testsuites name="agtest ${escape(suiteUri)}" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(allMs)}">`);
  for (const score of scores) {
    const own = results.filter((r) => r.test.startsWith(`${score.junction}.`));
    const count = (status: TestResult['status']) => own.filter((r) => r.status === status).length;
    lines.push(
      `  <testsuite name="${escape(score.junction)}" tests="${own.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('not-run') + count('blocked')}" time="${seconds(own.reduce((s, r) => s + r.durationMs, 0))}">`,
      `    <properties><property name="score" value="${escape(score.score ?? 'not scored (no test ran)')}"/></properties>`,
    );
    for (const result of own) {
      const name = result.test.slice(score.junction.length + 1);
      lines.push(`    <testcase classname="${escape(score.junction)}" name="${escape(name)}" time="${seconds(result.durationMs)}">`);
      if (result.status === 'fail') lines.push(`      <failure message="${escape(result.reason ?? '')}">${escape([...(result.failures ?? []), result.spec ?? ''].join('\n'))}</failure>`);
      if (result.status === 'error') lines.push(`      <error message="${escape(result.reason ?? '')}"/>`);
      if (result.status === 'not-run') lines.push(`      <skipped message="${escape(result.reason ?? '')}"/>`);
      if (result.status === 'blocked') lines.push(`      <skipped message="${escape(`blocked: ${result.reason ?? ''}`)}"/>`);
      const out = [...result.warnings.map((w) => `warning: ${w}`), result.transcript ? `transcript: ${result.transcript}` : ''].filter(Boolean);
      if (out.length > 0) lines.push(`      <system-out>${escape(out.join('\n'))}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  if (findings.length > 0) {
    lines.push(`  <testsuite name="findings" tests="0"><system-err>${escape(findings.map((f) => `${f.kind}: ${f.message}`).join('\n'))}</system-err></testsuite>`);
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function escape(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // XML 1.0 cannot carry most control characters at all, even escaped.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '\uFFFD')
  );
}
