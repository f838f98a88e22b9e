// The connect guard agtest serve gives a certify run (common/connect-guard.ts): pinned names go to
// their checked address; any other name connects only when all it resolves to is on the list (the
// same answer checked and connected: no second lookup); an address literal off the list is refused.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createConnectGuard, type ConnectGuard } from '../../common/index.js';

async function listen(host: string, port = 0): Promise<{ server: Server; port: number; hits: number[] }> {
  const hits: number[] = [];
  const server = createServer((_req, res) => {
    hits.push(1);
    res.end('ok');
  });
  await new Promise<void>((done) => server.listen(port, host, done));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

const get = (url: string, guard: ConnectGuard) =>
  new Promise<string>((resolve) => {
    const why = guard.refusal(new URL(url));
    if (why) return resolve(`refused: ${why}`);
    // agent: false: a kept-alive socket from an earlier case would skip the lookup under test.
    const req = request(url, { lookup: guard.lookup, agent: false }, (res) => {
      res.resume();
      resolve(`status ${res.statusCode}`);
    });
    req.on('error', (error) => resolve(`error: ${error.message}`));
    req.end();
  });

t.test('pinned, resolved-and-checked, literal: each both ways', async (t) => {
  const allowed = await listen('127.0.0.2');
  const forbidden = await listen('127.0.0.1', allowed.port);
  t.teardown(() => Promise.all([allowed, forbidden].map(({ server }) => new Promise((done) => server.close(done)))));
  const pinnedGuard = createConnectGuard({ pins: { localhost: ['127.0.0.2'] }, allow: ['127.0.0.2/32'] });
  t.equal(await get(`http://localhost:${allowed.port}/`, pinnedGuard), 'status 200', 'a pinned name goes to its checked address');
  const unpinned = createConnectGuard({ pins: {}, allow: ['127.0.0.2/32'] });
  t.match(await get(`http://localhost:${allowed.port}/`, unpinned), /error: localhost resolves to .*127\.0\.0\.1.*not on the target allowlist/, 'a name not pinned, resolving off the list (an endpoint an invitation or card names): refused naming it');
  t.match(await get(`http://127.0.0.1:${allowed.port}/`, unpinned), /refused: http:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1 is not on the target allowlist/, 'an address literal off the list: refused');
  t.equal(await get(`http://127.0.0.2:${allowed.port}/`, unpinned), 'status 200', 'an address literal on the list: connected');
  t.equal(forbidden.hits.length, 0, 'the forbidden address got nothing');
  const wide = createConnectGuard({ pins: {}, allow: ['127.0.0.0/8', '::1'] });
  t.equal(await get(`http://localhost:${forbidden.port}/`, wide), 'status 200', 'a name resolving onto the list: connected');
});
