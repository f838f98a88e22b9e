/**
 * `agtest load` and `agtest load merge`, minus the argv parsing (agtest/cli.ts): flags merged into
 * the config, the run, the report written and printed, thresholds turned into an exit code
 * (0 met, 1 not met; a harness failure throws and the CLI exits 2).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Chalk } from 'chalk';
import { AgtestError } from '../common/index.js';
import { runLoad, type LoadProgress } from './engine/run-load.js';
import { engineOptions, planLoad, readLoadConfig, type LoadConfigFile } from './config/load-config.js';
import { parseDurationMs } from './config/duration.js';
import { measurementsFromRecorder } from './report/measurements.js';
import { buildReport, type LoadReport } from './report/report.js';
import { applyThresholds, parseThreshold } from './report/thresholds.js';
import { formatLoadSummary } from './report/console.js';
import { mergeReports, readLoadReport } from './report/merge.js';
import { isTopologyReportFile, mergeTopologyCommand } from './topology/command.js';
import { renderHtmlReport } from './report/html.js';
import { renderJunit } from './report/junit.js';

export interface LoadFlags {
  config?: string;
  scenario?: string;
  url?: string;
  method?: string;
  header?: string[];
  body?: string;
  expect?: number[];
  vus?: number;
  rate?: number;
  /** "5s:100,10s:100,5s:0": duration:target per stage. */
  stages?: string;
  maxInFlight?: number;
  maxStartDelay?: string;
  duration?: string;
  iterations?: number;
  think?: string;
  timeout?: string;
  gracefulStop?: string;
  threshold?: string[];
  shard?: string;
  allowRemote?: boolean;
  maxLoopP99?: string;
  maxCpu?: number;
  maxLoopUtilization?: number;
  /** oob-flow: inline or process. */
  receiver?: string;
}

export interface OutputOptions {
  out?: string;
  html?: string;
  junit?: string;
  json?: boolean;
}

export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
  color?: boolean;
}

const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

/** Flags over the file's values (flags win), in the file's JSON shape so one validation covers both. */
export function mergeFlags(file: LoadConfigFile | undefined, flags: LoadFlags): LoadConfigFile {
  if (flags.vus !== undefined && (flags.rate !== undefined || flags.stages !== undefined)) {
    throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', '--vus is the closed model, --rate and --stages the open one: give one of them');
  }
  const base: LoadConfigFile = file ? structuredClone(file) : { scenario: flags.scenario ?? 'http' };
  if (flags.scenario !== undefined) base.scenario = flags.scenario;
  const load = { ...(base.load ?? {}) };
  const flagLoad = defined({
    vus: flags.vus,
    rate: flags.rate,
    stages: flags.stages === undefined ? undefined : parseStages(flags.stages),
    max_in_flight: flags.maxInFlight,
    max_start_delay: flags.maxStartDelay,
    duration: flags.duration,
    iterations: flags.iterations,
    think: flags.think,
    timeout: flags.timeout,
    graceful_stop: flags.gracefulStop,
  });
  // A model flag switches the model: --rate on a closed config drops its vus, and the other way round.
  if (flags.rate !== undefined || flags.stages !== undefined) {
    delete load.vus;
    load.model = 'open';
  }
  if (flags.vus !== undefined) {
    for (const key of ['rate', 'stages', 'max_in_flight', 'max_start_delay'] as const) delete load[key];
    load.model = 'closed';
  }
  if (flags.duration !== undefined) delete load.stages;
  base.load = { ...load, ...flagLoad };
  if (flags.threshold?.length) base.thresholds = [...(base.thresholds ?? []), ...flags.threshold];
  if (flags.maxLoopP99 !== undefined || flags.maxCpu !== undefined || flags.maxLoopUtilization !== undefined) {
    base.health = { ...(base.health ?? {}), ...defined({ max_event_loop_p99: flags.maxLoopP99, max_cpu_percent: flags.maxCpu, max_event_loop_utilization: flags.maxLoopUtilization }) };
  }
  if (flags.allowRemote) base.allow_remote = true;
  if (flags.shard !== undefined) base.shard = flags.shard;
  // A scenario that needs no settings (oob-flow: the built-in reference agent) runs from flags alone.
  if (base.scenario !== 'http' && base[base.scenario] === undefined) base[base.scenario] = {};
  if (flags.receiver !== undefined && base.scenario !== 'oob-flow') throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `--receiver is for the oob-flow scenario, not ${base.scenario}`);
  if (flags.receiver !== undefined) base['oob-flow'] = { ...((base['oob-flow'] as Record<string, unknown> | undefined) ?? {}), receiver: flags.receiver };
  if (base.scenario === 'http' && (flags.url !== undefined || flags.method || flags.header?.length || flags.body !== undefined || flags.expect?.length)) {
    const block = { ...((base['http'] as Record<string, unknown> | undefined) ?? {}) };
    if (flags.url !== undefined) block['url'] = flags.url;
    if (flags.method || flags.header?.length || flags.body !== undefined || flags.expect?.length) {
      block['endpoints'] = [defined({ method: flags.method, headers: flags.header?.length ? parseHeaders(flags.header) : undefined, body: flags.body, expect: flags.expect?.length ? flags.expect : undefined })];
    }
    base['http'] = block;
  }
  return base;
}

function parseStages(text: string): { duration: string; target: number }[] {
  return text.split(',').map((part) => {
    const [duration, target] = part.split(':');
    if (!duration || target === undefined || !Number.isFinite(Number(target))) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `--stages is DURATION:RATE,… (e.g. 5s:100,10s:100,5s:0); got ${JSON.stringify(part)}`);
    parseDurationMs(duration);
    return { duration, target: Number(target) };
  });
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    if (at <= 0) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `--header is "Name: value"; got ${JSON.stringify(line)}`);
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return headers;
}

function progressLine(p: LoadProgress): string {
  return `${p.elapsedS.toFixed(0)}s  ${p.rate}/s  in flight ${p.inFlight}  ok ${p.ok}  errors ${p.errors}  dropped ${p.dropped}  p99 ${p.p99Ms} ms`;
}

async function writeOutputs(report: LoadReport, output: OutputOptions, io: CommandIo): Promise<void> {
  for (const [file, text] of [
    [output.out, `${JSON.stringify(report, null, 2)}\n`],
    [output.html, output.html ? renderHtmlReport(report) : ''],
    [output.junit, output.junit ? renderJunit(report) : ''],
  ] as const) {
    if (!file) continue;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    } catch (error) {
      throw new AgtestError('AGTEST_OUTPUT_FAILED', `cannot write ${file}: ${(error as Error).message}`, { file, cause: error });
    }
  }
  if (output.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(`${formatLoadSummary(report, new Chalk({ level: io.color ? 1 : 0 }))}\n`);
}

/** Runs a load; resolves to the exit code (0 thresholds met, 1 not met, 2 stopped early). */
export async function runLoadCommand(flags: LoadFlags, output: OutputOptions, io: CommandIo): Promise<number> {
  const file = flags.config ? await readLoadConfig(flags.config) : undefined;
  const config = mergeFlags(file, flags);
  const plan = planLoad(config, flags.config ? `${flags.config} with the flags` : 'flags');
  const live = !output.json && io.stderr.isTTY === true;
  const result = await runLoad({
    ...engineOptions(plan),
    ...(io.signal ? { signal: io.signal } : {}),
    log: output.json ? undefined : (line) => io.stderr.write(`${line}\n`),
    ...(live ? { onProgress: (p: LoadProgress) => io.stderr.write(`\r\x1b[2K${progressLine(p)}`) } : {}),
  });
  if (live) io.stderr.write('\r\x1b[2K');
  const report = buildReport({
    scenario: plan.scenario.name,
    config: plan.config as Record<string, unknown>,
    shard: { index: plan.shard.index + 1, count: plan.shard.count },
    mergedFrom: null,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    durationS: result.elapsedS,
    ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    measurements: measurementsFromRecorder(result.recorder),
    health: [result.health],
  });
  const met = applyThresholds(report, plan.thresholds);
  await writeOutputs(report, output, io);
  if (result.stoppedEarly) return 2;
  return met ? 0 : 1;
}

/** Merges reports, checks the thresholds once (flags, else the first report's config). */
export async function mergeLoadCommand(files: string[], thresholdTexts: string[] | undefined, output: OutputOptions, io: CommandIo): Promise<number> {
  // The shards of an `agtest load topology` sweep merge into a topology report (no thresholds: its exit is every ping answered).
  const topology = await Promise.all(files.map(isTopologyReportFile));
  if (topology.some(Boolean)) {
    if (!topology.every(Boolean)) throw new AgtestError('AGTEST_LOAD_REPORT_INVALID', `cannot merge topology reports with load reports: ${files.filter((_, i) => !topology[i]).join(', ')} ${topology.filter((x) => !x).length > 1 ? 'are' : 'is'} not ${topology.filter((x) => !x).length > 1 ? 'topology reports' : 'a topology report'}`);
    if (thresholdTexts?.length || output.junit) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', '--threshold and --junit are for load reports; a merged topology report exits 1 when a ping of a run went unanswered');
    return mergeTopologyCommand(files, { ...(output.out === undefined ? {} : { output: output.out }), ...(output.html === undefined ? {} : { html: output.html }), json: output.json === true }, io);
  }
  const reports = [];
  for (const file of files) reports.push({ name: file, report: await readLoadReport(file) });
  const merged = mergeReports(reports);
  const texts = thresholdTexts?.length ? thresholdTexts : (((merged.config['thresholds'] as string[] | undefined) ?? []));
  const met = applyThresholds(merged, texts.map(parseThreshold));
  await writeOutputs(merged, output, io);
  return met ? 0 : 1;
}
