/**
 * `agtest load merge`: adds the histograms and counters of several reports (shards of one run, or
 * runs to pool) into one report whose percentiles come from the merged histograms.
 */
import { readFile } from 'node:fs/promises';
import { AgtestError } from '../../common/index.js';
import { mergeMeasurements } from './measurements.js';
import { buildReport, measurementsFromReport, type LoadReport } from './report.js';
import { assertLoadReport } from './validate-report.js';

export async function readLoadReport(file: string): Promise<LoadReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', `cannot read ${file}: ${(error as Error).message}`, { file, cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', `${file} is not JSON: ${(error as Error).message}`, { file, cause: error });
  }
  return assertLoadReport(value, file);
}

export interface NamedReport {
  name: string;
  report: LoadReport;
}

/** One report from several; refuses reports of different scenarios or the same shard twice. */
export function mergeReports(reports: readonly NamedReport[]): LoadReport {
  if (reports.length === 0) throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', 'nothing to merge');
  const scenarios = new Set(reports.map((r) => r.report.scenario));
  if (scenarios.size > 1) throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', `cannot merge reports of different scenarios: ${[...scenarios].join(', ')}`);
  const seen = new Map<string, string>();
  for (const { name, report } of reports) {
    if (!report.shard || report.shard.count === 1) continue;
    const key = `${report.shard.index}/${report.shard.count}`;
    if (seen.has(key)) throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', `${name} and ${seen.get(key)} are both shard ${key}: merging would count its samples twice`);
    seen.set(key, name);
  }
  const first = reports[0]!.report;
  const started = reports.map((r) => r.report.started_at).sort()[0]!;
  const ended = reports.map((r) => r.report.ended_at).sort().at(-1)!;
  const stopped = reports.filter((r) => r.report.stopped_early).map((r) => `${r.name}: ${r.report.stopped_early}`);
  return buildReport({
    scenario: first.scenario,
    config: first.config,
    shard: null,
    mergedFrom: reports.map((r) => r.name),
    startedAt: started,
    endedAt: ended,
    // Shards run side by side: the merged run lasted as long as its longest shard.
    durationS: Math.max(...reports.map((r) => r.report.duration_s)),
    ...(stopped.length > 0 ? { stoppedEarly: stopped.join('; ') } : {}),
    measurements: mergeMeasurements(reports.map((r) => measurementsFromReport(r.report))),
    health: reports.flatMap((r) => r.report.health),
  });
}
