import type { Agent, Message } from './agent.js';
import { readBody, sendJson, sendText, type Handler } from './http-util.js';
import type { Outbound } from './outbound.js';

/**
 * DIDComm over HTTP (Aries RFC 0025): POST a message, get 202. With
 * `~transport.return_route: "all"` (RFC 0092) the first reply comes back in the response instead.
 * Any content type is read as JSON: senders disagree on the media type of plaintext messages.
 */
export function createInboundHandler(agent: Agent, outbound: Outbound): Handler {
  return async (request, response) => {
    const reject = (status: number, reason: string): void => {
      agent.log(`inbound ${status}: ${reason}`);
      sendText(response, status, reason);
    };
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const body = await readBody(request);
    if (body === undefined) return reject(413, 'message over 1 MiB');
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reject(400, `body is not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!isMessage(message)) return reject(400, 'a DIDComm message is a JSON object with string @type and @id');

    const replies = agent.handle(message);
    const [first, ...rest] = replies;
    if (first && returnRoute(message) === 'all') {
      sendJson(response, 200, first);
      for (const reply of rest) await outbound.send(reply);
      return;
    }
    response.writeHead(202).end();
    for (const reply of replies) await outbound.send(reply);
  };
}

function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const message = value as Message;
  return typeof message['@type'] === 'string' && typeof message['@id'] === 'string';
}

function returnRoute(message: Message): unknown {
  const transport = message['~transport'];
  return typeof transport === 'object' && transport !== null ? (transport as Record<string, unknown>)['return_route'] : undefined;
}
