import { answerMetadata } from '../profiles/index.js';
import type { Agent } from './agent.js';
import { readBody, sendJson, sendText, type Handler } from './http-util.js';
import type { Outbound } from './outbound.js';
import { openMessage, returnRoute } from './wire.js';

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
    const plain = plainMetadataRequest(body);
    if (plain !== undefined) {
      const reply = answerMetadata(plain, agent.profiles);
      if (reply.kind === 'response') return sendJson(response, 200, { answers: reply.answers });
      return sendJson(response, reply.problem.code === 'no-profile-for-suite' ? 404 : 400, { error: reply.problem });
    }
    const opened = openMessage(agent, body);
    if ('error' in opened) return reject(400, opened.error.startsWith('not JSON') ? `body is ${opened.error}` : opened.error);
    const { message, via } = opened;
    if (agent.has('http-refuse-all')) return reject(400, 'fault http-refuse-all');

    const replies = agent.handle(message, via);
    const [first, ...rest] = replies;
    const wantsReturnRoute = returnRoute(message) === 'all' || agent.has('reply-in-http-response');
    const sealed = first && wantsReturnRoute && !agent.has('ignore-return-route') ? agent.seal(first, via) : undefined;
    if (sealed) {
      response.writeHead(200, { 'content-type': sealed.contentType }).end(sealed.body);
      for (const reply of rest) await outbound.send(reply, via);
      return;
    }
    response.writeHead(agent.has('http-status-204') ? 204 : 202).end();
    for (const reply of replies) await outbound.send(reply, via);
  };
}

/** agent-metadata 1.0 as plain JSON: a JSON object with `what` and no `@type` (docs/agent-metadata-1.0.md). */
function plainMetadataRequest(body: Buffer): object | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) && 'what' in value && !('@type' in value) ? value : undefined;
  } catch {
    return undefined;
  }
}
