/**
 * The oob-flow scenario's cost (issue 17, Speed): flows/s with inline receivers against the built-in
 * reference agent (a fresh agent process per row) at concurrency 1, 8 and 32, with p50/p99 per step
 * and the generator's share of CPU; then what a process receiver costs: CPU per agtest-receive
 * process (the children's user + system time from /proc/self/stat, which counts every child
 * waited for) and its peak memory.
 */
import { readFileSync } from 'node:fs';
import { createOobFlowScenario, DEFAULT_HEALTH_BOUNDS, runLoad, type LoadRunResult } from '../load/index.js';

export interface OobRow {
  label: string;
  flows: number;
  errors: number;
  perSecond: number;
  /** Per step: p50 and p99 of latency, ms. */
  steps: { name: string; p50Ms: number; p99Ms: number }[];
  generatorCpuPercent: number;
  agentCpuPercent: number;
  /** Generator CPU per flow (mean CPU share × elapsed / flows), ms. */
  generatorCpuMsPerFlow: number;
  /** The agent's CPU per flow, the same way (sampled once a second by pidusage), ms. */
  agentCpuMsPerFlow: number;
  loopP99Ms: number;
  suspect: string[];
}

/** The default suspect bounds: a row marked suspect was limited by the generator (or a starved machine), not the agent. */
const bounds = DEFAULT_HEALTH_BOUNDS;
const TICKS_PER_SECOND = 100;

function rowOf(label: string, result: LoadRunResult): OobRow {
  const steps = [...result.recorder.steps.entries()].map(([name, step]) => ({ name, p50Ms: step.latency.ok.getValueAtPercentile(50) / 1000, p99Ms: step.latency.ok.getValueAtPercentile(99) / 1000 }));
  const flows = result.recorder.counters.ok;
  const cpu = result.health.generator.cpu_percent_mean;
  const agentCpu = result.health.watched.find((w) => w.role === 'agent')?.cpu_percent_mean ?? 0;
  const perFlow = (percent: number) => (flows ? ((percent / 100) * result.elapsedS * 1000) / flows : 0);
  return {
    label,
    flows,
    errors: result.recorder.counters.errors,
    perSecond: flows / result.elapsedS,
    steps,
    generatorCpuPercent: cpu,
    agentCpuPercent: agentCpu,
    generatorCpuMsPerFlow: perFlow(cpu),
    agentCpuMsPerFlow: perFlow(agentCpu),
    loopP99Ms: result.health.event_loop.p99_ms,
    suspect: result.health.suspect_reasons,
  };
}

export async function measureOobInline(concurrencies: readonly number[], flowsPerVu: number, maxFlows: number): Promise<OobRow[]> {
  const rows: OobRow[] = [];
  for (const vus of concurrencies) {
    const iterations = Math.min(maxFlows, vus * flowsPerVu);
    const result = await runLoad({ scenario: createOobFlowScenario({}), model: { type: 'closed', vus }, iterations, timeoutMs: 30_000, health: bounds });
    rows.push(rowOf(`inline, ${vus} VU${vus === 1 ? '' : 's'}`, result));
  }
  return rows;
}

/** User + system CPU of every child process this one has waited for, ms (Linux). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14.
  return ((Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND) * 1000;
}

export interface ProcessCost {
  row: OobRow;
  receivers: number;
  cpuMsPerReceiver: number;
  memoryMbMax: number;
}

export async function measureOobProcess(vus: number, iterations: number): Promise<ProcessCost> {
  const scenario = createOobFlowScenario({ receiver: 'process', receiver_timeout: '60s' });
  // The agent is a child too, but it is only waited for (and so counted) after the run: read before that.
  const before = childrenCpuMs();
  let after = before;
  const result = await runLoad({
    scenario: {
      ...scenario,
      async close() {
        after = childrenCpuMs();
        await scenario.close?.();
      },
    },
    model: { type: 'closed', vus },
    iterations,
    timeoutMs: 90_000,
    health: bounds,
  });
  const receivers = result.recorder.counters.ok + result.recorder.counters.errors;
  return { row: rowOf(`process, ${vus} VUs`, result), receivers, cpuMsPerReceiver: (after - before) / Math.max(1, receivers), memoryMbMax: result.health.watched.find((w) => w.role === 'receiver')?.memory_mb_max ?? 0 };
}

export function formatOobTable(rows: readonly OobRow[]): string {
  const stepNames = [...new Set(rows.flatMap((r) => r.steps.map((s) => s.name)))];
  const header = ['run', 'flows', 'err', 'flows/s', ...stepNames.map((s) => `${s} p50/p99 ms`), 'agtest CPU %', 'agtest CPU ms/flow', 'agent CPU %', 'agent CPU ms/flow', 'loop p99 ms', 'suspect'];
  const body = rows.map((r) => [
    r.label,
    String(r.flows),
    String(r.errors),
    r.perSecond.toFixed(1),
    ...stepNames.map((name) => {
      const s = r.steps.find((x) => x.name === name);
      return s ? `${s.p50Ms.toFixed(1)}/${s.p99Ms.toFixed(1)}` : '-';
    }),
    r.generatorCpuPercent.toFixed(0),
    r.generatorCpuMsPerFlow.toFixed(2),
    r.agentCpuPercent.toFixed(0),
    r.agentCpuMsPerFlow.toFixed(2),
    r.loopP99Ms.toFixed(0),
    r.suspect.length ? 'yes' : 'no',
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((cells) => cells[i]!.length)));
  return [header, ...body].map((cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
