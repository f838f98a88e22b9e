import t from 'tap';
import { request } from 'undici';
import { createHistogram, decodeHistogram, runTopologySweep, summarizeHistogram, topologyReportProblems, type TopologyReport } from '../../load/index.js';
import { createAgentPool, openRouter } from '../../load/topology/index.js';
import { resolvePeerDid2 } from '../../envelopes/index.js';
import { startReferenceAgent } from '../../reference-agent/index.js';

const quiet = () => undefined;
const small = { agentCounts: [3, 4], messageCounts: [12], intervalsMs: [20], repeat: 2, fanout: 2, timeoutMs: 3000, maxInFlight: 100, allowRemote: false, log: quiet } as const;

t.test('a sweep through the real reference mediator: every ping answered, the seed\'s JSON, percentiles from merged histograms', async (t) => {
  const report: TopologyReport = await runTopologySweep({ ...small, topologies: ['star', 'mesh', 'ring', 'line', 'hierarchical'] });
  t.same(topologyReportProblems(report), [], 'the report validates against its schema');
  const s = report.summary;
  t.equal(s.total_runs, 2 * 5 * 2);
  t.equal(s.failed, 0, 'no run lost a message');
  t.equal(s.answered, 20 * 12);
  t.equal(s.errors, 0);
  t.equal(s.dropped, 0);
  t.same(s.errors_by_class, {});
  // The seed's field names, as they are.
  for (const key of ['total_runs', 'successful', 'failed', 'avg_throughput', 'max_throughput', 'min_throughput', 'avg_latency_ms', 'max_latency_ms', 'by_topology', 'by_agent_count']) t.ok(key in s, `summary.${key}`);
  for (const key of ['agent_count', 'message_count', 'topology', 'message_interval_ms', 'repeat', 'success', 'throughput_msg_per_sec', 'avg_latency_ms', 'p50_latency_ms', 'p95_latency_ms', 'p99_latency_ms', 'duration_sec']) t.ok(key in report.results[0]!, `results[].${key}`);
  t.same(Object.keys(report.config).slice(0, 5), ['agent_counts', 'message_counts', 'topologies', 'message_intervals_ms', 'repeat_count']);
  t.same(Object.keys(s.by_topology), ['star', 'mesh', 'ring', 'line', 'hierarchical']);
  t.same(Object.keys(s.by_agent_count), ['3', '4']);
  t.same(report.results.filter((r) => r.agent_count === 4).map((r) => r.edge_count), [3, 3, 6, 6, 4, 4, 3, 3, 3, 3]);
  t.equal(report.cells.length, 10, 'one cell per agents × messages × topology × interval, repeats merged');

  // by_topology.star's p99 is the p99 of the star runs' merged histogram, not an average of their p99s.
  const merged = createHistogram();
  const star = report.results.filter((r) => r.topology === 'star');
  for (const run of star) merged.add(decodeHistogram(run.latency_histogram));
  t.equal(s.by_topology['star']!.p99_latency_ms, summarizeHistogram(merged).p99_ms);
  t.equal(s.by_topology['star']!.answered, merged.totalCount);
  t.ok(report.results.every((r) => r.health.samples !== undefined && typeof r.suspect === 'boolean'), 'generator health and the suspect flag per run');
  t.ok(report.setup.heap_kb_per_agent !== 0 || report.setup.rss_kb_per_agent !== 0, 'memory per agent measured');
});

t.test('a mediator that drops forwards: every ping shows as lost (timeout), the run fails, nothing is hidden', async (t) => {
  const report = await runTopologySweep({ ...small, agentCounts: [3], messageCounts: [8], intervalsMs: [20], repeat: 1, timeoutMs: 400, topologies: ['star'], faults: ['forward-drop'] });
  t.same(topologyReportProblems(report), []);
  const [run] = report.results;
  t.equal(run!.success, false);
  t.equal(run!.answered, 0);
  t.same(run!.errors_by_class, { timeout: 8 }, 'each dropped forward is a lost ping, counted');
  t.equal(report.summary.failed, 1);
  t.same(report.summary.errors_by_class, { timeout: 8 });
  t.equal(report.summary.by_topology['star']!.errors, 8);
});

t.test('a mediator that never turns live mode on: setup fails naming the agent and the step', async (t) => {
  await t.rejects(runTopologySweep({ ...small, agentCounts: [2], messageCounts: [1], intervalsMs: [20], repeat: 1, setupTimeoutMs: 400, topologies: ['star'], faults: ['pickup-live-ignored'] }), {
    code: 'AGTEST_LOAD_ROUTER_FAILED',
    message: /virtual agent \d: live mode \(pickup 2\.0 live-delivery-change\) failed: no answer within 400 ms/,
  });
});

t.test('--router: a mediator already running, by its invitation URL or by an HTTP URL that answers with one', async (t) => {
  const mediator = await startReferenceAgent({ transport: 'ws' });
  t.teardown(() => mediator.close());
  const answer = await request(mediator.backchannel, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'create-invitation', params: {} }) });
  const invitationUrl = ((await answer.body.json()) as { invitation_url: string }).invitation_url;
  const base = { ...small, agentCounts: [3], messageCounts: [6], repeat: 1, topologies: ['line' as const] };
  for (const router of [invitationUrl, mediator.backchannel]) {
    const report = await runTopologySweep({ ...base, router });
    t.equal(report.router, router);
    t.equal(report.summary.answered, 6, `every ping answered through ${router.slice(0, 40)}…`);
  }
  // The agents' DIDs route through the mediator: its endpoint, one routing key (a did:key in the DID).
  const router = await openRouter({ router: invitationUrl, allowRemote: false, log: quiet });
  const pool = await createAgentPool(2, router.invite, 3000, quiet);
  t.teardown(() => pool.close());
  const service = resolvePeerDid2(pool.agents[1]!.did).services[0]!;
  t.equal(service.serviceEndpoint, mediator.endpoint);
  t.equal(service.routingKeys.length, 1);
  t.match(pool.agents[1]!.did, /^did:peer:2\.Vz6Mk/);
});

t.test('router URLs that cannot be used are refused with what to give instead', async (t) => {
  const base = { ...small, agentCounts: [2], messageCounts: [1], intervalsMs: [20], repeat: 1, topologies: ['star' as const] };
  await t.rejects(runTopologySweep({ ...base, router: 'not a url' }), { code: 'AGTEST_LOAD_ROUTER_FAILED', message: /--router "not a url" is not a URL: give the mediator's invitation URL/ });
  await t.rejects(runTopologySweep({ ...base, router: 'ws://127.0.0.1:9/' }), { message: /a WebSocket endpoint alone names no key/ });
  await t.rejects(runTopologySweep({ ...base, router: 'http://127.0.0.1:9/' }), { message: /--router http:\/\/127\.0\.0\.1:9\/: cannot reach it/ });
  await t.rejects(runTopologySweep({ ...base, router: 'https://mediator.example/invite' }), { message: /is not loopback: .*--allow-remote/ });
  await t.rejects(runTopologySweep({ ...base, router: 'https://x.example/?oob=bm90IGpzb24' }), { message: /the invitation cannot be used: the oob parameter is not/ });
  await t.rejects(runTopologySweep({ ...base, router: 'http://127.0.0.1:9/', faults: ['forward-drop'] }), { message: /--fault is for the built-in reference mediator/ });
});
