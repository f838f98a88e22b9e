// The sweep against a third-party mediator: Credo 0.6 (examples/credo/credo-mediator.mjs) as the
// router of `agtest load topology`, at small size. Every ping must be answered: a loss here would
// be unexplained (Credo's two WebSocket habits the virtual agents allow for are in examples/credo/README.md).
import t from 'tap';
import { runTopologySweep, topologyReportProblems } from '../../load/index.js';
import { startCredoMediator } from '../helpers/credo-mediator.js';

t.test("agtest load topology through Credo 0.6's mediator: 5 agents, star, 20 messages, none lost", async (t) => {
  const credo = await startCredoMediator();
  t.teardown(() => credo.stop());
  const report = await runTopologySweep({
    router: credo.ready.invitation_url,
    agentCounts: [5],
    messageCounts: [20],
    topologies: ['star'],
    intervalsMs: [100],
    repeat: 1,
    fanout: 2,
    timeoutMs: 10_000,
    maxInFlight: 100,
    allowRemote: false,
    log: () => undefined,
  });
  t.same(topologyReportProblems(report), [], 'the report validates against its schema');
  const run = report.results[0]!;
  t.match(run, { agent_count: 5, topology: 'star', edge_count: 4, scheduled: 20, answered: 20, errors: 0, dropped: 0, success: true }, `all 20 pings answered through Credo (p99 ${run.p99_latency_ms} ms, ${run.throughput_msg_per_sec} msg/s)`);
  t.equal(report.summary.failed, 0);
});
