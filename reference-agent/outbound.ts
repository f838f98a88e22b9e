import type { Transporter } from 'nodemailer';
import type { WebSocket } from 'ws';
import { AGENT_MAILBOX } from './mailbox.js';
import type { Agent, Message, Sealed, Via } from './agent.js';

export interface Outbound {
  /**
   * Sends to the session's peer, the way `via` says (default: how the agent sends what it
   * initiates); resolves false (and logs) when that fails. Never throws.
   */
  send(message: Message, via?: Via): Promise<boolean>;
  /**
   * Puts bytes that are already an envelope (a forwarded message) on the wire to `endpoint`:
   * a POST labelled application/didcomm-envelope-enc, a frame on a WebSocket, or a mail. Never throws.
   */
  sendEnvelope(endpoint: string, body: string): Promise<boolean>;
  /** Drops every WebSocket connection the agent opened (the backchannel's drop-connections). */
  dropConnections(): void;
  close(): void;
}

/**
 * Messages the agent sends on its own (and replies it cannot carry back on the connection they
 * came on) go to the peer endpoint from setup: an http(s) URL gets a POST (Aries RFC 0025), a
 * ws(s) URL gets a frame on a connection the agent opens once and reuses, an smtp URL a mail.
 */
export function createOutbound(agent: Agent): Outbound {
  const sockets = new Map<string, Promise<WebSocket>>();

  const socketFor = (url: string): Promise<WebSocket> => {
    let socket = sockets.get(url);
    if (!socket) {
      // ws is loaded at the first frame: an agent on HTTP never needs it.
      socket = import('ws').then(({ WebSocket }) => new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
        ws.on('close', () => sockets.delete(url));
        // Answers to the agent's own messages may come back on this connection.
        ws.on('message', (data) => agent.log(`ignored a frame on its own connection to ${url} (${String(data).slice(0, 80)})`));
      }));
      socket.catch(() => sockets.delete(url));
      sockets.set(url, socket);
    }
    return socket;
  };

  const mailers = new Map<string, Transporter>();
  /** `smtp://HOST:PORT/MAILBOX`: one mail per message, the message as an application/json attachment. */
  const mail = async (peer: string, message: Message, sealed: Sealed): Promise<boolean> => {
    if (agent.has('smtp-drop-outbound')) {
      agent.log(`fault smtp-drop-outbound: dropped ${String(message['@type'])}`);
      return true;
    }
    const url = new URL(peer);
    let mailer = mailers.get(url.host);
    if (!mailer) {
      const { createTransport } = await import('nodemailer');
      mailer = createTransport({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 25), secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
      mailers.set(url.host, mailer);
    }
    await mailer.sendMail({
      from: AGENT_MAILBOX,
      to: decodeURIComponent(url.pathname.slice(1)),
      subject: String(message['@type']),
      text: 'DIDComm message attached.',
      attachments: [{ filename: sealed.enveloped ? 'message.dee' : 'message.dm', content: sealed.body, contentType: sealed.enveloped ? sealed.contentType : 'application/json' }],
    });
    return true;
  };

  const post = async (peer: string, message: Message, sealed: Sealed): Promise<boolean> => {
    const response = await fetch(peer, { method: 'POST', headers: { 'content-type': sealed.contentType }, body: sealed.body });
    await response.body?.cancel();
    if (!response.ok) agent.log(`peer ${peer} answered ${response.status} to ${String(message['@type'])}`);
    return response.ok;
  };

  const frame = async (peer: string, message: Message, sealed: Sealed): Promise<boolean> => {
    if (agent.has('ws-drop-outbound')) {
      agent.log(`fault ws-drop-outbound: dropped ${String(message['@type'])}`);
      return true;
    }
    const socket = await socketFor(peer);
    await new Promise<void>((resolve, reject) => socket.send(sealed.body, (error) => (error ? reject(error) : resolve())));
    return true;
  };

  return {
    async send(message, via = agent.initiatedVia()) {
      const type = String(message['@type']);
      const peer = agent.peer;
      if (!peer) {
        agent.log(`dropped outbound ${type}: no peer endpoint (backchannel setup not called)`);
        return false;
      }
      try {
        const sealed = agent.seal(message, via);
        if (!sealed) return false;
        if (/^wss?:/.test(peer)) return await frame(peer, message, sealed);
        if (peer.startsWith('smtp:')) return await mail(peer, message, sealed);
        return await post(peer, message, sealed);
      } catch (error) {
        agent.log(`could not send ${type} to ${peer}: ${String(error)}`);
        return false;
      }
    },
    async sendEnvelope(endpoint, body) {
      const sealed: Sealed = { body, contentType: 'application/didcomm-envelope-enc', enveloped: true };
      const message = { '@type': 'forwarded envelope' };
      try {
        if (/^wss?:/.test(endpoint)) return await frame(endpoint, message, sealed);
        if (endpoint.startsWith('smtp:')) return await mail(endpoint, message, sealed);
        return await post(endpoint, message, sealed);
      } catch (error) {
        agent.log(`could not send a forwarded envelope to ${endpoint}: ${String(error)}`);
        return false;
      }
    },
    dropConnections() {
      for (const socket of sockets.values()) void socket.then((ws) => ws.terminate(), () => undefined);
      sockets.clear();
    },
    close() {
      this.dropConnections();
      for (const mailer of mailers.values()) mailer.close();
      mailers.clear();
    },
  };
}
