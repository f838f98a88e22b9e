import { simpleParser, type ParsedMail } from 'mailparser';
import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import t from 'tap';
import { builtinAdapterCommand, launchAdapter } from '../../adapters/index.js';
import { createMessageWriter } from '../../agtalk/index.js';
import { startBuiltinAdapter } from './helpers/http-adapter-process.js';
import { closedPortUrl } from './helpers/http-peer.js';
import { waitFor, withTempDir } from './helpers/wait.js';

/** A real SMTP server standing in for the agent's: records every mail; `refuse` answers DATA with that code. */
async function startMailPeer(refuse?: number) {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        if (refuse) return callback(Object.assign(new Error('refused by the test'), { responseCode: refuse }));
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}/agent@agent.test`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const messageFiles = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((name) => !name.startsWith('.')).sort();
const ping = (n: number) => JSON.stringify({ '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': `ping-${n}`, n });

t.test('mails each outbox file to the agent in order, the message attached with its media type', (t) =>
  withTempDir(async (dir) => {
    const peer = await startMailPeer();
    const adapter = await startBuiltinAdapter('smtp', dir, peer.endpoint);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    t.match(adapter.endpoint, /^smtp:\/\/127\.0\.0\.1:\d+\/agtest@agtest\.invalid$/, 'the ready endpoint is its own SMTP server and mailbox');
    const outbox = await createMessageWriter(adapter.outbox);
    for (let n = 0; n < 20; n++) await outbox.write(ping(n), 'dm');
    await outbox.write(JSON.stringify({ protected: 'e30', iv: 'a', ciphertext: 'b', tag: 'c' }), 'dee');
    await waitFor('21 mails', () => peer.mails.length === 21);
    t.same(peer.mails.slice(0, 20).map((mail) => (JSON.parse(mail.attachments[0]!.content.toString('utf8')) as { n: number }).n), [...Array(20).keys()], 'in ordinal order, each once');
    t.ok(peer.mails.every((mail) => mail.attachments.length === 1), 'one attachment per mail');
    t.same([...new Set(peer.mails.slice(0, 20).map((mail) => mail.attachments[0]!.contentType))], ['application/json'], '.dm → application/json (RFC 0044)');
    t.equal(peer.mails[20]!.attachments[0]!.contentType, 'application/didcomm-envelope-enc', '.dee → application/didcomm-envelope-enc');
    t.equal((peer.mails[0]!.to as { text: string }).text, 'agent@agent.test', 'addressed to the target mailbox');
    await waitFor('the outbox to empty', async () => (await messageFiles(adapter.outbox)).length === 0);
    await waitFor('21 sent events', () => adapter.eventsOf('sent').length === 21);
    t.ok(adapter.eventsOf('sent').every((e) => e.status === 250));
  }),
);

t.test('inbound: a mail with a message attachment lands in the inbox; bad mail gets an SMTP 5xx and no file', (t) =>
  withTempDir(async (dir) => {
    const peer = await startMailPeer();
    const adapter = await startBuiltinAdapter('smtp', dir, peer.endpoint, ['--max-message-bytes', '20000']);
    t.teardown(() => Promise.all([adapter.stop(), peer.close()]));
    const { port } = new URL(adapter.endpoint!);
    const mailer = createTransport({ host: '127.0.0.1', port: Number(port), secure: false, ignoreTLS: true });
    t.teardown(() => mailer.close());
    const send = (attachments: { filename: string; content: string | Buffer; contentType: string }[], to = 'agtest@agtest.invalid') =>
      mailer.sendMail({ from: 'agent@agent.test', to, subject: 'x', text: 'see attachment', attachments });
    const message = JSON.stringify({ '@type': 'https://didcomm.org/basicmessage/1.0/message', '@id': 'b1', content: 'hi' });

    await send([{ filename: 'message.dm', content: message, contentType: 'application/json' }]);
    const files = await messageFiles(adapter.inbox);
    t.equal(files.length, 1, 'filed before the 250');
    t.ok(files[0]?.endsWith('.dm'));
    t.equal(await readFile(join(adapter.inbox, files[0]!), 'utf8'), message, 'the bytes as attached');
    await waitFor('the received event', () => adapter.eventsOf('received').length === 1);
    t.match(adapter.eventsOf('received')[0], { contentType: 'application/json', via: 'inbound' });

    const bad: [string, () => Promise<unknown>, number, RegExp][] = [
      ['no attachment', () => mailer.sendMail({ from: 'a@b.c', to: 'agtest@agtest.invalid', subject: 'x', text: message }), 554, /no attachment/],
      ['a text/plain attachment only', () => send([{ filename: 'a.txt', content: message, contentType: 'text/plain' }]), 554, /no attachment has a DIDComm media type/],
      ['a wrong type', () => send([{ filename: 'a.png', content: Buffer.from([1, 2, 3]), contentType: 'image/png' }]), 554, /no attachment has a DIDComm media type/],
      ['two messages', () => send([1, 2].map((n) => ({ filename: `m${n}.dm`, content: message, contentType: 'application/json' }))), 554, /2 message attachments/],
      ['oversized', () => send([{ filename: 'm.dm', content: JSON.stringify({ '@type': 'x', '@id': 'y', pad: 'x'.repeat(30_000) }), contentType: 'application/json' }]), 552, /over 20000 bytes/],
      ['a wrong recipient', () => send([{ filename: 'm.dm', content: message, contentType: 'application/json' }], 'someone@else.test'), 550, /no mailbox someone@else\.test/],
    ];
    for (const [what, sendBad, code, text] of bad) {
      const error = (await sendBad().then(() => undefined, (e: unknown) => e)) as { responseCode?: number; response?: string } | undefined;
      t.equal(error?.responseCode, code, `${what} → ${code}`);
      t.match(error?.response, text, `${what}: the reply says why (${error?.response})`);
    }
    t.equal((await messageFiles(adapter.inbox)).length, 1, 'no inbox file for any bad mail');
    await waitFor('a warning per refusal', () => adapter.eventsOf('warning').length === bad.length);
  }),
);

t.test('a 5xx from the agent sets the file aside as undeliverable; an unreachable server ends in exit 1 naming it', (t) =>
  withTempDir(async (dir) => {
    const refusing = await startMailPeer(554);
    const adapter = await startBuiltinAdapter('smtp', join(dir, 'a'), refusing.endpoint);
    t.teardown(() => Promise.all([adapter.stop(), refusing.close()]));
    const file = await (await createMessageWriter(adapter.outbox)).write(ping(1), 'dm');
    await waitFor('undeliverable', () => adapter.eventsOf('undeliverable').length === 1);
    t.match(adapter.eventsOf('undeliverable')[0], { file: file.name, status: 554 });
    t.same(await readdir(join(adapter.outbox, '.undeliverable')), [file.name], 'kept aside, not lost');

    const target = `${(await closedPortUrl()).replace('http:', 'smtp:')}agent@agent.test`;
    const down = await startBuiltinAdapter('smtp', join(dir, 'b'), target, ['--retries', '2', '--retry-delay-ms', '50']);
    t.teardown(() => down.stop());
    const kept = await (await createMessageWriter(down.outbox)).write(ping(2), 'dm');
    const exit = await down.exited;
    t.equal(exit.exitCode, 1);
    t.match(exit.stderrTail.trim().split('\n').at(-1), /^smtp adapter: cannot reach smtp:\/\/127\.0\.0\.1:\d+\/agent@agent\.test \(ESOCKET: connect ECONNREFUSED [^)]*\) after 3 attempts/);
    t.same(await messageFiles(down.outbox), [kept.name], 'the unsent file stays in the outbox');
  }),
);

t.test('a target that is not smtp://HOST:PORT/MAILBOX is a usage error (exit 2); SIGTERM exits 0', (t) =>
  withTempDir(async (dir) => {
    await t.rejects(
      launchAdapter({ name: 'smtp', command: builtinAdapterCommand('smtp'), outbox: join(dir, 'o'), inbox: join(dir, 'i'), target: 'mailto:agent@agent.test' }),
      /exited with code 2 before it was ready: smtp adapter: failed to start: --target must be smtp:\/\/HOST:PORT\/MAILBOX/,
    );
    const peer = await startMailPeer();
    t.teardown(() => peer.close());
    const adapter = await startBuiltinAdapter('smtp', dir, peer.endpoint);
    process.kill(adapter.pid, 'SIGTERM');
    t.equal((await adapter.exited).exitCode, 0);
  }),
);
