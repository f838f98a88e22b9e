// The agent finds the key an envelope is for by lookup, whatever the number of connections it holds
// (a load makes thousands); which key it picks and what it answers from stay as before.
import t from 'tap';
import { Agent } from '../../reference-agent/agent.js';
import { openMessage } from '../../reference-agent/wire.js';
import { createKeyPair, createKeyPairSync, packRfc0019, unpackRfc0019 } from '../../envelopes/index.js';

const me = await createKeyPair();
const ping = { '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': 'ping-0001', response_requested: true };

t.test('with 2,000 connections: an envelope to one of them opens with its key and is answered from it; one for nobody is refused', async (t) => {
  const agent = new Agent(new Set(), () => undefined, await createKeyPair());
  const keys = Array.from({ length: 2000 }, () => createKeyPairSync());
  keys.forEach((k, i) => {
    agent.holdKeys(k);
    agent.connections.set(`c${i}`, { keys: k, did: 'did:example:agent', theirDid: 'did:example:me', theirKey: me.verkey, state: 'completed' });
  });
  const target = keys[1234]!;
  const opened = openMessage(agent, Buffer.from(JSON.stringify(packRfc0019(JSON.stringify(ping), [target.verkey], me))));
  if ('error' in opened) return t.fail(opened.error);
  t.match(opened.via, { enveloped: true, recipient: target.verkey, sender: me.verkey });
  const sealed = agent.seal({ '@type': 'https://didcomm.org/trust_ping/1.0/ping_response', '@id': 'pong-0001' }, opened.via);
  t.equal(unpackRfc0019(sealed!.body, [me]).senderVerkey, target.verkey, 'the reply comes from the key the message was for');

  const stranger = createKeyPairSync();
  const refused = openMessage(agent, Buffer.from(JSON.stringify(packRfc0019(JSON.stringify(ping), [stranger.verkey], me))));
  t.match(refused, { error: /ENVELOPE_NOT_FOR_US/ });
  t.equal(agent.keyFor(stranger.verkey), undefined);
});

t.test("an envelope to a connection key and the agent's own: its own key opens it, as before", async (t) => {
  const agent = new Agent(new Set(), () => undefined, await createKeyPair());
  const connection = createKeyPairSync();
  agent.holdKeys(connection);
  const opened = openMessage(agent, Buffer.from(JSON.stringify(packRfc0019(JSON.stringify(ping), [connection.verkey, agent.keys.verkey], me))));
  if ('error' in opened) return t.fail(opened.error);
  t.match(opened.via, { recipient: agent.keys.verkey });
});
