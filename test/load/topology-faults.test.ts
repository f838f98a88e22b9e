import t from 'tap';
import { request } from 'undici';
import { runLoad, runTopologySweep, topologyReportProblems } from '../../load/index.js';
import { createAgentPool, directedPairs, openRouter, topologyEdges, topologyScenario } from '../../load/topology/index.js';

const quiet = () => undefined;
const small = { agentCounts: [3, 4], messageCounts: [12], intervalsMs: [20], repeat: 2, fanout: 2, timeoutMs: 3000, maxInFlight: 100, allowRemote: false, log: quiet } as const;

t.test('the mediator drops every connection mid-run: agents reconnect, pick up what was queued, and every ping is accounted for', async (t) => {
  const router = await openRouter({ allowRemote: false, log: quiet });
  t.teardown(() => router.close());
  const pool = await createAgentPool(4, router.invite, 3000, quiet);
  t.teardown(() => pool.close());
  const backchannel = String(router.agent!.ready['backchannel']);
  const messages = 60;
  const scenario = topologyScenario(pool.agents, directedPairs(topologyEdges('mesh', 4)), router.invitation.endpoint);
  const iterate = scenario.iterate.bind(scenario);
  let dropped = false;
  // At ping 20 of 60 the mediator drops every connection: mid-run, whatever the machine's speed.
  scenario.iterate = async (it) => {
    if (it.index === 20 && !dropped) {
      dropped = true;
      const answer = await request(backchannel, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'drop-connections', params: {} }) });
      await answer.body.dump();
    }
    return iterate(it);
  };
  const result = await runLoad({ scenario, model: { type: 'open', rate: 60, maxInFlight: 100, maxStartDelayMs: 0 }, iterations: messages, timeoutMs: 1500, gracefulStopMs: 2000 });
  t.ok(dropped, 'the connections were dropped mid-run');
  const c = result.recorder.counters;
  t.ok(pool.agents.every((agent) => agent.link.reconnects >= 1), `every agent reconnected (${pool.agents.map((agent) => agent.link.reconnects).join(',')})`);
  t.equal(c.ok + c.errors, messages, 'every ping is answered or counted as failed: none vanishes, none is cut off');
  // A ping written into a socket the mediator was tearing down is lost on the wire: it must show, as a timeout.
  t.equal(c.errors, [...result.recorder.errors.values()].reduce((n, b) => n + b.count, 0));
  t.ok([...result.recorder.errors.keys()].every((k) => k === 'timeout' || k === 'transport'), 'losses are timeouts (or a send that failed)');
  // Most of the run comes after the drop: if reconnecting did not work, more than half would be lost.
  t.ok(c.ok >= messages / 2, `the pings after the outage get through (${c.ok} of ${messages}): sends wait for the new socket, queued messages are picked up`);
  t.comment(`answered ${c.ok} of ${messages}; picked up after reconnect: ${pool.agents.map((agent) => agent.counters.pickedUp).join(',')}`);
});

t.test('a message for an agent whose socket is gone waits at the mediator and is picked up (pickup 2.0 delivery-request) when it is back', async (t) => {
  const router = await openRouter({ allowRemote: false, log: quiet });
  t.teardown(() => router.close());
  const pool = await createAgentPool(2, router.invite, 3000, quiet);
  t.teardown(() => pool.close());
  const [a, b] = pool.agents as [typeof pool.agents[0], typeof pool.agents[0]];
  await a.ping(b, AbortSignal.timeout(3000));
  t.equal(b.counters.pickedUp, 0, 'live mode: delivered on the socket, nothing to pick up');
  // b stays away 600 ms; the mediator sees the close (its session ends, live mode with it) well before the ping comes.
  b.link.reconnectBaseMs = 300;
  b.link.dropSocket();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  await a.ping(b, AbortSignal.timeout(5000));
  t.equal(b.link.reconnects, 1, 'b reconnected');
  t.equal(b.counters.pickedUp, 1, 'the ping queued for b was picked up, then answered');
  t.ok(performance.now() - started >= 20, 'its round trip counts the wait');
});

t.test('an agent that did not register its key: a correct mediator delivers nothing for it (lost, counted); one that delivers anyway shows as misdelivered', async (t) => {
  const base = { ...small, agentCounts: [3], messageCounts: [8], repeat: 1, timeoutMs: 1500, topologies: ['star' as const], unregistered: 1 };
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
