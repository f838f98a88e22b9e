import { simpleParser } from 'mailparser';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Agent } from './agent.js';
import { ReferenceAgentError } from './errors.js';
import { MAX_BODY_BYTES } from './http-util.js';
import type { Outbound } from './outbound.js';
import { AGENT_MAILBOX } from './mailbox.js';
import { openMessage } from './wire.js';

const DIDCOMM = /^application\/(json|didcomm-plain\+json|didcomm-envelope-enc)$/i;

const refusal = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * DIDComm over SMTP: a mail to the agent's mailbox carries one message as an attachment with its
 * media type (Aries RFC 0044); replies are mailed to the peer (there is no return route in mail).
 */
export async function listenSmtp(agent: Agent, outbound: Outbound, host: string, port: number) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    // A peer's pooled connection must not hold close() for smtp-server's default 30 s.
    closeTimeout: 200,
    size: MAX_BODY_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      callback(address.address.toLowerCase() === AGENT_MAILBOX ? undefined : refusal(550, `no mailbox ${address.address} here`));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          if (agent.has('smtp-refuse-all')) return callback(refusal(554, 'fault smtp-refuse-all'));
          const attachment = mail.attachments.find((a) => DIDCOMM.test(a.contentType));
          if (!attachment) return callback(refusal(554, 'no DIDComm message (plaintext or RFC 0019 envelope) attached'));
          const parsed = openMessage(agent, attachment.content);
          if ('error' in parsed) return callback(refusal(554, parsed.error));
          // Accepted first: the replies are separate mails, and must not hold this one open.
          callback();
          for (const reply of agent.handle(parsed.message, parsed.via)) await outbound.send(reply, parsed.via);
        })
        .catch((error: unknown) => {
          agent.log(`inbound mail failed: ${String(error)}`);
          callback(refusal(451, 'could not read the mail'));
        });
    },
  });
  server.listen(port, host);
  try {
    await Promise.race([once(server.server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (error) {
    throw new ReferenceAgentError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${String(error)}`, { cause: error });
  }
  const { port: bound } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${host.includes(':') ? `[${host}]` : host}:${bound}/${AGENT_MAILBOX}`,
    dropConnections: () => undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
