import { NEEDS_CREDENTIALS } from '../../suites/index.js';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Writable } from 'node:stream';
import { relative } from 'node:path';
import { parseScore, verdictOf, type Finding, type TestResult } from '../../profiles/index.js';
import type { Reporter, RunStartInfo, RunSummary } from './reporter.js';

export interface ConsoleReporterOptions {
  stream?: Writable & { isTTY?: boolean };
  /** Force colors on or off; by default: off for NO_COLOR or a non-TTY stream. */
  color?: boolean;
}

const MARK: Record<TestResult['status'], string> = { pass: '✓', fail: '✗', blocked: '⊘', 'not-run': '○', error: '!' };

export function createChalk(stream: { isTTY?: boolean }, color?: boolean): ChalkInstance {
  const noColor = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  const enabled = color ?? (!noColor && stream.isTTY === true);
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** The readable report: one line per test as it finishes, then the profile with reasons. */
export function createConsoleReporter(options: ConsoleReporterOptions = {}): Reporter {
  const stream = options.stream ?? process.stdout;
  const c = createChalk(stream, options.color);
  const write = (line = '') => stream.write(`${line}\n`);
  const paint = (status: TestResult['status'], text: string) =>
    status === 'pass' ? c.green(text) : status === 'fail' ? c.red(text) : status === 'error' ? c.magenta(text) : c.dim(text);
  const paintScore = (score: string) => ({ interoperable: c.green, constrained: c.yellow, divergent: c.red })[verdictOf(score)](score);

  return {
    onRunStart(info: RunStartInfo) {
      const agent = [info.agent.name ?? 'agent', info.agent.version].filter(Boolean).join(' ');
      write(c.bold(`agtest — ${agent} over ${info.transport}`));
      write(c.dim(`suite ${info.suiteUri}: ${info.tests} tests in ${info.junctions.length} claimed junctions`));
      write();
    },
    onTestResult(result: TestResult) {
      const time = result.status === 'not-run' ? '' : c.dim(` ${result.durationMs} ms`);
      write(`${paint(result.status, `${MARK[result.status]} ${result.test}`)}${time}`);
      // A failed test lists every MUST it broke, one per line.
      const reasons = result.status === 'fail' && result.failures && result.failures.length > 1 ? result.failures : result.reason ? [result.reason] : [];
      if (result.status !== 'pass') for (const reason of reasons) write(`    ${paint(result.status, result.status === 'blocked' ? `blocked: ${reason}` : reason)}`);
      for (const warning of result.warnings) write(c.yellow(`    ⚠ ${warning}`));
    },
    onFinding(finding: Finding) {
      write(c.yellow(`  ⚑ ${finding.kind}: ${finding.message}`));
    },
    onRunEnd(summary: RunSummary) {
      write();
      write(c.bold(`Interop profile (${summary.profile.test_suite})`));
      const width = Math.max(...summary.claimed.map((j) => j.length), 10);
      for (const junction of summary.claimed) {
        const score = summary.profile.profile[junction];
        const scored = summary.scores.find((s) => s.junction === junction);
        const forCredentials = scored?.blocked.filter((b) => b.blockedBy === NEEDS_CREDENTIALS).length ?? 0;
        const unscored = scored && scored.blocked.length > 0 ? `blocked (${scored.blocked.length} tests waited for ${forCredentials === scored.blocked.length ? 'credentials' : 'a failed prerequisite'})` : 'divergent (every test not-run)';
        write(`  ${junction.padEnd(width)}  ${score ? paintScore(score) : c.red(unscored)}`);
        for (const failing of scored?.failing ?? []) write(c.dim(`  ${''.padEnd(width)}    ${failing.test.slice(junction.length + 1)}: ${failing.reason ?? failing.status}`));
        if (score && scored && scored.blocked.length > 0) write(c.dim(`  ${''.padEnd(width)}    ${scored.blocked.length} blocked (not counted): ${[...new Set(scored.blocked.map((b) => b.blockedBy ?? 'a prerequisite'))].join(', ')}`));
      }
      const noted = summary.claimed.filter((junction) => parseScore(summary.profile.profile[junction] ?? '')?.musts !== undefined);
      if (noted.length > 0) write(c.dim(`  (N of M MUSTs checked): the spec has MUSTs for that junction that no check tests; agtest coverage --junction ${noted[0]} --unchecked lists them, and why`));
      const count = (status: TestResult['status']) => summary.results.filter((r) => r.status === status).length;
      write();
      write(`${count('pass')} passed, ${count('fail')} failed, ${count('blocked')} blocked, ${count('error')} errors, ${count('not-run')} not run, ${summary.findings.length} findings in ${(summary.durationMs / 1000).toFixed(1)} s`);
      // The agent's refusal for credentials is said once, here, whatever number of tests it blocked.
      const credentials = summary.results.filter((r) => r.status === 'blocked' && r.blockedBy === NEEDS_CREDENTIALS);
      if (credentials.length > 0) write(c.red(`${credentials.length} tests blocked for credentials: ${(credentials.find((r) => /\.card\.passive\.(access|served)$/.test(r.test)) ?? credentials[0]!).reason ?? ''}`));
      const here = process.cwd();
      write(c.dim(`profile ${relative(here, summary.files.profile)} · junit ${relative(here, summary.files.junit)} · transcripts ${relative(here, summary.files.transcripts)}/`));
      if (summary.interrupted) {
        const where = summary.interrupted.test ? ` (in ${summary.interrupted.phase} of ${summary.interrupted.test})` : ` (${summary.interrupted.phase})`;
        write(c.red(`run interrupted${where}: ${summary.interrupted.cause} [${summary.interrupted.code}]`));
        write(c.red('the scores above count only the tests that finished; the others are not run'));
      } else if (summary.nothingTested) write(c.red('nothing could be tested: every test was blocked or not run (see the reasons above)'));
      else write(summary.exitCode === 0 ? c.green('every claimed junction is interoperable') : c.red('not every claimed junction is interoperable'));
    },
  };
}
