import { createMessageWriter } from '../../agtalk/index.js';
import type { Adapter } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { startInboundServer, type InboundServer } from './inbound-server.js';
import { resolveHttpAdapterOptions, type HttpAdapterOptions } from './options.js';
import { startOutboundSender, type OutboundSender } from './outbound-sender.js';

/**
 * The HTTP transport (Aries RFC 0025): POSTs each outbox file to the agent, and files every POST
 * the agent makes to us — and every answer carried back in an HTTP response (RFC 0092 return
 * route) — in the inbox. Options are checked here, so a bad one fails before anything starts.
 */
export function createHttpAdapter(options: HttpAdapterOptions = {}): Adapter {
  const resolved = resolveHttpAdapterOptions(options);
  let server: InboundServer | undefined;
  let sender: OutboundSender | undefined;

  return {
    name: 'http',
    async start(context) {
      if (!URL.canParse(context.target) || !/^https?:$/.test(new URL(context.target).protocol)) {
        throw new AdapterError('ADAPTER_INVALID_OPTION', `--target must be an http:// or https:// URL, got ${JSON.stringify(context.target)}`);
      }
      // One writer for inbound POSTs and return-route answers, so their ordinals never collide.
      const inbox = await createMessageWriter(context.inbox);
      server = await startInboundServer(context, inbox, resolved);
      sender = await startOutboundSender(context, new URL(context.target), inbox, resolved);
      return { endpoint: resolved.publicUrl ?? server.endpoint };
    },
    async stop() {
      await sender?.stop();
      await server?.close();
    },
  };
}
