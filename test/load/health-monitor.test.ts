import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startHealthMonitor } from '../../load/health/monitor.js';

const lenient = { maxEventLoopP99Ms: 10_000, maxCpuPercent: 10_000, maxEventLoopUtilization: 2 };

t.test('a watched process busy for a run shorter than one sampling period: its CPU is measured, not 0 %', async (t) => {
  // Busy for 3 s at most, killed at the end of the test.
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 3000; while (Date.now() < end);'], { stdio: 'ignore' });
  t.teardown(() => void child.kill('SIGKILL'));
  await new Promise((resolve) => child.once('spawn', resolve));
  // No periodic sample falls inside the run: only the one taken when the monitor stops.
  const monitor = startHealthMonitor(lenient, 60_000);
  monitor.watch(child.pid!, 'agent');
  await sleep(800);
  const health = await monitor.stop();
  const agent = health.watched.find((w) => w.role === 'agent');
  t.ok(agent, 'the agent is reported');
  // A spinning process gets a core's share even on a loaded 2-core machine; 0 is the bug this guards.
  t.ok((agent?.cpu_percent_max ?? 0) > 10, `its CPU over the run is measured (${agent?.cpu_percent_max} %)`);
});
