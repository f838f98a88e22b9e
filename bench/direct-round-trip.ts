import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentUnderTest, RoundTripPath } from './agtalk-round-trip.js';
import { createPing, ReplyWaiters } from './trust-ping.js';

/** The baseline: ping POSTed straight to the agent, its answer POSTed to a local server. */
export async function openDirectPath(agent: AgentUnderTest): Promise<RoundTripPath> {
  const waiters = new ReplyWaiters();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      response.writeHead(202).end();
      try {
        waiters.settle(JSON.parse(Buffer.concat(chunks).toString('utf8')), at);
      } catch (error) {
        void error; // not JSON: not a ping_response, and the waiter's timeout reports the loss
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async roundTrip() {
      const ping = createPing();
      const answered = waiters.wait(ping.id);
      const started = performance.now();
      const response = await fetch(agent.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ping.body });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the agent answered ${response.status} to a ping`);
      return (await answered) - started;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
