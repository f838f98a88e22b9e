import { Chalk, type ChalkInstance } from 'chalk';
import type { Writable } from 'node:stream';
import { relative } from 'node:path';
import type { Finding, TestResult } from '../../profiles/index.js';
import type { Reporter, RunStartInfo, RunSummary } from './reporter.js';

export interface ConsoleReporterOptions {
  stream?: Writable & { isTTY?: boolean };
  /** Force colors on or off; by default: off for NO_COLOR or a non-TTY stream. */
  color?: boolean;
}

const MARK: Record<TestResult['status'], string> = { pass: '✓', fail: '✗', 'not-run': '○', error: '!' };

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
  const paintScore = (score: string) => (score === 'interoperable' ? c.green(score) : score === 'divergent' ? c.red(score) : c.yellow(score));

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
      if (result.reason && result.status !== 'pass') write(`    ${paint(result.status, result.reason)}`);
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
        write(`  ${junction.padEnd(width)}  ${score ? paintScore(score) : c.red('divergent (every test not-run)')}`);
        const scored = summary.scores.find((s) => s.junction === junction);
        for (const failing of scored?.failing ?? []) write(c.dim(`  ${''.padEnd(width)}    ${failing.test.slice(junction.length + 1)}: ${failing.reason ?? failing.status}`));
      }
      const count = (status: TestResult['status']) => summary.results.filter((r) => r.status === status).length;
      write();
      write(`${count('pass')} passed, ${count('fail')} failed, ${count('error')} errors, ${count('not-run')} not run, ${summary.findings.length} findings in ${(summary.durationMs / 1000).toFixed(1)} s`);
      const here = process.cwd();
      write(c.dim(`profile ${relative(here, summary.files.profile)} · junit ${relative(here, summary.files.junit)} · transcripts ${relative(here, summary.files.transcripts)}/`));
      write(summary.exitCode === 0 ? c.green('every claimed junction is interoperable') : c.red('not every claimed junction is interoperable'));
    },
  };
}
