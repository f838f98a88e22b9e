// The reference mediator's load faults (issue 18, item 5), each against real WebSocket clients on
// loopback: it drops every connection (clients reconnect and pick up what waited), it slows down
// (each forward waits behind the others), and a key nobody registered gets nothing (counted).
import t, { type Test } from 'tap';
import { startReferenceAgent, type MediatorLoadFaults, type RunningReferenceAgent } from '../../reference-agent/index.js';
import { startMediatedClient, numbered, type MediatedClient } from '../helpers/mediated-client.js';
import { waitFor } from '../adapters/helpers/wait.js';

async function invitationOf(agent: RunningReferenceAgent): Promise<string> {
  const response = await fetch(agent.backchannel, { method: 'POST', body: JSON.stringify({ action: 'create-invitation', params: {} }) });
  return ((await response.json()) as { invitation_url: string }).invitation_url;
}

/** A ws reference mediator with `faults`, and mediated clients on it; all closed at the end of `t`. */
async function mediatorWith(t: Test, faults: MediatorLoadFaults, clients: { register?: boolean }[]): Promise<{ agent: RunningReferenceAgent; clients: MediatedClient[] }> {
  const agent = await startReferenceAgent({ transport: 'ws', mediatorFaults: faults });
  t.teardown(() => agent.close());
  const url = await invitationOf(agent);
  const started = await Promise.all(clients.map((options) => startMediatedClient(url, options)));
  t.teardown(() => started.forEach((client) => client.close()));
  return { agent, clients: started };
}

const contents = (client: MediatedClient) => client.received.map((m) => m['content']);

t.test('no load fault: every forward is delivered live, in order, and counted so', async (t) => {
  const { agent, clients: [a, b] } = await mediatorWith(t, {}, [{}, {}]);
  for (let n = 1; n <= 10; n++) await a!.sendTo(b!.inboxKey, numbered(n));
  await waitFor('10 messages at b', () => b!.received.length === 10, 5_000);
  t.same(contents(b!), Array.from({ length: 10 }, (_, i) => `message ${i + 1}`));
  t.match(agent.mediatorStats(), { forwards: 10, deliveredLive: 10, queued: 0, undeliverable: 0, connectionDrops: 0, waiting: 0 });
});

t.test('dropConnectionsEvery 5: every connection dies at the 5th and 10th forward; reconnected clients pick up what waited, nothing is lost', async (t) => {
  const { agent, clients: [a, b] } = await mediatorWith(t, { dropConnectionsEvery: 5 }, [{}, {}]);
  for (const round of [0, 1]) {
    for (let n = 1; n <= 5; n++) await a!.sendTo(b!.inboxKey, numbered(round * 5 + n));
    await waitFor(`drop ${round + 1}`, () => agent.mediatorStats().connectionDrops === round + 1, 5_000);
    await waitFor('the 4 forwards before the drop delivered live', () => b!.received.length === round * 5 + 4, 5_000);
    t.equal(agent.mediatorStats().waiting, 1, 'the forward that came with the drop waits for pickup');
    await Promise.all([a!.reconnect(), b!.reconnect()]);
    t.equal(await b!.pickUp(), 1, 'b picked it up after reconnecting (pickup 2.0)');
  }
  t.same(contents(b!), Array.from({ length: 10 }, (_, i) => `message ${i + 1}`), 'all 10, in order');
  t.match(agent.mediatorStats(), { forwards: 10, deliveredLive: 8, queued: 2, pickedUp: 2, waiting: 0, connectionDrops: 2 });
});

t.test('forwardDelayMs 150: forwards sent at once are held one after another (queueing shows in latency); without it, they arrive at once', async (t) => {
  /** When the last of 5 forwards sent at once arrived, from the start of sending. */
  const lastArrival = async (faults: MediatorLoadFaults): Promise<number> => {
    const { clients: [a, b] } = await mediatorWith(t, faults, [{}, {}]);
    const start = performance.now();
    await Promise.all(Array.from({ length: 5 }, (_, i) => a!.sendTo(b!.inboxKey, numbered(i + 1))));
    await waitFor('5 messages at b', () => b!.received.length === 5, 10_000);
    return Math.round(performance.now() - start);
  };
  // One after another: the 5th cannot leave the mediator before 5 delays, however busy the machine.
  const slow = await lastArrival({ forwardDelayMs: 150 });
  t.ok(slow >= 5 * 150, `the 5th arrived ${slow} ms after sending began (5 × 150 ms held in turn)`);
  const fast = await lastArrival({});
  t.ok(fast < slow - 300, `without the fault the 5th arrived after ${fast} ms`);
});

t.test('a client whose key is not registered gets nothing; the mediator counts each forward to it as undeliverable', async (t) => {
  const { agent, clients: [a, b, unregistered] } = await mediatorWith(t, {}, [{}, {}, { register: false }]);
  for (let n = 1; n <= 3; n++) await a!.sendTo(unregistered!.inboxKey, numbered(n));
  // Forwards on one socket are handled in order: once b has the one sent after, the three were handled.
  await a!.sendTo(b!.inboxKey, numbered(4));
  await waitFor('the control message at b', () => b!.received.length === 1, 5_000);
  t.equal(unregistered!.received.length, 0, 'nothing delivered to the unregistered key');
  t.equal(await unregistered!.pickUp(), 0, 'nothing queued for it either');
  t.match(agent.mediatorStats(), { forwards: 4, undeliverable: 3, deliveredLive: 1, queued: 0 });
  const viaBackchannel = await fetch(agent.backchannel, { method: 'POST', body: JSON.stringify({ action: 'mediator-stats', params: {} }) });
  t.match(await viaBackchannel.json(), { forwards: 4, undeliverable: 3 }, 'the same counters through the backchannel');
});

t.test('load faults out of bounds are refused by name', async (t) => {
  await t.rejects(startReferenceAgent({ mediatorFaults: { dropConnectionsEvery: 0 } }), { code: 'INVALID_OPTION', message: /dropConnectionsEvery must be an integer 1-/ });
  await t.rejects(startReferenceAgent({ mediatorFaults: { forwardDelayMs: 1.5 } }), { code: 'INVALID_OPTION', message: /forwardDelayMs/ });
  await t.rejects(startReferenceAgent({ mediatorFaults: { slow: 1 } as MediatorLoadFaults }), { code: 'INVALID_OPTION', message: /unknown mediator load fault slow/ });
});
