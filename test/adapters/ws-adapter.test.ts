import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { WebSocket, WebSocketServer } from 'ws';
import { builtinAdapterCommand, launchAdapter } from '../../adapters/index.js';
import { createMessageWriter } from '../../agtalk/index.js';
import { startBuiltinAdapter } from './helpers/http-adapter-process.js';
import { closedPortUrl } from './helpers/http-peer.js';
import { waitFor, withTempDir } from './helpers/wait.js';

interface Frame {
  text: string;
  binary: boolean;
  socket: WebSocket;
}

/** A real WebSocket agent stand-in on 127.0.0.1 that records every frame. */
async function startWsPeer(onFrame: (frame: Frame, index: number) => void = () => undefined) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const frames: Frame[] = [];
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    socket.on('message', (data, binary) => {
      const frame = { text: String(data), binary, socket };
      frames.push(frame);
      onFrame(frame, frames.length - 1);
    });
  });
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    frames,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

const messageFiles = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((name) => !name.startsWith('.')).sort();
const ping = (n: number) => JSON.stringify({ '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': `ping-${String(n).padStart(4, '0')}`, n });

t.test('sends each outbox file as one frame, in order, text for JSON and binary otherwise; deletes only after sending', (t) =>
  withTempDir(async (dir) => {
    const peer = await startWsPeer();
    const adapter = await startBuiltinAdapter('ws', dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    t.match(adapter.endpoint, /^ws:\/\/127\.0\.0\.1:\d+\/$/, 'the ready endpoint is its own WS server');
    const outbox = await createMessageWriter(adapter.outbox);
    for (let n = 0; n < 150; n++) await outbox.write(ping(n), 'dm');
    await outbox.write('compact.jwe.bytes', 'dcem');
    await waitFor('151 frames', () => peer.frames.length >= 151);
    t.same(peer.frames.slice(0, 150).map((f) => (JSON.parse(f.text) as { n: number }).n), [...Array(150).keys()], 'in ordinal order, each once');
    t.ok(peer.frames.slice(0, 150).every((f) => !f.binary), '.dm travels as text frames');
    t.equal(peer.frames[150]?.binary, true, '.dcem travels as a binary frame');
    t.equal(peer.connections(), 1, 'one connection for everything');
    await waitFor('the outbox to empty', async () => (await messageFiles(adapter.outbox)).length === 0);
    await waitFor('151 sent events', () => adapter.eventsOf('sent').length === 151);
  }),
);

t.test('duplex: frames the agent sends back on the same connection land in the inbox as return-route', (t) =>
  withTempDir(async (dir) => {
    const peer = await startWsPeer((frame) => {
      const message = JSON.parse(frame.text) as { '@id': string };
      frame.socket.send(JSON.stringify({ '@type': 'https://didcomm.org/trust_ping/1.0/ping_response', '@id': `r-${message['@id']}`, '~thread': { thid: message['@id'] } }));
    });
    const adapter = await startBuiltinAdapter('ws', dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const outbox = await createMessageWriter(adapter.outbox);
    for (let n = 0; n < 5; n++) await outbox.write(ping(n), 'dm');
    await waitFor('5 replies in the inbox', async () => (await messageFiles(adapter.inbox)).length === 5);
    const files = await messageFiles(adapter.inbox);
    t.ok(files.every((file) => file.endsWith('.dm')), 'plaintext DIDComm → .dm');
    const thids = await Promise.all(files.map(async (file) => (JSON.parse(await readFile(join(adapter.inbox, file), 'utf8')) as { '~thread': { thid: string } })['~thread'].thid));
    t.same(thids, ['ping-0000', 'ping-0001', 'ping-0002', 'ping-0003', 'ping-0004'], 'in arrival order');
    await waitFor('received events', () => adapter.eventsOf('received').length === 5);
    t.ok(adapter.eventsOf('received').every((e) => e.via === 'return-route' && e.contentType === 'application/json'));
  }),
);

t.test('server mode: an agent that connects to the adapter gets its frames filed; a non-JSON frame is kept aside with a warning', (t) =>
  withTempDir(async (dir) => {
    const peer = await startWsPeer();
    const adapter = await startBuiltinAdapter('ws', dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const client = new WebSocket(adapter.endpoint!);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.send(JSON.stringify({ '@type': 'https://didcomm.org/basicmessage/1.0/message', '@id': 'b1', content: 'hi' }));
    const jwe = { protected: Buffer.from(JSON.stringify({ enc: 'xchacha20poly1305_ietf', typ: 'JWM/1.0', alg: 'Authcrypt', recipients: [] })).toString('base64url'), iv: 'x', ciphertext: 'y', tag: 'z' };
    client.send(JSON.stringify(jwe));
    client.send(Buffer.from([0xff, 0x00, 0x01]));
    await waitFor('2 inbox files', async () => (await messageFiles(adapter.inbox)).length === 2);
    await waitFor('the warning', () => adapter.eventsOf('warning').length === 1);
    client.close();
    const files = await messageFiles(adapter.inbox);
    t.ok(files[0]?.endsWith('.dm'), `a v1 plaintext frame → .dm (${files[0]})`);
    t.ok(files[1]?.endsWith('.dee'), `an RFC 0019 envelope frame → .dee (${files[1]})`);
    t.ok(adapter.eventsOf('received').every((e) => e.via === 'inbound'));
    t.match(adapter.eventsOf('warning')[0]?.message, /3-byte frame \(inbound\) is not JSON.*kept as \.unreadable\//);
    t.equal((await readdir(join(adapter.inbox, '.unreadable'))).length, 1, 'the bytes are kept, not lost');
  }),
);

t.test('reconnects after the agent drops the connection: nothing lost, anything resent is flagged', (t) =>
  withTempDir(async (dir) => {
    // The agent kills the connection after every 20th frame, as a flaky network would.
    const peer = await startWsPeer((frame, index) => {
      if (index % 20 === 19) frame.socket.terminate();
    });
    const adapter = await startBuiltinAdapter('ws', dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const outbox = await createMessageWriter(adapter.outbox);
    for (let n = 0; n < 100; n++) await outbox.write(ping(n), 'dm');
    await waitFor('the outbox to empty', async () => (await messageFiles(adapter.outbox)).length === 0, 30_000);
    const got = peer.frames.map((f) => (JSON.parse(f.text) as { n: number }).n);
    t.same([...new Set(got)].sort((a, b) => a - b), [...Array(100).keys()], 'every message arrived');
    const seen = new Set<number>();
    const repeats = got.filter((n) => seen.has(n) || !seen.add(n));
    const flagged = new Set(adapter.eventsOf('possible-duplicate').map((e) => e.file));
    t.ok(repeats.length <= flagged.size, `each repeat is flagged (${repeats.length} repeats, ${flagged.size} flagged)`);
    t.same([...new Set(got)], [...new Set(got)].sort((a, b) => a - b), 'first arrivals in order');
    t.ok(peer.connections() >= 5, `it reconnected (${peer.connections()} connections)`);
  }),
);

t.test('an agent that cannot be reached: bounded retries, then exit 1 naming the URL, the file kept', (t) =>
  withTempDir(async (dir) => {
    const target = (await closedPortUrl()).replace('http:', 'ws:');
    const adapter = await startBuiltinAdapter('ws', dir, target, ['--retries', '2', '--retry-delay-ms', '50']);
    t.teardown(() => adapter.stop());
    const file = await (await createMessageWriter(adapter.outbox)).write(ping(1), 'dm');
    const exit = await adapter.exited;
    t.equal(exit.exitCode, 1);
    t.match(exit.stderrTail.trim().split('\n').at(-1), new RegExp(`^ws adapter: cannot reach ${target.replace(/[./]/g, '\\$&')} \\(ECONNREFUSED\\) after 3 attempts`));
    t.same(await messageFiles(adapter.outbox), [file.name], 'the unsent file stays in the outbox');
  }),
);

t.test('a target that is not ws:// is a usage error (exit 2); SIGTERM exits 0', (t) =>
  withTempDir(async (dir) => {
    await t.rejects(
      launchAdapter({ name: 'ws', command: builtinAdapterCommand('ws'), outbox: join(dir, 'o'), inbox: join(dir, 'i'), target: 'http://127.0.0.1:1/' }),
      /exited with code 2 before it was ready: ws adapter: failed to start: --target must be a ws:\/\/ or wss:\/\/ URL/,
    );
    const peer = await startWsPeer();
    t.teardown(() => peer.close());
    const adapter = await startBuiltinAdapter('ws', dir, peer.url);
    process.kill(adapter.pid, 'SIGTERM');
    t.equal((await adapter.exited).exitCode, 0);
  }),
);
