/**
 * `agtest load topology`, minus the argv parsing (agtest/cli.ts): flags to sweep options, the sweep,
 * the report written (JSON, HTML) and printed. Exit 0 every run succeeded (every ping answered),
 * 1 some did not, 2 the harness failed (bad flags, a router that cannot be used, stopped early).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Chalk } from 'chalk';
import { AgtestError } from '../../common/index.js';
import { parseDurationMs } from '../config/duration.js';
import type { CommandIo } from '../command.js';
import { formatTopologySummary } from './console.js';
import { renderTopologyHtml } from './html.js';
import { isTopology, TOPOLOGIES, type Topology } from './topologies.js';
import { runTopologySweep } from './sweep.js';

export interface TopologyFlags {
  router?: string;
  agents?: string;
  messages?: string;
  topologies?: string;
  intervals?: string;
  repeat?: number;
  fanout?: number;
  quick?: boolean;
  timeout?: string;
  maxInFlight?: number;
  fault?: string[];
  unregistered?: number;
  allowRemote?: boolean;
  output?: string;
  html?: string;
  json?: boolean;
}

export const TOPOLOGY_DEFAULTS = { agents: '10,50,100', messages: '100,500,1000', topologies: 'star,mesh,ring', intervals: '100', repeat: 1, fanout: 2, timeout: '10s', maxInFlight: 1000 } as const;
export const TOPOLOGY_QUICK = { agents: '5,10', messages: '50,100' } as const;

function numbers(text: string, flag: string): number[] {
  const parts = text.split(',').map((part) => part.trim()).filter(Boolean);
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((v) => !Number.isSafeInteger(v))) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `${flag} takes integers, comma-separated (e.g. 10,50,100); got ${JSON.stringify(text)}`);
  return values;
}

function topologies(text: string): Topology[] {
  const names = text.split(',').map((part) => part.trim()).filter(Boolean);
  const unknown = names.filter((name) => !isTopology(name));
  if (unknown.length > 0 || names.length === 0) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', `--topologies: unknown ${unknown.join(', ') || '(none given)'}; known: ${TOPOLOGIES.join(', ')}`);
  return [...new Set(names)] as Topology[];
}

export async function runTopologyCommand(flags: TopologyFlags, io: CommandIo): Promise<number> {
  if (flags.quick && (flags.agents !== undefined || flags.messages !== undefined)) throw new AgtestError('AGTEST_LOAD_CONFIG_INVALID', '--quick sets the agents (5,10) and messages (50,100): give --quick or --agents/--messages, not both');
  const base = flags.quick ? { ...TOPOLOGY_DEFAULTS, ...TOPOLOGY_QUICK } : TOPOLOGY_DEFAULTS;
  const live = !flags.json && io.stderr.isTTY === true;
  const report = await runTopologySweep({
    agentCounts: numbers(flags.agents ?? base.agents, '--agents'),
    messageCounts: numbers(flags.messages ?? base.messages, '--messages'),
    topologies: topologies(flags.topologies ?? base.topologies),
    intervalsMs: numbers(flags.intervals ?? base.intervals, '--intervals'),
    repeat: flags.repeat ?? base.repeat,
    fanout: flags.fanout ?? base.fanout,
    timeoutMs: parseDurationMs(flags.timeout ?? base.timeout),
    maxInFlight: flags.maxInFlight ?? base.maxInFlight,
    ...(flags.router === undefined ? {} : { router: flags.router }),
    ...(flags.fault?.length ? { faults: flags.fault } : {}),
    ...(flags.unregistered === undefined ? {} : { unregistered: flags.unregistered }),
    allowRemote: flags.allowRemote === true,
    ...(io.signal ? { signal: io.signal } : {}),
    log: flags.json ? () => undefined : (line) => io.stderr.write(`${line}\n`),
    ...(live ? { onRun: (run, done, total) => io.stderr.write(`\r\x1b[2Krun ${done}/${total}: ${run.topology} ${run.agent_count} agents ${run.message_count} msgs: ${run.throughput_msg_per_sec} msg/s, p99 ${run.p99_latency_ms} ms${run.success ? '' : ' (failed)'}`) } : {}),
  });
  if (live) io.stderr.write('\r\x1b[2K');
  for (const [file, text] of [
    [flags.output, `${JSON.stringify(report, null, 2)}\n`],
    [flags.html, flags.html ? renderTopologyHtml(report) : ''],
  ] as const) {
    if (!file) continue;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    } catch (error) {
      throw new AgtestError('AGTEST_OUTPUT_FAILED', `cannot write ${file}: ${(error as Error).message}`, { file, cause: error });
    }
  }
  io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatTopologySummary(report, new Chalk({ level: io.color ? 1 : 0 }))}\n`);
  if (report.stopped_early) return 2;
  return report.summary.failed === 0 ? 0 : 1;
}
