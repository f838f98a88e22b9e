// examples/credo/credo-mediator.mjs: Credo 0.6's mediator as the router of `agtest load topology`,
// started as a process on loopback. Mediated clients over real WebSockets connect with its one
// multi-use invitation, get mediation granted, exchange forwards live; a client whose socket closed
// picks up what Credo queued meanwhile (pickup 2.0); a key nobody registered gets nothing.
import t from 'tap';
import { waitFor } from '../adapters/helpers/wait.js';
import { startCredoMediator } from '../helpers/credo-mediator.js';
import { numbered, startMediatedClient, type MediatedClient } from '../helpers/mediated-client.js';

t.test('Credo 0.6 as a router: WS and HTTP endpoints on loopback, mediation granted, forwards live, queued ones picked up, unknown keys not delivered', async (t) => {
  const credo = await startCredoMediator();
  t.teardown(() => credo.stop());
  t.match(credo.ready, { endpoint: /^ws:\/\/127\.0\.0\.1:\d+$/, http: /^http:\/\/127\.0\.0\.1:\d+$/, invitation_url: /[?&]oob=/ }, 'ready line names both endpoints and the invitation');
  const clients: MediatedClient[] = await Promise.all([{}, {}, { register: false }].map((options) => startMediatedClient(credo.ready.invitation_url, { ...options, timeoutMs: 15_000 })));
  t.teardown(() => clients.forEach((client) => client.close()));
  const [a, b, unregistered] = clients as [MediatedClient, MediatedClient, MediatedClient];
  t.not(a.routingKey, undefined, 'each client was granted mediation with a routing key');

  for (let n = 1; n <= 5; n++) await a.sendTo(b.inboxKey, numbered(n));
  await waitFor('5 forwards delivered live to b', () => b.received.length === 5, 10_000);

  // b's socket goes away: Credo holds what comes for b (its DID's endpoint is didcomm:transport/queue) until b picks up.
  b.close();
  for (let n = 6; n <= 8; n++) await a.sendTo(b.inboxKey, numbered(n));
  await a.sendTo(unregistered.inboxKey, numbered(99));
  await a.sendTo(a.inboxKey, numbered(100));
  await waitFor('a got the forward to itself, sent after the others', () => a.received.length === 1, 10_000);
  await b.reconnect();
  t.equal(await b.pickUp(), 3, 'b picked up the 3 queued while it was away');
  t.same(b.received.map((m) => m['content']), Array.from({ length: 8 }, (_, i) => `message ${i + 1}`), 'all 8, in order');
  t.equal(unregistered.received.length, 0, 'nothing delivered to a key nobody registered');
  t.equal(await unregistered.pickUp(), 0, 'nor queued for it');
});
