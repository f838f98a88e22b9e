import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createHttpScenario, remoteTargets, runLoad } from '../../load/index.js';
import { startLoadServer } from '../helpers/load-server.js';

const lenient = { maxEventLoopP99Ms: 10_000, maxCpuPercent: 10_000, maxEventLoopUtilization: 2 };

/** A TCP server that answers every request (head ended by a blank line) with fixed bytes. */
async function rawServer(answer: (socket: Socket, request: string) => void) {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        answer(socket, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

const run = (url: string, endpoints?: Parameters<typeof createHttpScenario>[0]['endpoints'], iterations = 20) =>
  runLoad({ scenario: createHttpScenario({ url, client: 'raw', ...(endpoints ? { endpoints } : {}) }), model: { type: 'closed', vus: 2 }, iterations, timeoutMs: 1000, health: lenient });

t.test('the raw client reads every legal framing of an answer', async (t) => {
  const framings: Record<string, string> = {
    length: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
    chunked: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n',
    'no-content': 'HTTP/1.1 204 No Content\r\n\r\n',
    interim: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    'keep-alive lowercase': 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n',
  };
  for (const [name, bytes] of Object.entries(framings)) {
    const server = await rawServer((socket) => {
      // Split in two writes to exercise the parser across chunks.
      socket.write(bytes.slice(0, 7));
      setTimeout(() => socket.write(bytes.slice(7)), 1);
    });
    const result = await run(server.url);
    t.match(result.recorder.counters, { ok: 20, errors: 0 }, `${name}: 20 ok`);
    await server.close();
  }
  // Connection: close and read-to-close: a new connection per request, still all ok.
  for (const [name, bytes] of Object.entries({ close: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', 'until close': 'HTTP/1.0 200 OK\r\n\r\nbody until the end' })) {
    const server = await rawServer((socket) => socket.end(bytes));
    const result = await run(server.url);
    t.match(result.recorder.counters, { ok: 20, errors: 0 }, `${name}: 20 ok`);
    await server.close();
  }
});

t.test('the raw client classifies broken answers', async (t) => {
  const cases: [string, (socket: Socket) => void, string][] = [
    ['garbage', (socket) => socket.write('SMTP ready\r\n\r\n'), 'protocol'],
    ['bad chunk', (socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 'protocol'],
    ['extra bytes', (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'), 'protocol'],
    ['closed mid-answer', (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'), 'transport'],
    ['reset', (socket) => socket.resetAndDestroy(), 'transport'],
    ['silent', () => undefined, 'timeout'],
  ];
  for (const [name, answer, errorClass] of cases) {
    const server = await rawServer(answer);
    const result = await run(server.url, undefined, 4);
    t.same([...result.recorder.errors.keys()], [errorClass], `${name}: ${errorClass}`);
    t.equal(result.recorder.counters.errors, 4);
    await server.close();
  }
});

t.test('the raw client sends what the endpoint says: method, path, query, headers, body', async (t) => {
  const seen: string[] = [];
  const server = await startLoadServer({
    '/echo': (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers['x-test']} ${req.headers['content-type']} ${body}`);
        res.statusCode = 201;
        res.end();
      });
    },
  });
  t.teardown(() => server.close());
  const result = await run(server.url, [{ method: 'post', path: '/echo?a=1', headers: { 'X-Test': 'yes' }, body: { hello: 'wörld' }, expect: [201] }], 3);
  t.match(result.recorder.counters, { ok: 3, errors: 0 });
  t.same(seen, Array(3).fill('POST /echo?a=1 yes application/json {"hello":"wörld"}'));
  t.throws(() => createHttpScenario({ url: server.url, endpoints: [{ headers: { 'X-Bad': 'a\r\nInjected: 1' } }] }), { code: 'AGTEST_LOAD_CONFIG_INVALID' }, 'header injection refused');
});

t.test('http.resolve: a name connects to the addresses given (raw and undici clients), Host keeps the name; without it the name does not resolve', async (t) => {
  const hosts: string[] = [];
  const server = await startLoadServer({
    '/r': (req, res) => {
      hosts.push(req.headers.host ?? '');
      res.end('ok');
    },
  });
  t.teardown(() => server.close());
  // .invalid never resolves (RFC 6761): only the map can lead there.
  const url = server.url.replace('127.0.0.1', 'pinned.invalid');
  for (const client of ['raw', 'undici'] as const) {
    const scenario = createHttpScenario({ url, client, endpoints: [{ path: '/r' }], resolve: { 'pinned.invalid': ['127.0.0.1'] } });
    const result = await runLoad({ scenario, model: { type: 'closed', vus: 1 }, iterations: 2, timeoutMs: 2000, health: lenient, allowRemote: true });
    t.match(result.recorder.counters, { ok: 2, errors: 0 }, `${client}: both requests arrived`);
  }
  t.same(hosts, Array(4).fill(new URL(url).host), 'with the name in Host');
  const unmapped = await runLoad({ scenario: createHttpScenario({ url, client: 'raw', endpoints: [{ path: '/r' }] }), model: { type: 'closed', vus: 1 }, iterations: 1, timeoutMs: 2000, health: lenient, allowRemote: true });
  t.match(unmapped.recorder.counters, { ok: 0, errors: 1 }, 'without http.resolve the name does not resolve');
  t.throws(() => createHttpScenario({ url, resolve: { 'pinned.invalid': ['not-an-address'] } }), { code: 'AGTEST_LOAD_CONFIG_INVALID' }, 'a value that is not an IP address is refused');
  // A loopback name mapped to a remote address is remote: the loopback-only default sees the address.
  const disguised = createHttpScenario({ url: 'http://localhost:9/', resolve: { LocalHost: ['192.0.2.1'] } });
  t.same(remoteTargets(disguised.targets!()), ['192.0.2.1'], 'localhost mapped to 192.0.2.1 counts as remote');
  await t.rejects(runLoad({ scenario: disguised, model: { type: 'closed', vus: 1 }, iterations: 1, timeoutMs: 500, health: lenient }), /not loopback: .*192\.0\.2\.1/, 'and is refused without allowRemote');
});
