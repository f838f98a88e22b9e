import t from 'tap';
import { buildReport, createHttpScenario, LoadStepError, measurementsFromRecorder, mergeReports, runLoad, summarizeHistogram, type LoadRunResult, type Scenario } from '../../load/index.js';
import { closedPort, startLoadServer, type LoadServer } from '../helpers/load-server.js';

let server: LoadServer;
t.before(async () => {
  server = await startLoadServer({
    // Answers at once, except during a 1 s stall that starts 200 ms after the first request.
    '/stall': (() => {
      let first: number | undefined;
      return (_req, res) => {
        const now = Date.now();
        first ??= now;
        const stallFrom = first + 200;
        const stallTo = stallFrom + 1000;
        if (now < stallFrom || now >= stallTo) return void res.end('ok');
        const timer = setTimeout(() => res.end('stalled'), stallTo - now);
        res.on('close', () => clearTimeout(timer));
      };
    })(),
  });
});
t.teardown(() => server.close());

const total = (result: LoadRunResult) => result.recorder.steps.get('total')!;
const lenient = { maxEventLoopP99Ms: 10_000, maxCpuPercent: 10_000, maxEventLoopUtilization: 2 };

t.test('closed model: N iterations are N recorded, over N virtual users at most', async (t) => {
  const result = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'closed', vus: 4 }, iterations: 300, timeoutMs: 5000, health: lenient });
  const c = result.recorder.counters;
  t.match(c, { scheduled: 300, started: 300, ok: 300, errors: 0, dropped: 0, interrupted: 0 });
  t.equal(total(result).latency.ok.totalCount, 300, '300 samples in the total histogram');
  t.equal(result.recorder.steps.get('GET /ok')!.service.ok.totalCount, 300, '300 in the step histogram');
  t.ok(c.maxInFlight <= 4 && c.maxInFlight >= 2, `at most 4 in flight (${c.maxInFlight})`);
});

t.test('closed model with a duration stops on time and counts every iteration it started', async (t) => {
  const before = Date.now();
  const result = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'closed', vus: 2 }, durationMs: 700, thinkMs: 5, timeoutMs: 5000, health: lenient });
  const c = result.recorder.counters;
  t.ok(Date.now() - before < 2500, 'ended within the duration plus a margin');
  t.ok(c.ok > 10, `ran iterations (${c.ok})`);
  t.equal(c.started, c.ok + c.errors + c.interrupted, 'every started iteration is accounted for');
  // Think time bounds the rate: 2 VUs × (700 ms / ≥5 ms) ≤ 280 iterations.
  t.ok(c.started <= 282, `think time respected (${c.started} ≤ 282)`);
});

t.test('open model: the schedule decides the count, to the arrival', async (t) => {
  const result = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'open', rate: 100, maxInFlight: 50, maxStartDelayMs: 0 }, durationMs: 1000, timeoutMs: 5000, health: lenient });
  t.match(result.recorder.counters, { scheduled: 100, started: 100, ok: 100, dropped: 0 });
  const withCount = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'open', rate: 200, maxInFlight: 50, maxStartDelayMs: 0 }, iterations: 60, timeoutMs: 5000, health: lenient });
  t.match(withCount.recorder.counters, { scheduled: 60, ok: 60 });
  t.ok(withCount.elapsedS < 1, `60 arrivals at 200/s take about 0.3 s (${withCount.elapsedS.toFixed(2)} s)`);
  const ramp = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'open', rate: 0, stages: [{ durationMs: 500, target: 200 }, { durationMs: 500, target: 200 }], maxInFlight: 50, maxStartDelayMs: 0 }, timeoutMs: 5000, health: lenient });
  t.match(ramp.recorder.counters, { scheduled: 150, ok: 150 }, 'ramp 0→200/s over 0.5 s (50) then 200/s for 0.5 s (100)');
});

t.test('coordinated omission: a stall shows in latency from the intended start, not only in service time; late arrivals are dropped', async (t) => {
  const stalled = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/stall` }), model: { type: 'open', rate: 50, maxInFlight: 5, maxStartDelayMs: 400 }, durationMs: 2000, timeoutMs: 5000, health: lenient });
  const c = stalled.recorder.counters;
  const latency = summarizeHistogram(total(stalled).latency.ok);
  const service = summarizeHistogram(total(stalled).service.ok);
  const lag = summarizeHistogram(stalled.recorder.startLag);
  t.equal(c.scheduled, 100);
  t.equal(c.scheduled, c.ok + c.errors + c.dropped + c.interrupted, 'every arrival accounted for');
  t.ok(c.dropped >= 5, `arrivals that could not start within 400 ms were dropped (${c.dropped})`);
  t.ok(lag.max_ms >= 250, `some arrivals started late (max start lag ${lag.max_ms} ms)`);
  t.ok(latency.mean_ms - service.mean_ms >= 30, `latency mean ${latency.mean_ms} ms exceeds service mean ${service.mean_ms} ms by the queueing`);
  t.ok(latency.p90_ms >= 200, `the wait shows in latency p90 (${latency.p90_ms} ms; service p90 ${service.p90_ms} ms)`);

  // Control: the same load on a server that never stalls: nothing dropped, latency ≈ service.
  const smooth = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'open', rate: 50, maxInFlight: 5, maxStartDelayMs: 400 }, durationMs: 1000, timeoutMs: 5000, health: lenient });
  const smoothLatency = summarizeHistogram(total(smooth).latency.ok);
  const smoothService = summarizeHistogram(total(smooth).service.ok);
  t.equal(smooth.recorder.counters.dropped, 0, 'no drops without a stall');
  // Never started early: every sample's latency is at least its service time, so every percentile is too.
  for (const key of ['min_ms', 'p50_ms', 'p90_ms', 'p99_ms', 'max_ms'] as const) t.ok(smoothLatency[key] >= smoothService[key], `latency ${key} ${smoothLatency[key]} ≥ service ${smoothService[key]}`);
  t.equal(summarizeHistogram(smooth.recorder.startLag).count, smooth.recorder.counters.started);
  t.ok(smoothLatency.mean_ms - smoothService.mean_ms < 20, `no queueing without a stall (latency ${smoothLatency.mean_ms} vs service ${smoothService.mean_ms} ms)`);
});

t.test('errors are classified: http-status, refused, timeout, with examples', async (t) => {
  const port = await closedPort();
  const cases = [
    { url: `${server.url}/500`, errorClass: 'http-status', detail: { status: 500, body: 'boom' } },
    { url: `http://127.0.0.1:${port}/`, errorClass: 'refused' },
    { url: `${server.url}/slow`, errorClass: 'timeout' },
  ];
  for (const { url, errorClass, detail, client } of cases.flatMap((c) => (['raw', 'undici'] as const).map((client) => ({ ...c, client })))) {
    const result = await runLoad({ scenario: createHttpScenario({ url, client }), model: { type: 'closed', vus: 2 }, iterations: 6, timeoutMs: 300, health: lenient });
    t.match(result.recorder.counters, { ok: 0, errors: 6 }, `${errorClass} (${client} client): all 6 failed`);
    t.same([...result.recorder.errors.keys()], [errorClass], `${errorClass}: one class`);
    const bucket = result.recorder.errors.get(errorClass as never)!;
    t.equal(bucket.count, 6);
    t.equal(bucket.examples.length, 5, 'the first 5 examples kept');
    t.equal(bucket.examples[0]!.step, `GET ${new URL(url).pathname}`, 'the failing step is named');
    if (detail) t.match(bucket.examples[0]!.detail, detail);
    t.equal(total(result).latency.error.totalCount, 6, 'failed iterations are timed in the error histogram');
  }
  // A 2xx the endpoint does not expect is an error; a 500 it expects is not.
  const expected = await runLoad({ scenario: createHttpScenario({ url: server.url, endpoints: [{ path: '/500', expect: [500] }, { path: '/ok', expect: [201] }] }), model: { type: 'closed', vus: 1 }, iterations: 2, timeoutMs: 1000, health: lenient });
  t.equal(expected.recorder.steps.get('GET /500')!.latency.ok.totalCount, 2, 'expected 500 passes');
  t.equal(expected.recorder.errors.get('http-status')?.count, 2, 'unexpected 200 fails');
});

t.test('a scenario that ignores its signal is still settled at the timeout, and scenario errors keep their class', async (t) => {
  const hung: Scenario = { name: 'hung', steps: ['wait'], iterate: (it) => it.step('wait', () => new Promise<void>(() => undefined)) };
  const before = Date.now();
  const result = await runLoad({ scenario: hung, model: { type: 'closed', vus: 3 }, iterations: 3, timeoutMs: 200, health: lenient });
  t.ok(Date.now() - before < 2000, 'bounded by the timeout');
  t.equal(result.recorder.errors.get('timeout')?.count, 3);
  const failing: Scenario = {
    name: 'failing',
    steps: ['a', 'b'],
    async iterate(it) {
      await it.step('a', async () => undefined);
      await it.step('b', async () => {
        throw new LoadStepError('problem-report', 'agent said no', { code: 'e.p.x' });
      });
    },
  };
  const failed = await runLoad({ scenario: failing, model: { type: 'closed', vus: 1 }, iterations: 4, timeoutMs: 1000, health: lenient });
  t.equal(failed.recorder.errors.get('problem-report')?.count, 4);
  t.equal(failed.recorder.errors.get('problem-report')?.examples[0]?.step, 'b');
  t.equal(failed.recorder.steps.get('a')!.latency.ok.totalCount, 4, 'step a ok');
  t.equal(failed.recorder.steps.get('b')!.latency.error.totalCount, 4, 'step b failed');
});

t.test('shards run disjoint slices whose union is the whole run', async (t) => {
  const seen: number[] = [];
  const counting = (): Scenario => ({ name: 'count', steps: ['x'], iterate: (it) => it.step('x', async () => void seen.push(it.index)) });
  const closed = await Promise.all([0, 1, 2, 3].map((index) => runLoad({ scenario: counting(), model: { type: 'closed', vus: 4 }, iterations: 103, shard: { index, count: 4 }, timeoutMs: 1000, health: lenient })));
  t.same(closed.map((r) => r.recorder.counters.ok), [26, 26, 26, 25]);
  t.same([...seen].sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i), 'closed: every index once');
  // Four shard reports merged count what one unsharded run of the same load counts.
  const asReport = (r: LoadRunResult, index: number, count: number) => buildReport({ scenario: 'count', config: {}, shard: { index, count }, mergedFrom: null, startedAt: r.startedAt, endedAt: r.endedAt, durationS: r.elapsedS, measurements: measurementsFromRecorder(r.recorder), health: [r.health] });
  const merged = mergeReports(closed.map((r, i) => ({ name: `shard${i + 1}`, report: asReport(r, i + 1, 4) })));
  const whole = asReport(await runLoad({ scenario: counting(), model: { type: 'closed', vus: 4 }, iterations: 103, timeoutMs: 1000, health: lenient }), 1, 1);
  for (const key of ['scheduled', 'started', 'ok', 'errors', 'dropped', 'interrupted'] as const) t.equal(merged.summary[key], whole.summary[key], `merged ${key} = unsharded ${key} (${whole.summary[key]})`);
  t.equal(merged.steps.find((x) => x.name === 'total')?.latency_ms.count, 103);
  seen.length = 0;
  const open = await Promise.all([0, 1].map((index) => runLoad({ scenario: counting(), model: { type: 'open', rate: 100, maxInFlight: 10, maxStartDelayMs: 0 }, durationMs: 500, shard: { index, count: 2 }, timeoutMs: 1000, health: lenient })));
  t.same(open.map((r) => r.recorder.counters.scheduled), [25, 25], 'open: each shard schedules its half of the arrivals due in the duration');
  // On a CPU-starved machine the last arrivals can be read after the end: they count as dropped, never run.
  const dropped = open.reduce((sum, r) => sum + r.recorder.counters.dropped, 0);
  t.equal(new Set(seen).size, seen.length, 'open: no arrival runs twice');
  t.ok(seen.every((index) => Number.isInteger(index) && index >= 0 && index < 50), 'open: only the run\'s arrivals run');
  t.equal(seen.length + dropped, 50, `open: every arrival ran or was counted dropped (${seen.length} ran, ${dropped} dropped)`);
});

t.test('an open run whose loop is starved past the end counts the arrivals it never read as scheduled and dropped', async (t) => {
  let ran = 0;
  const blocking: Scenario = {
    name: 'block',
    steps: ['x'],
    // The first iteration holds the event loop past the end of the run, as a starved machine would,
    // just after the engine yielded (so the end of the duration fires before the engine reads on).
    iterate: (it) => it.step('x', async () => {
      ran += 1;
      await null;
      if (it.index === 0) {
        const until = Date.now() + 400;
        while (Date.now() < until);
      }
    }),
  };
  const result = await runLoad({ scenario: blocking, model: { type: 'open', rate: 100, maxInFlight: 10, maxStartDelayMs: 0 }, durationMs: 200, timeoutMs: 1000, health: lenient });
  const c = result.recorder.counters;
  t.equal(c.scheduled, 20, 'the 20 arrivals due in 200 ms at 100/s are all scheduled');
  t.equal(c.started + c.dropped, 20, `each started or dropped (${c.started} started, ${c.dropped} dropped)`);
  t.ok(c.dropped > 0, 'those read after the end are dropped, not forgotten');
  t.equal(ran, c.started);
});

t.test('load goes to loopback only unless remote targets are allowed', async (t) => {
  await t.rejects(runLoad({ scenario: createHttpScenario({ url: 'http://192.0.2.1/' }), model: { type: 'closed', vus: 1 }, iterations: 1, timeoutMs: 100 }), { code: 'AGTEST_LOAD_REMOTE_TARGET' });
  await t.rejects(runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'closed', vus: 1 }, timeoutMs: 100 }), { code: 'AGTEST_LOAD_CONFIG_INVALID' }, 'a run with no end is refused');
  const local = await runLoad({ scenario: createHttpScenario({ url: server.url.replace('127.0.0.1', 'localhost') + '/ok' }), model: { type: 'closed', vus: 1 }, iterations: 1, timeoutMs: 2000, health: lenient });
  t.equal(local.recorder.counters.started, 1, 'localhost is loopback');
});

t.test('the generator is marked suspect when it saturates, and not when the bounds hold', async (t) => {
  // Busy-waits 80 ms per iteration on the event loop: the generator itself is the bottleneck.
  const busy: Scenario = {
    name: 'busy',
    steps: ['spin'],
    iterate: (it) =>
      it.step('spin', async () => {
        const until = Date.now() + 80;
        while (Date.now() < until);
      }),
  };
  const saturated = await runLoad({ scenario: busy, model: { type: 'closed', vus: 1 }, durationMs: 1200, timeoutMs: 1000 });
  t.equal(saturated.health.suspect, true, 'suspect with the default bounds');
  t.match(saturated.health.suspect_reasons.join(' '), /event-loop delay p99 .* > 50 ms/);
  t.match(saturated.health.suspect_reasons.join(' '), /event-loop utilization 0\.9\d+ > 0\.95|event-loop utilization 1 > 0\.95/, 'busy all the time');
  const low = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'closed', vus: 1 }, durationMs: 300, thinkMs: 5, timeoutMs: 1000, health: { maxEventLoopP99Ms: 0.001, maxCpuPercent: 10_000, maxEventLoopUtilization: 2 } });
  t.equal(low.health.suspect, true, 'a bound set very low marks even a light run');
  const fine = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/ok` }), model: { type: 'closed', vus: 1 }, iterations: 20, timeoutMs: 1000, health: lenient });
  t.equal(fine.health.suspect, false, 'not suspect within the bounds');
  t.same(fine.health.suspect_reasons, []);
});

t.test('generator health samples the processes a scenario registers', async (t) => {
  const { execa } = await import('execa');
  let child: ReturnType<typeof execa> | undefined;
  const watched: Scenario = {
    name: 'watched',
    steps: ['x'],
    async open(ctx) {
      // A process that holds ~20 MB and keeps a core busy, standing in for a receiver: busy enough
      // to show above 5 % on 2 loaded cores by its own work, not by its start-up.
      child = execa(process.execPath, ['-e', 'const b = Buffer.alloc(20e6, 1); const end = Date.now() + 5000; const spin = () => { const u = Date.now() + 20; while (Date.now() < u); if (Date.now() < end) setTimeout(spin, 1); }; spin();'], { reject: false });
      ctx.watchProcess(child.pid!, 'receiver');
    },
    iterate: (it) => it.step('x', async () => undefined),
    async close() {
      child?.kill();
      await child;
    },
  };
  const result = await runLoad({ scenario: watched, model: { type: 'closed', vus: 1 }, durationMs: 2200, thinkMs: 20, timeoutMs: 1000, health: lenient });
  const receivers = result.health.watched.find((w) => w.role === 'receiver');
  t.ok(receivers, 'the receiver role is reported');
  t.equal(receivers?.processes, 1);
  t.ok((receivers?.memory_mb_max ?? 0) >= 20, `its memory is sampled (${receivers?.memory_mb_max} MB)`);
  t.ok((receivers?.cpu_percent_max ?? 0) > 5, `its CPU is sampled (${receivers?.cpu_percent_max} %)`);
  t.ok(result.health.samples.length >= 2, 'samples once a second');
  t.ok(result.health.host.cpus >= 1);
});

t.test('a scenario can end the run (its agent died): what was measured is kept, with the reason', async (t) => {
  let context: Parameters<NonNullable<Scenario['open']>>[0] | undefined;
  const dying: Scenario = {
    name: 'dying',
    steps: ['x'],
    async open(ctx) {
      context = ctx;
    },
    async iterate(it) {
      await it.step('x', async () => undefined);
      if (it.index === 9) context!.stopRun('the agent exited with code 1');
    },
  };
  const before = Date.now();
  const result = await runLoad({ scenario: dying, model: { type: 'closed', vus: 1 }, durationMs: 10_000, thinkMs: 2, timeoutMs: 1000, health: lenient });
  t.ok(Date.now() - before < 3000, 'ended at once, not after 10 s');
  t.equal(result.stoppedEarly, 'stopped by the scenario: the agent exited with code 1');
  // The iteration that stopped the run had not returned yet: it is interrupted, not failed.
  t.match(result.recorder.counters, { ok: 9, errors: 0, interrupted: 1 }, 'the iterations before are kept');
});

t.test('timeouts among iterations that finish: exactly the hung ones time out, each at its own deadline', async (t) => {
  const mixed: Scenario = {
    name: 'mixed',
    steps: ['x'],
    iterate: (it) =>
      it.step('x', async () => {
        // Every third iteration hangs (ignoring its signal); the others take 0-40 ms.
        if (it.index % 3 === 0) await new Promise<void>(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, (it.index * 7) % 40));
      }),
  };
  const result = await runLoad({ scenario: mixed, model: { type: 'closed', vus: 10 }, iterations: 60, timeoutMs: 150, health: lenient });
  t.match(result.recorder.counters, { ok: 40, errors: 20 });
  t.equal(result.recorder.errors.get('timeout')?.count, 20);
  const timedOut = summarizeHistogram(result.recorder.steps.get('total')!.service.error);
  t.ok(timedOut.min_ms >= 145 && timedOut.max_ms < 1000, `each timed out about 150 ms after its own start (${timedOut.min_ms}–${timedOut.max_ms} ms)`);
});

t.test('the graceful stop bounds the end of a run: iterations still running are interrupted, not failed', async (t) => {
  for (const model of [{ type: 'closed', vus: 3 } as const, { type: 'open', rate: 20, maxInFlight: 3, maxStartDelayMs: 0 } as const]) {
    const before = Date.now();
    const result = await runLoad({ scenario: createHttpScenario({ url: `${server.url}/slow` }), model, durationMs: 300, gracefulStopMs: 200, timeoutMs: 5000, health: lenient });
    t.ok(Date.now() - before < 1500, `${model.type}: ended after duration + graceful stop, not at the 2 s answer or the 5 s timeout (${Date.now() - before} ms)`);
    t.match(result.recorder.counters, { ok: 0, errors: 0, interrupted: 3 }, `${model.type}: 3 interrupted`);
  }
});
