import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createMessageWriter, type MessageExtension } from '../../agtalk/index.js';
import { startHttpAdapter } from './helpers/http-adapter-process.js';
import { closedPortUrl, startPeer } from './helpers/http-peer.js';
import { sleep, waitFor, withTempDir } from './helpers/wait.js';

const messageFiles = async (dir: string): Promise<string[]> => (await readdir(dir).catch(() => [] as string[])).filter((name) => !name.startsWith('.')).sort();

t.test('the ready line carries an endpoint that files inbound POSTs before answering 202', (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer();
    const adapter = await startHttpAdapter(dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    t.match(adapter.endpoint, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const post = (contentType: string, body: string | Buffer, path = 'any/path') =>
      fetch(new URL(path, adapter.endpoint), { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });

    const cases: [string, MessageExtension][] = [
      ['application/json', 'dm'],
      ['application/json;flavor=didcomm-msg', 'dm'],
      ['application/didcomm-envelope-enc', 'dee'],
      ['application/ssi-agent-wire', 'dee'],
      ['application/didcomm-plain+json', 'dcpm'],
      ['application/didcomm-encrypted+json', 'dcem'],
      ['application/didcomm-signed+json', 'dcsm'],
    ];
    for (const [contentType, extension] of cases) {
      const body = JSON.stringify({ '@type': 'https://didcomm.org/test/1.0/x', contentType });
      const response = await post(contentType, body);
      t.equal(response.status, 202, `${contentType} → 202`);
      // Checked right after the 202 with no waiting: the adapter answers only once the file exists.
      const files = await messageFiles(adapter.inbox);
      const last = files.at(-1) ?? '';
      t.ok(last.endsWith(`.${extension}`), `${contentType} → .${extension} (${last})`);
      t.equal(await readFile(join(adapter.inbox, last), 'utf8'), body, 'bytes kept as sent');
    }
    t.equal((await messageFiles(adapter.inbox)).length, cases.length, 'one file per message');

    const before = (await messageFiles(adapter.inbox)).length;
    const refused = await post('text/plain', 'hello');
    t.equal(refused.status, 415, 'unknown type → 415');
    t.equal((await fetch(adapter.endpoint!, { method: 'GET' })).status, 405, 'GET → 405');
    t.equal((await post('application/json', '')).status, 400, 'empty → 400');
    t.equal((await post('application/json', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20))).status, 413, '> 10 MiB → 413');
    t.equal((await messageFiles(adapter.inbox)).length, before, 'nothing filed for refused requests');

    await waitFor('the warning event', () => adapter.eventsOf('warning').length > 0);
    t.match(adapter.eventsOf('warning')[0]?.message, /text\/plain.*415/);
    const received = adapter.eventsOf('received');
    t.equal(received.length, cases.length);
    t.ok(received.every((event) => event.via === 'inbound'));
    t.same(received.map((event) => event.contentType), cases.map(([contentType]) => contentType));
  }),
);

t.test('--plain-json json files inbound application/json as .json (A2A and other non-DIDComm JSON)', (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer();
    const adapter = await startHttpAdapter(dir, peer.url, ['--plain-json', 'json']);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const post = (contentType: string) => fetch(adapter.endpoint!, { method: 'POST', headers: { 'content-type': contentType }, body: '{"jsonrpc":"2.0"}' });
    t.equal((await post('application/json')).status, 202);
    t.equal((await post('application/json; flavor=didcomm-msg')).status, 202);
    const files = await messageFiles(adapter.inbox);
    t.match(files[0], /\.json$/, 'plain JSON → .json');
    t.match(files[1], /\.dm$/, 'flavor=didcomm-msg is still DIDComm');
  }),
);

t.test('outbox files are POSTed in order with the Content-Type of their extension', (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer();
    const adapter = await startHttpAdapter(dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const writer = await createMessageWriter(adapter.outbox);
    const extensions: MessageExtension[] = ['dm', 'dee', 'dcpm', 'dcem', 'dcsm', 'json'];
    const plan = [...extensions, ...Array.from({ length: 30 }, (): MessageExtension => 'dm')].map((extension, n) => ({ extension, body: JSON.stringify({ n }) }));
    const names: string[] = [];
    for (const { extension, body } of plan) names.push((await writer.write(body, extension)).name);

    await waitFor('every POST', () => peer.requests.length >= plan.length);
    await waitFor('the outbox to empty', async () => (await messageFiles(adapter.outbox)).length === 0);
    t.same(peer.requests.map((r) => r.body.toString()), plan.map((p) => p.body), 'in ordinal order, each once');
    t.same(peer.requests.slice(0, 6).map((r) => r.contentType), [
      'application/json',
      'application/didcomm-envelope-enc',
      'application/didcomm-plain+json',
      'application/didcomm-encrypted+json',
      'application/didcomm-signed+json',
      'application/json',
    ]);
    t.ok(peer.requests.every((r) => r.method === 'POST' && r.url === '/'));
    t.same(adapter.eventsOf('sent').map((e) => e.file), names, 'one sent event per file, in order');
    t.ok(adapter.eventsOf('sent').every((e) => e.status === 202));
  }),
);

t.test('a file leaves the outbox only after the agent answered 2xx', (t) =>
  withTempDir(async (dir) => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const peer = await startPeer(async (_request, response) => {
      await released;
      response.writeHead(200).end();
    });
    const adapter = await startHttpAdapter(dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const writer = await createMessageWriter(adapter.outbox);
    const { name } = await writer.write('{"@type":"x"}', 'dm');
    await waitFor('the POST', () => peer.requests.length === 1);
    await sleep(300);
    t.same(await messageFiles(adapter.outbox), [name], 'still there while the agent has not answered');
    release();
    await waitFor('the file to go', async () => (await messageFiles(adapter.outbox)).length === 0);
    t.equal(adapter.eventsOf('sent')[0]?.status, 200);
  }),
);

t.test('an answer in the HTTP response (return route) becomes an inbox file', (t) =>
  withTempDir(async (dir) => {
    const answers = [
      { type: 'application/json', body: '{"@type":"https://didcomm.org/trust_ping/1.0/ping_response","@id":"r1"}', extension: 'dm' },
      { type: 'text/plain', body: 'OK', extension: undefined },
      { type: 'application/didcomm-envelope-enc', body: '{"protected":"e30","iv":"a","ciphertext":"b","tag":"c"}', extension: 'dee' },
    ];
    const peer = await startPeer((_request, response, index) => {
      const answer = answers[index]!;
      response.writeHead(200, { 'content-type': answer.type }).end(answer.body);
    });
    const adapter = await startHttpAdapter(dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const writer = await createMessageWriter(adapter.outbox);
    for (let n = 0; n < answers.length; n++) await writer.write(JSON.stringify({ '@type': 'x', '~transport': { return_route: 'all' }, n }), 'dm');
    await waitFor('three sent events', () => adapter.eventsOf('sent').length === 3);
    const files = await messageFiles(adapter.inbox);
    t.equal(files.length, 2, 'the two message answers are filed, the "OK" is not');
    t.match(files[0], /\.dm$/);
    t.match(files[1], /\.dee$/);
    t.equal(await readFile(join(adapter.inbox, files[0]!), 'utf8'), answers[0]!.body);
    t.equal(await readFile(join(adapter.inbox, files[1]!), 'utf8'), answers[2]!.body);
    const received = adapter.eventsOf('received');
    t.same(received.map((e) => [e.file, e.via]), files.map((file) => [file, 'return-route']));
    t.same(adapter.eventsOf('warning'), [], 'a plain-text OK is not a finding');
  }),
);

t.test('a 4xx is undeliverable at once: reported, kept under .undeliverable/, and the queue goes on', (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer((request, response) => {
      if (request.body.toString().includes('"bad"')) response.writeHead(400, { 'content-type': 'text/plain' }).end(`bad message: missing @id ${'x'.repeat(300)}`);
      else response.writeHead(202).end();
    });
    const adapter = await startHttpAdapter(dir, peer.url);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const writer = await createMessageWriter(adapter.outbox);
    const bad = await writer.write('{"bad":true}', 'dm');
    const good = await writer.write('{"good":true}', 'dm');
    await waitFor('the good file to be sent', () => adapter.eventsOf('sent').some((e) => e.file === good.name));
    t.equal(peer.requests.length, 2, 'the 4xx was not retried');
    const [undeliverable] = adapter.eventsOf('undeliverable');
    t.equal(undeliverable?.file, bad.name);
    t.equal(undeliverable?.status, 400);
    t.match(undeliverable?.reason, /^bad message: missing @id x+$/);
    t.equal(undeliverable?.reason.length, 200, 'the first 200 characters of the answer');
    t.equal(await readFile(join(adapter.outbox, '.undeliverable', bad.name), 'utf8'), '{"bad":true}', 'the file is kept, not lost');
    await waitFor('the outbox to empty', async () => (await messageFiles(adapter.outbox)).length === 0);
  }),
);

t.test('a 5xx is retried a bounded number of times, then undeliverable', (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer((request, response) => {
      if (request.body.toString().includes('"flaky"')) response.writeHead(503).end('busy');
      else response.writeHead(202).end();
    });
    const adapter = await startHttpAdapter(dir, peer.url, ['--retries', '2', '--retry-delay-ms', '10']);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const writer = await createMessageWriter(adapter.outbox);
    const flaky = await writer.write('{"flaky":true}', 'dm');
    const next = await writer.write('{"next":true}', 'dm');
    await waitFor('the next file to be sent', () => adapter.eventsOf('sent').some((e) => e.file === next.name));
    t.equal(peer.requests.filter((r) => r.body.toString().includes('flaky')).length, 3, 'first attempt + 2 retries');
    t.same(adapter.eventsOf('undeliverable').map((e) => [e.file, e.status, e.reason]), [[flaky.name, 503, 'busy']]);
    // Each failed attempt is its own event, status and body included: an error answer is evidence whatever the retry settings.
    t.same(adapter.eventsOf('retrying').map((e) => [e.file, e.status, e.reason, e.attempt, e.delayMs]), [
      [flaky.name, 503, 'HTTP 503: busy', 1, 10],
      [flaky.name, 503, 'HTTP 503: busy', 2, 20],
    ]);
    t.same(await readdir(join(adapter.outbox, '.undeliverable')), [flaky.name]);
  }),
);

t.test('a 5xx then a 2xx on retry: sent, and the failed attempt was reported', (t) =>
  withTempDir(async (dir) => {
    let attempts = 0;
    const peer = await startPeer((_request, response) => {
      attempts++;
      if (attempts === 1) response.writeHead(500).end('boom');
      else response.writeHead(202).end();
    });
    const adapter = await startHttpAdapter(dir, peer.url, ['--retries', '3', '--retry-delay-ms', '10']);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const writer = await createMessageWriter(adapter.outbox);
    const file = await writer.write('{"once":true}', 'dm');
    await waitFor('the file to be sent', () => adapter.eventsOf('sent').some((e) => e.file === file.name));
    t.same(adapter.eventsOf('retrying').map((e) => [e.file, e.status, e.attempt]), [[file.name, 500, 1]]);
    t.same(adapter.eventsOf('undeliverable'), []);
  }),
);

t.test('an unreachable agent is fatal: non-zero exit naming the URL and ECONNREFUSED; the file stays', (t) =>
  withTempDir(async (dir) => {
    const target = await closedPortUrl();
    const adapter = await startHttpAdapter(dir, target, ['--retries', '2', '--retry-delay-ms', '20']);
    t.teardown(() => adapter.stop());
    const writer = await createMessageWriter(adapter.outbox);
    const { name } = await writer.write('{"@type":"x"}', 'dm');
    const started = Date.now();
    const exit = await Promise.race([adapter.exited, sleep(10_000).then(() => undefined)]);
    t.ok(exit, 'exited within 10 s');
    t.ok(Date.now() - started < 5_000, 'bounded by the retries (3 attempts, 20 + 40 ms apart)');
    t.equal(exit?.exitCode, 1);
    const lastLine = exit?.stderrTail.trim().split('\n').at(-1) ?? '';
    t.equal(lastLine, `http adapter: cannot reach ${target} (ECONNREFUSED) after 3 attempts; ${name} stays in ${adapter.outbox}`);
    t.same(await messageFiles(adapter.outbox), [name], 'the file is still in the outbox');
  }),
);

t.test('SIGTERM stops the adapter with exit 0 and an empty journal', (t) =>
  withTempDir(async (dir) => {
    const peer = await startPeer();
    const adapter = await startHttpAdapter(dir, peer.url);
    t.teardown(() => peer.close());
    const writer = await createMessageWriter(adapter.outbox);
    await writer.write('{"n":1}', 'dm');
    await waitFor('the message to be sent', () => adapter.eventsOf('sent').length === 1);
    await adapter.stop();
    const exit = await adapter.exited;
    t.equal(exit.exitCode, 0);
    t.equal(exit.signal, undefined);
    t.equal(await readFile(join(adapter.outbox, '.http-adapter-journal'), 'utf8'), '', 'journal truncated once the outbox is empty');
  }),
);
