import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Agent, Session } from './agent.js';
import { ReferenceAgentError } from './errors.js';
import { MAX_BODY_BYTES } from './http-util.js';
import type { Outbound } from './outbound.js';
import { openMessage, returnRoute } from './wire.js';

export interface WsInbound {
  url: string;
  /** Terminates every connection peers opened to the agent. */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * DIDComm over WebSocket (Aries RFC 0025): each frame is one message; replies go back on the
 * connection the message came on only with ~transport.return_route "all" (RFC 0092), otherwise to the peer.
 */
export async function listenWs(agent: Agent, outbound: Outbound, host: string, port: number): Promise<WsInbound> {
  const server = new WebSocketServer({ host, port, maxPayload: MAX_BODY_BYTES });
  const sessions = new WeakMap<WebSocket, Session>();
  const sessionOf = (socket: WebSocket): Session => {
    let session = sessions.get(socket);
    if (!session) {
      session = {
        send(body) {
          if (socket.readyState !== WebSocket.OPEN) return false;
          socket.send(body);
          return true;
        },
        onClose: (listener) => void socket.once('close', listener),
      };
      sessions.set(socket, session);
    }
    return session;
  };
  const onFrame = async (socket: WebSocket, data: RawData): Promise<void> => {
    const parsed = openMessage(agent, Buffer.isBuffer(data) ? data : Buffer.from(String(data)));
    if ('error' in parsed) {
      agent.log(`inbound ws frame refused: ${parsed.error}`);
      return;
    }
    if (agent.has('ws-close-on-message')) {
      agent.log('fault ws-close-on-message: closed the connection');
      socket.close(1011, 'fault ws-close-on-message');
      return;
    }
    // Transmit only by default (RFC 0025, RFC 0092): the peer's socket carries replies only when it asks.
    const onSocket = returnRoute(parsed.message) === 'all' || agent.has('ws-reply-on-socket');
    // A socket the sender keeps open for what comes back: a mediator may deliver on it (RFC 0685 live mode).
    if (returnRoute(parsed.message) === 'all' && parsed.via.enveloped && parsed.via.sender) agent.attachSession(parsed.via.sender, sessionOf(socket));
    for (const reply of agent.handle(parsed.message, parsed.via)) {
      const sealed = onSocket ? agent.seal(reply, parsed.via) : undefined;
      if (sealed && socket.readyState === WebSocket.OPEN) socket.send(sealed.body);
      else await outbound.send(reply, parsed.via);
    }
  };
  server.on('connection', (socket) => socket.on('message', (data) => void onFrame(socket, data).catch((error: unknown) => agent.log(`ws frame failed: ${String(error)}`))));
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new ReferenceAgentError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${String(error)}`, { cause: error });
  }
  const { port: bound } = server.address() as AddressInfo;
  const dropConnections = () => {
    for (const client of server.clients) client.terminate();
  };
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${bound}/`,
    dropConnections,
    close() {
      dropConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
