import { simpleParser } from 'mailparser';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { extensionForMediaType, type MessageExtension, type MessageWriter } from '../../agtalk/index.js';
import type { AdapterContext } from '../adapter.js';
import { AdapterError } from '../errors.js';
import type { ResolvedSmtpAdapterOptions } from './options.js';

/** An SMTP refusal: smtp-server sends `responseCode` and the message to the client. */
function refusal(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The message a mail carries: exactly one attachment whose type is a DIDComm media type (Aries
 * RFC 0044), else why the mail is refused. Mail body text is ignored.
 */
export async function messageOfMail(raw: Buffer): Promise<{ bytes: Buffer; extension: MessageExtension; contentType: string } | { refused: string }> {
  const mail = await simpleParser(raw);
  const messages = mail.attachments.filter((attachment) => extensionForMediaType(attachment.contentType) !== undefined);
  if (mail.attachments.length === 0) return { refused: 'no attachment: a DIDComm message travels as an attachment with its media type' };
  if (messages.length === 0) return { refused: `no attachment has a DIDComm media type (got ${mail.attachments.map((a) => a.contentType).join(', ')})` };
  if (messages.length > 1) return { refused: `${messages.length} message attachments: one mail carries one message` };
  const [attachment] = messages;
  return { bytes: attachment!.content, extension: extensionForMediaType(attachment!.contentType)!, contentType: attachment!.contentType };
}

export interface InboundMailServer {
  endpoint: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * A real SMTP server for mail to agtest's mailbox: each accepted mail is one inbox file, written
 * before the server answers 250, so a mail the sender saw accepted is never lost. Anything else
 * is refused in the SMTP dialogue (550 wrong recipient, 552 too large, 554 no usable message)
 * and logged, and nothing is written.
 */
export async function startInboundMailServer(context: AdapterContext, inbox: MessageWriter, options: ResolvedSmtpAdapterOptions): Promise<InboundMailServer> {
  const refuse = (code: number, message: string) => {
    context.log(`smtp adapter: refused a mail (${code}): ${message}`);
    context.emit({ type: 'warning', message: `refused an inbound mail with ${code}: ${message}` });
    return refusal(code, message);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    // A peer's pooled connection must not hold stop() for smtp-server's default 30 s.
    closeTimeout: 200,
    size: options.maxMessageBytes,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.toLowerCase() !== options.mailbox.toLowerCase()) return callback(refuse(550, `no mailbox ${address.address} here (this is ${options.mailbox})`));
      callback();
    },
    onData(stream, _session, callback) {
      readAll(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) return callback(refuse(552, `mail over ${options.maxMessageBytes} bytes`));
          const found = await messageOfMail(raw);
          if ('refused' in found) return callback(refuse(554, found.refused));
          const written = await inbox.write(found.bytes, found.extension);
          context.emit({ type: 'received', file: written.name, contentType: found.contentType, via: 'inbound' });
          callback();
        })
        .catch((error: unknown) => callback(refuse(451, `could not file the mail: ${String(error)}`)));
    },
  });
  server.listen(options.listenPort, options.listenHost);
  try {
    await Promise.race([once(server.server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (cause) {
    throw new AdapterError('ADAPTER_START_FAILED', `cannot listen on ${options.listenHost}:${options.listenPort}: ${String(cause)}`, { cause });
  }
  server.on('error', (error) => context.log(`smtp adapter: server error: ${error.message}`));
  const { port } = server.server.address() as AddressInfo;
  return {
    endpoint: { host: options.listenHost, port },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
