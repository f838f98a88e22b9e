import type { RunSummary } from './reporter.js';

/**
 * `agtest run --timing`: where the run's time went — each stage of run(), and inside "tests" each
 * junction's wall time with what of it was agact calls, silence windows and the connection step.
 */
export function formatTiming(summary: Pick<RunSummary, 'timing' | 'durationMs'>, options: { startupMs?: number } = {}): string {
  const { stages, junctions } = summary.timing;
  const lines = [`Where the time went (run ${seconds(summary.durationMs)}):`];
  const width = Math.max(22, ...junctions.map((j) => j.junction.length + 2));
  // The CLI's own start (node, its modules, the config) comes before run() and is not in its duration.
  if (options.startupMs !== undefined) lines.push(`  ${'(agtest start)'.padEnd(width)}${ms(options.startupMs)}`);
  for (const stage of stages) {
    lines.push(`  ${stage.name.padEnd(width)}${ms(stage.ms)}`);
    if (stage.name !== 'tests' || junctions.length === 0) continue;
    lines.push(`    ${'junction'.padEnd(width - 2)}${'tests'.padStart(6)}${'wall'.padStart(9)}${'agact'.padStart(9)}${'silence'.padStart(9)}${'connect'.padStart(9)}`);
    for (const j of junctions) {
      lines.push(`    ${j.junction.padEnd(width - 2)}${String(j.tests).padStart(6)}${ms(j.ms)}${ms(j.agactMs)}${ms(j.silenceMs)}${ms(j.connectMs)}`);
    }
  }
  const sum = (key: 'ms' | 'agactMs' | 'silenceMs' | 'connectMs') => junctions.reduce((total, j) => total + j[key], 0);
  lines.push(`  tests' own time ${seconds(sum('ms'))}: agact calls ${seconds(sum('agactMs'))}, silence windows ${seconds(sum('silenceMs'))}, connection step ${seconds(sum('connectMs'))}`);
  return `${lines.join('\n')}\n`;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`.padStart(9);
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}
