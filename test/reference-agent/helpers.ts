import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { startReferenceAgent, type RunningReferenceAgent } from '../../reference-agent/index.js';

export type Message = Record<string, unknown>;

/** A real HTTP peer on loopback that collects what the agent POSTs to it. */
export interface Peer {
  endpoint: string;
  messages: Message[];
  /** The next message (already received or still to come) that `match` accepts. */
  next(match?: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
  close(): Promise<void>;
}

export async function startPeer(): Promise<Peer> {
  const messages: Message[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      messages.push(JSON.parse(body) as Message);
      response.writeHead(202).end();
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let taken = 0;
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    messages,
    next(match = () => true, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const index = messages.findIndex((m, i) => i >= taken && match(m));
          if (index === -1) return;
          taken = index + 1;
          done();
          resolve(messages[index]!);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`peer got no matching message within ${timeoutMs} ms (has ${JSON.stringify(messages)})`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(look);
        };
        waiters.add(look);
        look();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Harness {
  agent: RunningReferenceAgent;
  peer: Peer;
  logs: string[];
  /** POSTs an action to the backchannel; returns status and parsed JSON body. */
  act(action: string, params?: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** POSTs a DIDComm message to the agent's endpoint. */
  deliver(message: Message): Promise<Response>;
}

/** Agent + peer, set up (peer endpoint stored), both closed when the test ends. */
export async function startHarness(t: Test, faults: string[] = []): Promise<Harness> {
  const logs: string[] = [];
  const agent = await startReferenceAgent({ faults, log: (line) => logs.push(line) });
  const peer = await startPeer();
  t.teardown(() => Promise.all([agent.close(), peer.close()]).then(() => undefined));
  const act: Harness['act'] = async (action, params = {}) => {
    const response = await fetch(agent.backchannel, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action, params }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const setup = await act('setup', { endpoint: peer.endpoint, transport: 'http' });
  t.equal(setup.status, 200, 'setup');
  return {
    agent,
    peer,
    logs,
    act,
    deliver: (message) => fetch(agent.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) }),
  };
}

export const ping = (extra: Message = {}, version = '1.0'): Message => ({ '@type': `https://didcomm.org/trust_ping/${version}/ping`, '@id': randomUUID(), ...extra });

export const thid = (m: Message): unknown => (m['~thread'] as { thid?: unknown } | undefined)?.thid;

export const ofType = (suffix: string) => (m: Message) => String(m['@type']).endsWith(suffix);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
