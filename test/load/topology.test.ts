import t from 'tap';
import { request } from 'undici';
import { createHistogram, decodeHistogram, runLoad, runTopologySweep, summarizeHistogram, topologyReportProblems, type TopologyReport } from '../../load/index.js';
import { createAgentPool, directedPairs, openRouter, topologyEdges } from '../../load/topology/index.js';
import { topologyScenario } from '../../load/topology/scenario.js';
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
  await t.rejects(runTopologySweep({ ...small, agentCounts: [2], messageCounts: [1], intervalsMs: [20], repeat: 1, timeoutMs: 400, topologies: ['star'], faults: ['pickup-live-ignored'] }), {
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
  const pool = await createAgentPool(2, router.invitation, 3000, quiet);
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

t.test('the mediator drops every connection mid-run: agents reconnect, pick up what was queued, and every ping is accounted for', async (t) => {
  const router = await openRouter({ allowRemote: false, log: quiet });
  t.teardown(() => router.close());
  const pool = await createAgentPool(4, router.invitation, 3000, quiet);
  t.teardown(() => pool.close());
  const backchannel = String(router.agent!.ready['backchannel']);
  const messages = 60;
  const dropped = setTimeout(() => void request(backchannel, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'drop-connections', params: {} }) }).then((r) => r.body.dump()), 400);
  t.teardown(() => clearTimeout(dropped));
  const result = await runLoad({ scenario: topologyScenario(pool.agents, directedPairs(topologyEdges('mesh', 4)), router.invitation.endpoint), model: { type: 'open', rate: 60, maxInFlight: 100, maxStartDelayMs: 0 }, iterations: messages, timeoutMs: 1500, gracefulStopMs: 2000 });
  const c = result.recorder.counters;
  t.same(pool.agents.map((agent) => agent.link.reconnects), [1, 1, 1, 1], 'every agent reconnected once');
  t.equal(c.ok + c.errors, messages, 'every ping is answered or counted as failed: none vanishes, none is cut off');
  // A ping written into a socket the mediator was tearing down is lost on the wire: it must show, as a timeout.
  t.equal(c.errors, [...result.recorder.errors.values()].reduce((n, b) => n + b.count, 0));
  t.ok([...result.recorder.errors.keys()].every((k) => k === 'timeout' || k === 'transport'), 'losses are timeouts (or a send that failed)');
  t.ok(c.ok >= messages * 0.8, `most pings survive the outage (${c.ok} of ${messages}): sends wait for the new socket, queued messages are picked up`);
  t.comment(`answered ${c.ok} of ${messages}; picked up after reconnect: ${pool.agents.map((agent) => agent.counters.pickedUp).join(',')}`);
});

t.test('a message for an agent whose socket is gone waits at the mediator and is picked up (pickup 2.0 delivery-request) when it is back', async (t) => {
  const router = await openRouter({ allowRemote: false, log: quiet });
  t.teardown(() => router.close());
  const pool = await createAgentPool(2, router.invitation, 3000, quiet);
  t.teardown(() => pool.close());
  const [a, b] = pool.agents as [typeof pool.agents[0], typeof pool.agents[0]];
  await a.ping(b, AbortSignal.timeout(3000));
  t.equal(b.counters.pickedUp, 0, 'live mode: delivered on the socket, nothing to pick up');
  b.link.dropSocket();
  // Let the mediator see the close (its session ends, live mode with it) before the ping comes.
  await new Promise((resolve) => setTimeout(resolve, 40));
  const started = performance.now();
  await a.ping(b, AbortSignal.timeout(5000));
  t.equal(b.link.reconnects, 1, 'b reconnected');
  t.equal(b.counters.pickedUp, 1, 'the ping queued for b was picked up, then answered');
  t.ok(performance.now() - started >= 20, 'its round trip counts the wait');
});

t.test('an agent that did not register its key: a correct mediator delivers nothing for it (lost, counted); one that delivers anyway shows as misdelivered', async (t) => {
  const base = { ...small, agentCounts: [3], messageCounts: [8], repeat: 1, timeoutMs: 400, topologies: ['star' as const], unregistered: 1 };
  // Pairs in turn: 0→1, 1→0, 0→2, 2→0; agent 1 is unregistered, so the pings on 0↔1 are lost.
  const correct = await runTopologySweep(base);
  t.same(topologyReportProblems(correct), []);
  t.equal(correct.results[0]!.answered, 4);
  t.same(correct.results[0]!.errors_by_class, { timeout: 4 });
  t.equal(correct.results[0]!.misdelivered, 0, 'nothing reached the wrong agent');
  t.equal(correct.config.unregistered, 1);
  const faulty = await runTopologySweep({ ...base, faults: ['forward-unknown-key'] });
  // The fault hands a forward for an unknown key to the client that asked for mediation last: another
  // agent (misdelivered: it cannot open it) or, when the setup order made it so, agent 1 itself (answered).
  const run = faulty.results[0]!;
  t.ok(run.misdelivered > 0 || run.answered > 4, `a delivery for a key nobody registered shows: ${run.misdelivered} misdelivered, ${run.answered} answered`);
  t.equal(faulty.summary.misdelivered, run.misdelivered);
  t.equal(run.answered + run.errors, 8, 'every ping answered or counted');
  await t.rejects(runTopologySweep({ ...base, unregistered: 3 }), { code: 'AGTEST_LOAD_CONFIG_INVALID', message: /--unregistered takes an integer from 0 to the smallest agent count minus 1/ });
});
