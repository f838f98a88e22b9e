import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import { createMessageWriter, watchMessages, type MessageReader, type ReceivedFile } from '../../agtalk/index.js';
import type { Adapter } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { OutboundJournal } from '../outbound-journal.js';
import type { InboundMailServer } from './inbound-mail-server.js';
import { resolveSmtpAdapterOptions, type SmtpAdapterOptions } from './options.js';
import { formatSmtpEndpoint, parseSmtpEndpoint } from './smtp-endpoint.js';

/** Where refused files go (as with HTTP): a dot-folder, so agtalk readers skip it. */
const UNDELIVERABLE_DIR = '.undeliverable';

/** Thrown from the reader's handler to leave a file in the outbox on purpose. */
class Halted extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type MailError = Error & { responseCode?: number; code?: string; response?: string };

/**
 * DIDComm over SMTP: each outbox file is one mail to the agent's mailbox, the message bytes as
 * an attachment with its media type (Aries RFC 0044's file types; RFC 0025 defines no SMTP
 * binding, so this is agtest's documented choice). 250 → deleted; 5xx → set aside as
 * undeliverable; 4xx or no server → retried, then the adapter stops naming the server. Mail to
 * agtest arrives at its own SMTP server (see inbound-mail-server.ts).
 */
export function createSmtpAdapter(options: SmtpAdapterOptions = {}): Adapter {
  const resolved = resolveSmtpAdapterOptions(options);
  let server: InboundMailServer | undefined;
  let reader: MessageReader | undefined;
  let mailer: Transporter | undefined;
  let journal: OutboundJournal | undefined;
  let halted = false;

  return {
    name: 'smtp',
    async start(context) {
      const target = parseSmtpEndpoint(context.target);
      const inbox = await createMessageWriter(context.inbox);
      // The mail libraries are loaded when an SMTP adapter starts: the adapters' public surface is
      // imported by every agtest command, and they were a fifth of its start-up.
      const [{ startInboundMailServer }, { createTransport }] = await Promise.all([import('./inbound-mail-server.js'), import('nodemailer')]);
      server = await startInboundMailServer(context, inbox, resolved);
      mailer = createTransport({ host: target.host, port: target.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, connectionTimeout: 10_000 });
      const sendMail = mailer.sendMail.bind(mailer);
      journal = new OutboundJournal(context.outbox, 'smtp');
      await journal.load();
      await journal.compact();
      const sent = journal;
      const halt = (error: AdapterError): never => {
        if (!halted) context.fatal(error);
        halted = true;
        throw new Halted(error.message);
      };

      const setAside = async (file: ReceivedFile, status: number | undefined, reason: string) => {
        await sent.mark('rejected', file.name);
        await mkdir(join(context.outbox, UNDELIVERABLE_DIR), { recursive: true });
        await rename(file.path, join(context.outbox, UNDELIVERABLE_DIR, file.name));
        context.emit({ type: 'undeliverable', file: file.name, ...(status ? { status } : {}), reason });
      };

      const send = async (file: ReceivedFile): Promise<void> => {
        const before = sent.stateOf(file.name);
        if (before === 'sent') return;
        await sent.mark('sending', file.name);
        const started = performance.now();
        for (let attempt = 0; ; attempt++) {
          if (halted) throw new Halted('stopped');
          try {
            await sendMail({
              from: resolved.mailbox,
              to: target.mailbox,
              subject: `DIDComm message ${file.name}`,
              text: 'This mail carries one DIDComm message as its attachment.',
              attachments: [{ filename: `message.${file.extension}`, content: file.bytes, contentType: file.mediaType }],
            });
            break;
          } catch (error) {
            const mailError = error as MailError;
            const code = mailError.responseCode;
            if (code !== undefined && code >= 500) return setAside(file, code, mailError.response ?? mailError.message);
            const reason = code !== undefined ? `${code} ${mailError.response ?? ''}`.trim() : [mailError.code, mailError.message].filter(Boolean).join(': ');
            if (attempt >= resolved.retries) {
              return halt(new AdapterError('ADAPTER_TARGET_UNREACHABLE', `cannot reach ${context.target} (${reason}) after ${attempt + 1} attempts; ${file.name} stays in the outbox`, { file: file.path }));
            }
            const delayMs = resolved.retryDelayMs * 2 ** attempt;
            context.log(`smtp adapter: mailing ${file.name} failed (${reason}); retrying in ${delayMs} ms`);
            await sleep(delayMs);
          }
        }
        // A mail cut off after DATA may have been delivered: a resend after a crash says so.
        if (before === 'sending') context.emit({ type: 'possible-duplicate', file: file.name });
        await sent.mark('sent', file.name);
        context.emit({ type: 'sent', file: file.name, status: 250, durationMs: Math.round(performance.now() - started) });
      };

      reader = await watchMessages(context.outbox, {
        decodeJson: false,
        onMessage: send,
        onGarbage: (garbage) => context.emit({ type: 'warning', message: `outbox file ${garbage.name} was left unsent: ${garbage.reason}` }),
        onError: (error) => {
          if (error.cause instanceof Halted) return;
          halt(new AdapterError('ADAPTER_IO_FAILED', error.message, { file: error.file, cause: error }));
        },
      });
      return { endpoint: formatSmtpEndpoint({ ...server.endpoint, mailbox: resolved.mailbox }) };
    },
    async stop() {
      halted = true;
      await reader?.close();
      mailer?.close();
      await journal?.compact().catch(() => undefined);
      await server?.close();
    },
  };
}
