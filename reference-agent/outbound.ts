import type { Agent, Message } from './agent.js';

export interface Outbound {
  /** POSTs to the session's peer; resolves false (and logs) when that fails. Never throws. */
  send(message: Message): Promise<boolean>;
}

/** DIDComm over HTTP (Aries RFC 0025): every outbound message is a POST to the peer endpoint. */
export function createOutbound(agent: Agent): Outbound {
  return {
    async send(message) {
      const type = String(message['@type']);
      const peer = agent.peer;
      if (!peer) {
        agent.log(`dropped outbound ${type}: no peer endpoint (backchannel setup not called)`);
        return false;
      }
      try {
        const response = await fetch(peer, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
        await response.body?.cancel();
        if (!response.ok) agent.log(`peer ${peer} answered ${response.status} to ${type}`);
        return response.ok;
      } catch (error) {
        agent.log(`could not send ${type} to ${peer}: ${String(error)}`);
        return false;
      }
    },
  };
}
