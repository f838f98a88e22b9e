#!/usr/bin/env node
// A Credo agent (OpenWallet Foundation credo-ts, DIDComm v1) for agtest to certify, with the glue
// it needs on this machine and an HTTP backchannel that agact-http drives. What is Credo and what
// is glue is listed in README.md. Prints one JSON line when ready: {"endpoint", "backchannel"}.
// Options: --port N (DIDComm endpoint, default any free port), --as-shipped (no XChaCha20 fix, see README).
import { createServer } from 'node:http';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import sodium from 'libsodium-wrappers';
import { Agent, ConsoleLogger, DependencyManager, InjectionSymbols, Kms, LogLevel } from '@credo-ts/core';
import { DidCommConnectionEventTypes, DidCommEventTypes, DidCommHttpOutboundTransport, DidCommModule } from '@credo-ts/didcomm';
import { agentDependencies, DidCommHttpInboundTransport, NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node';
import { freePort, InMemoryStorageService, loopbackApp, SodiumEnvelopeKms } from './credo-glue.mjs';

const { values: options } = parseArgs({ options: { port: { type: 'string' }, 'as-shipped': { type: 'boolean' } } });

await sodium.ready;
const port = Number(options.port ?? (await freePort()));
const endpoint = `http://127.0.0.1:${port}`;
const keyStorage = new NodeInMemoryKeyManagementStorage();
const dependencies = new DependencyManager();
dependencies.registerInstance(InjectionSymbols.StorageService, new InMemoryStorageService());
const agent = new Agent(
  {
    config: { logger: new ConsoleLogger(process.env.CREDO_DEBUG ? LogLevel.debug : LogLevel.off), allowInsecureHttpUrls: true, autoUpdateStorageOnStartup: true },
    dependencies: agentDependencies,
    modules: {
      kms: new Kms.KeyManagementModule({ backends: [new SodiumEnvelopeKms(keyStorage, !options['as-shipped']), new NodeKeyManagementService(keyStorage)] }),
      didcomm: new DidCommModule({
        endpoints: [endpoint],
        transports: { inbound: [new DidCommHttpInboundTransport({ port, app: loopbackApp() })], outbound: [new DidCommHttpOutboundTransport()] },
        connections: { autoAcceptConnections: true },
        // The mediator role (RFC 0211, 0094, 0685) is on by default; it grants without an operator.
        mediator: { autoAcceptMediationRequests: true },
      }),
    },
  },
  dependencies,
);
await agent.initialize();

// --- The backchannel: agtest's actions mapped onto Credo's public API. ---
let received = [];
let connectionId;
agent.events.on(DidCommEventTypes.DidCommMessageProcessed, (event) => received.push(event.payload.message.toJSON()));
agent.events.on(DidCommConnectionEventTypes.DidCommConnectionStateChanged, (event) => {
  const record = event.payload.connectionRecord;
  if (record.state === 'response-sent' || record.state === 'completed') connectionId = record.id;
});

/** The connection agtest made for this test; Credo marks it completed when agtest's complete arrives. */
async function connection() {
  if (!connectionId) throw Object.assign(new Error('no connection: agtest has not connected by DID exchange in this test'), { status: 409 });
  return agent.didcomm.connections.returnWhenIsConnected(connectionId, { timeoutMs: 5000 });
}

const sameType = (a, b) => {
  const parse = (type) => /([^/;]+)\/(\d+)\.\d+\/([^/]+)$/.exec(String(type))?.slice(1).join('|');
  return parse(a) !== undefined && parse(a) === parse(b);
};

const actions = {
  async setup(params) {
    received = [];
    connectionId = undefined;
    // agtest names the connection the test runs in (made by DID exchange in an earlier test).
    if (params.connection?.agtest_did) {
      const [record] = await agent.didcomm.connections.findAllByQuery({ theirDid: params.connection.agtest_did });
      if (!record) throw Object.assign(new Error(`no connection with ${params.connection.agtest_did}`), { status: 400 });
      connectionId = record.id;
    }
    return {};
  },
  teardown() {
    return {};
  },
  async 'create-invitation'() {
    const record = await agent.didcomm.oob.createInvitation({ autoAcceptConnection: true });
    return { invitation_url: record.outOfBandInvitation.toUrl({ domain: endpoint }), invitation: record.outOfBandInvitation.toJSON() };
  },
  async 'receive-invitation'(params) {
    if (typeof params.invitation_url !== 'string') throw Object.assign(new Error('receive-invitation needs params.invitation_url, a string'), { status: 400 });
    // Credo resolves only when the exchange is over (for handshake-reuse: when agtest's
    // reuse-accepted arrives, which agtest sends after this action returns). Answer once its
    // first message is out, or it failed.
    const accepted = agent.didcomm.oob.receiveInvitationFromUrl(params.invitation_url, { label: 'credo', reuseConnection: true });
    accepted.catch((error) => process.stderr.write(`receive-invitation: ${error.message}\n`));
    await Promise.race([accepted, new Promise((resolve) => setTimeout(resolve, 1000))]);
    return {};
  },
  async 'send-ping'(params) {
    const ping = await agent.didcomm.connections.sendPing((await connection()).id, { responseRequested: params.response_requested !== false });
    return { id: ping.id };
  },
  async 'send-message'(params) {
    if (typeof params.content !== 'string') throw Object.assign(new Error('send-message needs params.content, a string'), { status: 400 });
    const record = await agent.didcomm.basicMessages.sendMessage((await connection()).id, params.content);
    return { id: record.threadId };
  },
  async 'send-query'(params) {
    await agent.didcomm.discovery.queryFeatures({ connectionId: (await connection()).id, protocolVersion: 'v1', queries: [{ featureType: 'protocol', match: params.query ?? '*' }] });
    return {};
  },
  received(params) {
    return { messages: params.type === undefined ? received : received.filter((m) => sameType(m['@type'], params.type)) };
  },
};

const backchannel = createServer(async (request, response) => {
  const reply = (status, body) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  let body = '';
  for await (const chunk of request) body += chunk;
  let call;
  try {
    call = JSON.parse(body);
  } catch {
    return reply(400, { error: 'body is not JSON' });
  }
  const action = Object.hasOwn(actions, call?.action) ? actions[call.action] : undefined;
  if (!action) return reply(501, { error: `action not supported: ${call?.action}` });
  try {
    reply(200, await action(call.params ?? {}));
  } catch (error) {
    reply(error.status ?? 500, { error: String(error.message ?? error) });
  }
});
backchannel.listen(0, '127.0.0.1');
await once(backchannel, 'listening');

const stop = async () => {
  backchannel.close();
  await agent.shutdown().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdout.write(`${JSON.stringify({ endpoint, backchannel: `http://127.0.0.1:${backchannel.address().port}/` })}\n`);
