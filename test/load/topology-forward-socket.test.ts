import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { WebSocketServer } from 'ws';
import { ForwardSocket } from '../../load/topology/index.js';

/** A WebSocket server on loopback that records frames and does `after` with each socket after a frame. */
async function server(after: 'keep' | 'close' | 'terminate') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const frames: string[] = [];
  let connections = 0;
  wss.on('connection', (socket) => {
    connections += 1;
    socket.on('message', (data) => {
      frames.push(String(data));
      if (after === 'close') socket.close();
      if (after === 'terminate') socket.terminate();
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, frames, connections: () => connections, close: () => new Promise((resolve) => wss.close(resolve)) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

t.test('forwards to a mediator: one socket kept open; a mediator that closes after each message gets a socket per message, and nothing is lost', async (t) => {
  for (const [after, sockets] of [
    ['keep', 1],
    ['close', 5],
  ] as const) {
    const mediator = await server(after);
    t.teardown(() => mediator.close());
    const sender = new ForwardSocket(mediator.url);
    t.teardown(() => sender.close());
    await sender.send('m0', AbortSignal.timeout(2000));
    await settle();
    // Back to back: on one socket a mediator that closes after the first would lose the rest.
    await Promise.all(['m1', 'm2', 'm3', 'm4'].map((m) => sender.send(m, AbortSignal.timeout(2000))));
    await settle();
    t.same([...mediator.frames].sort(), ['m0', 'm1', 'm2', 'm3', 'm4'], `${after}: every forward arrived`);
    t.equal(mediator.connections(), sockets, `${after}: ${sockets} socket(s)`);
  }
});

t.test('a lost connection (no close frame) is reopened on the next send, without switching to a socket per message', async (t) => {
  const mediator = await server('terminate');
  t.teardown(() => mediator.close());
  const sender = new ForwardSocket(mediator.url);
  t.teardown(() => sender.close());
  for (let i = 0; i < 3; i += 1) {
    await sender.send(`m${i}`, AbortSignal.timeout(2000));
    await settle();
  }
  t.same(mediator.frames, ['m0', 'm1', 'm2']);
  t.equal(mediator.connections(), 3);
  await t.rejects(new ForwardSocket('ws://127.0.0.1:9/').send('x', AbortSignal.timeout(2000)), { name: 'LoadStepError', message: /WebSocket ws:\/\/127\.0\.0\.1:9\//, errorClass: 'transport' }, 'a mediator that is not there: a transport error');
});
