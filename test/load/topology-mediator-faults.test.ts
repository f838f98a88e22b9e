// The sweep under mediator faults (issue 18, item 5), end to end on small numbers: real virtual
// agents, real WebSockets on 127.0.0.1, the reference mediator in-process so its counters can be
// read. Each fault's effect is proven against a run of the same shape without it.
import t, { type Test } from 'tap';
import { directedPairs, runTopologySweep, topologyEdges, type TopologyReport } from '../../load/index.js';
import { startReferenceAgent, type MediatorLoadFaults, type RunningReferenceAgent } from '../../reference-agent/index.js';

async function mediator(t: Test, faults: MediatorLoadFaults): Promise<{ agent: RunningReferenceAgent; invitationUrl: string }> {
  const agent = await startReferenceAgent({ transport: 'ws', mediatorFaults: faults });
  t.teardown(() => agent.close());
  const response = await fetch(agent.backchannel, { method: 'POST', body: JSON.stringify({ action: 'create-invitation', params: {} }) });
  return { agent, invitationUrl: ((await response.json()) as { invitation_url: string }).invitation_url };
}

/** One star run of `messages` pings among `agents` agents through the mediator at `invitationUrl`. */
function sweep(invitationUrl: string, agents: number, messages: number, intervalMs: number, timeoutMs = 3_000): Promise<TopologyReport> {
  return runTopologySweep({ router: invitationUrl, agentCounts: [agents], messageCounts: [messages], topologies: ['star'], intervalsMs: [intervalMs], repeat: 1, fanout: 2, timeoutMs, maxInFlight: 1000, allowRemote: false, log: () => undefined });
}

/** What the mediator did must add up: every forward delivered one way or counted undeliverable; everything queued picked up or still waiting. */
function accountsFor(t: Test, agent: RunningReferenceAgent): void {
  const s = agent.mediatorStats();
  t.equal(s.forwards, s.deliveredLive + s.queued + s.pushed + s.undeliverable, `every forward accounted for at the mediator (${JSON.stringify(s)})`);
  t.equal(s.queued, s.pickedUp + s.waiting, 'everything queued was picked up or still waits');
}

t.test('the mediator drops every connection every 30 forwards: agents reconnect, pick up what was queued, and every ping is answered or counted lost', async (t) => {
  const { agent, invitationUrl } = await mediator(t, { dropConnectionsEvery: 30 });
  // 6 s per ping: on a starved machine a shorter wait would count slow pings as lost before the drops come.
  const report = await sweep(invitationUrl, 5, 100, 50, 6_000);
  const run = report.results[0]!;
  const stats = agent.mediatorStats();
  t.equal(stats.connectionDrops, Math.floor(stats.forwards / 30), `the mediator dropped every connection ${stats.connectionDrops} times (${stats.forwards} forwards / 30)`);
  t.ok(stats.connectionDrops >= 2, 'more than once: agents came back after each drop and sent on');
  t.ok(run.reconnects >= stats.connectionDrops, `the report counts the agents' reconnects (${run.reconnects}) and what they picked up (${run.picked_up})`);
  t.ok(stats.queued > 0, `forwards that came during an outage were queued (${stats.queued})`);
  // What was queued for an agent still reconnecting when the run ended may still wait: accountsFor checks it adds up.
  t.ok(stats.pickedUp > 0, `and picked up after reconnecting (pickup 2.0: ${stats.pickedUp}; ${stats.waiting} still waiting at the end)`);
  t.equal(run.answered + run.errors + run.dropped + run.interrupted, run.scheduled, `every ping answered or counted: ${run.answered} answered, ${run.errors} errors ${JSON.stringify(run.errors_by_class)}, ${run.dropped} dropped`);
  // A send on a socket the mediator killed fails (transport); a ping or answer that died with it is never answered (timeout). No other kind of loss.
  t.same(Object.keys(run.errors_by_class).filter((k) => k !== 'transport' && k !== 'timeout'), [], 'losses are transport failures and timeouts only');
  t.ok(run.errors > 0, 'and they are counted, not hidden');
  t.equal(run.success, false, 'a run with a loss is not a success');
  accountsFor(t, agent);
});

t.test('without the fault the same run loses nothing and drops nothing', async (t) => {
  const { agent, invitationUrl } = await mediator(t, {});
  const run = (await sweep(invitationUrl, 5, 100, 50, 10_000)).results[0]!;
  t.equal(run.answered, 100, 'all 100 answered');
  t.match(agent.mediatorStats(), { connectionDrops: 0, queued: 0, forwards: 200, deliveredLive: 200 });
  accountsFor(t, agent);
});

t.test('a slow mediator (50 ms per forward): latency shows the queueing, against the same run without the delay', async (t) => {
  // 30 pings offered in 0.3 s; 2 forwards a ping at 50 ms each take 3 s to serve: the last waits behind the others.
  const fast = (await sweep((await mediator(t, {})).invitationUrl, 5, 30, 50, 10_000)).results[0]!;
  const slowMediator = await mediator(t, { forwardDelayMs: 50 });
  const slow = (await sweep(slowMediator.invitationUrl, 5, 30, 50, 10_000)).results[0]!;
  t.equal(slow.answered, 30, 'slow, but every ping answered');
  // A floor, not a guess: 60 forwards held 50 ms each in turn take 3 s; the last ping was meant to leave by 0.3 s.
  t.ok(slow.max_latency_ms >= 2600, `the last ping waited behind the others: max ${slow.max_latency_ms} ms, p99 ${slow.p99_latency_ms} ms`);
  t.ok(slow.p99_latency_ms > fast.p99_latency_ms, `p99 ${slow.p99_latency_ms} ms slow vs ${fast.p99_latency_ms} ms without the delay`);
  t.ok(slow.throughput_msg_per_sec < fast.throughput_msg_per_sec, `throughput ${slow.throughput_msg_per_sec} vs ${fast.throughput_msg_per_sec} msg/s`);
  accountsFor(t, slowMediator.agent);
});

t.test('agents whose key is not registered (--unregistered): the mediator delivers nothing to them; each lost ping is one undeliverable forward at the mediator', async (t) => {
  const { agent, invitationUrl } = await mediator(t, {});
  const report = await runTopologySweep({ router: invitationUrl, agentCounts: [5], messageCounts: [40], topologies: ['star'], intervalsMs: [25], repeat: 1, fanout: 2, timeoutMs: 3_000, maxInFlight: 100, allowRemote: false, log: () => undefined, unregistered: 1 });
  const run = report.results[0]!;
  const lost = run.errors_by_class['timeout'] ?? 0;
  // Agent 1 skips keylist-update: every ping on its edge (to it, or from it: then the answer to it) is lost.
  const pairs = directedPairs(topologyEdges('star', 5));
  const onItsEdge = Array.from({ length: 40 }, (_, i) => pairs[i % pairs.length]!).filter((pair) => pair.includes(1)).length;
  t.equal(run.answered + lost, 40, `every ping answered or counted lost: ${run.answered} answered, ${lost} timed out`);
  t.ok(lost >= onItsEdge, `the ${onItsEdge} pings on the unregistered agent's edge are among them`);
  t.same(Object.keys(run.errors_by_class), ['timeout'], 'no other kind of loss');
  t.equal(run.misdelivered, 0, 'nothing reached the wrong agent');
  t.equal(agent.mediatorStats().undeliverable, onItsEdge, 'the mediator counted one undeliverable forward per ping on that edge (the ping to it, or the answer to it)');
  accountsFor(t, agent);
});

t.test('the load faults reach the built-in mediator through --fault name=N (agtest-reference-agent --faults), and a bad one stops the sweep naming it', async (t) => {
  const base = { agentCounts: [3], messageCounts: [30], topologies: ['star' as const], intervalsMs: [30], repeat: 1, fanout: 2, timeoutMs: 3_000, maxInFlight: 100, allowRemote: false, log: () => undefined };
  const report = await runTopologySweep({ ...base, faults: ['drop-connections-every=10'] });
  t.match(report.router, /built-in reference mediator with faults drop-connections-every=10/);
  t.ok(report.results[0]!.reconnects > 0, `the agents reconnected (${report.results[0]!.reconnects} times): the mediator dropped them`);
  await t.rejects(runTopologySweep({ ...base, faults: ['drop-connections-every=0'] }), { message: /dropConnectionsEvery must be an integer 1-/ });
});
