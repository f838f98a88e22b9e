/**
 * The load engine's own cost: the most iterations per second its `http` scenario drives against a
 * trivial loopback server (in another process, so the generator has its event loop to itself), and
 * the engine's overhead per iteration: a no-op scenario run by the engine vs the same no-op called
 * in a bare loop.
 */
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { execa } from 'execa';
import { createHttpScenario, runLoad, type LoadRunResult, type Scenario } from '../load/index.js';

export interface EngineRow {
  label: string;
  iterations: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuPercent: number;
  suspect: boolean;
}

const lenient = { maxEventLoopP99Ms: 1_000, maxCpuPercent: 1_000, maxEventLoopUtilization: 2 };

function row(label: string, result: LoadRunResult): EngineRow {
  const total = result.recorder.steps.get('total')!.latency.ok;
  return {
    label,
    iterations: result.recorder.counters.ok,
    perSecond: result.recorder.counters.ok / result.elapsedS,
    p50Ms: total.getValueAtPercentile(50) / 1000,
    p99Ms: total.getValueAtPercentile(99) / 1000,
    cpuPercent: result.health.generator.cpu_percent_mean,
    suspect: result.health.suspect_reasons.length > 0,
  };
}

export interface AutocannonRow {
  connections: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Closed-model http runs at several VU counts, for `durationMs` each, and autocannon (its own
 * defaults: keep-alive, no pipelining) with as many connections against the same server, same run.
 */
export async function measureHttpThroughput(durationMs: number, vuCounts: readonly number[]): Promise<{ rows: EngineRow[]; autocannon: AutocannonRow[] }> {
  const server = execa(process.execPath, [fileURLToPath(new URL('./trivial-server.js', import.meta.url))], { stdout: 'pipe', reject: false });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      server.once('exit', () => reject(new Error('the trivial server exited')));
    });
    const url = `http://127.0.0.1:${port}/`;
    // Warm-up: connections, JIT.
    await runLoad({ scenario: createHttpScenario({ url }), model: { type: 'closed', vus: 8 }, durationMs: 500, timeoutMs: 5000, health: lenient });
    const rows: EngineRow[] = [];
    const cannon: AutocannonRow[] = [];
    for (const vus of vuCounts) {
      // Default health bounds: at its top rate the generator is expected to be the bottleneck, and says so.
      rows.push(row(`http, closed ${vus} VUs`, await runLoad({ scenario: createHttpScenario({ url, connections: vus }), model: { type: 'closed', vus }, durationMs, timeoutMs: 5000 })));
      rows.push(row(`http (undici), closed ${vus} VUs`, await runLoad({ scenario: createHttpScenario({ url, connections: vus, client: 'undici' }), model: { type: 'closed', vus }, durationMs, timeoutMs: 5000 })));
      const result = await autocannon({ url, connections: vus, duration: durationMs / 1000 });
      cannon.push({ connections: vus, perSecond: result.requests.total / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99 });
    }
    return { rows, autocannon: cannon };
  } finally {
    server.kill('SIGTERM');
    await server;
  }
}

export interface OverheadResult {
  iterations: number;
  engineUsPerIteration: number;
  bareUsPerIteration: number;
  overheadUsPerIteration: number;
}

/** A no-op scenario (one step that resolves at once) through the engine vs a bare loop. */
export async function measureEngineOverhead(iterations: number): Promise<OverheadResult> {
  const noop = async () => undefined;
  const scenario: Scenario = { name: 'noop', steps: ['noop'], iterate: (it) => it.step('noop', noop) };
  await runLoad({ scenario, model: { type: 'closed', vus: 1 }, iterations: Math.min(iterations, 5000), timeoutMs: 5000, health: lenient });
  const engine = await runLoad({ scenario, model: { type: 'closed', vus: 1 }, iterations, timeoutMs: 5000, health: lenient });
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await noop();
  const bareUs = ((performance.now() - start) * 1000) / iterations;
  const engineUs = (engine.elapsedS * 1e6) / iterations;
  return { iterations, engineUsPerIteration: engineUs, bareUsPerIteration: bareUs, overheadUsPerIteration: engineUs - bareUs };
}

export function formatEngineTable(rows: readonly EngineRow[]): string {
  const header = ['run', 'iterations', 'iter/s', 'p50 ms', 'p99 ms', 'agtest CPU %', 'suspect'];
  const body = rows.map((r) => [r.label, String(r.iterations), r.perSecond.toFixed(0), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3), r.cpuPercent.toFixed(0), r.suspect ? 'yes' : 'no']);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((cells) => cells[i]!.length)));
  return [header, ...body].map((cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
