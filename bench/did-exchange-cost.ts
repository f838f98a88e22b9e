import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeyPair, createPeerDid2, didKeyToVerkey, loadCrypto, packRfc0019, resolvePeerDid, unpackRfc0019, verifyAttachment } from '../envelopes/index.js';
import type { AgentUnderTest } from './agtalk-round-trip.js';
import { LatencyRecorder, type LatencySummary } from './stats.js';
import { setupAgent } from './trust-ping.js';

/**
 * What a DIDComm connection costs: out-of-band invitation from the agent's backchannel, then a DID
 * exchange 1.1 request packed to the invitation key, POSTed straight to the agent; timed up to the
 * response opened, its did_rotate~attach verified and its did:peer:2 resolved (as agtest does
 * before every connected run). The handshake alone, without the invitation, is timed apart.
 */
export async function measureDidExchange(agent: AgentUnderTest, count: number, warmup: number): Promise<LatencySummary[]> {
  await loadCrypto();
  let deliver: ((body: string) => void) | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(202).end();
      deliver?.(Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const whole = new LatencyRecorder('oob invitation + did exchange request/response');
  const handshake = new LatencyRecorder('did exchange request/response only');
  try {
    await setupAgent(agent.backchannel, endpoint);
    for (let i = 0; i < warmup + count; i++) {
      const started = performance.now();
      const created = await fetch(agent.backchannel, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'create-invitation', params: {} }) });
      const { invitation } = (await created.json()) as { invitation: { '@id': string; services: { recipientKeys: string[] }[] } };
      const requested = performance.now();
      const me = await createKeyPair();
      const id = `bench-${i}`;
      const request = { '@type': 'https://didcomm.org/didexchange/1.1/request', '@id': id, '~thread': { thid: id, pthid: invitation['@id'] }, label: 'bench', did: createPeerDid2(me.verkey, endpoint) };
      const invitationKey = didKeyToVerkey(invitation.services[0]!.recipientKeys[0]!);
      const answered = new Promise<string>((resolve) => (deliver = resolve));
      const posted = await fetch(agent.endpoint, { method: 'POST', headers: { 'content-type': 'application/didcomm-envelope-enc' }, body: JSON.stringify(packRfc0019(JSON.stringify(request), [invitationKey], me)) });
      await posted.body?.cancel();
      const response = JSON.parse(unpackRfc0019(await answered, [me]).message) as Record<string, unknown>;
      const signers = verifyAttachment(response['did_rotate~attach']).signers;
      const theirKey = resolvePeerDid(String(response['did'])).services[0]?.recipientKeys[0];
      if (!signers.includes(invitationKey) || !theirKey) throw new Error(`handshake ${i}: the response does not verify or resolve`);
      const done = performance.now();
      if (i >= warmup) {
        whole.recordMs(done - started);
        handshake.recordMs(done - requested);
      }
    }
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
  return [whole.summary(), handshake.summary()];
}
