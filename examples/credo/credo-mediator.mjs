#!/usr/bin/env node
// Credo 0.6's mediator (Aries RFC 0211 coordinate-mediation, RFC 0094 forward, RFC 0685 pickup 2.0)
// as a router for `agtest load topology --router URL`: one Credo agent on 127.0.0.1 with a WebSocket
// and an HTTP inbound endpoint, granting every mediation request itself, and one multi-use
// out-of-band invitation that every virtual agent connects with. Only the glue of credo-glue.mjs is ours.
// Prints one JSON line when ready: {"endpoint", "http", "invitation_url"}. SIGTERM/SIGINT stop it.
// Options: --port N (WebSocket), --http-port N (default: any free port each),
//          --forwarding direct|queue|queue-live (Credo's DidCommMessageForwardingStrategy; default direct, Credo's own default).
import { setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import sodium from 'libsodium-wrappers';
import { WebSocketServer } from 'ws';
import { Agent, ConsoleLogger, DependencyManager, InjectionSymbols, Kms, LogLevel } from '@credo-ts/core';
import { DidCommHttpOutboundTransport, DidCommMessageForwardingStrategy, DidCommModule, DidCommWsOutboundTransport } from '@credo-ts/didcomm';
import { agentDependencies, DidCommHttpInboundTransport, DidCommWsInboundTransport, NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node';
import { freePort, InMemoryStorageService, loopbackApp, SodiumEnvelopeKms } from './credo-glue.mjs';

const STRATEGIES = {
  direct: DidCommMessageForwardingStrategy.DirectDelivery,
  queue: DidCommMessageForwardingStrategy.QueueOnly,
  'queue-live': DidCommMessageForwardingStrategy.QueueAndLiveModeDelivery,
};

const { values: options } = parseArgs({ options: { port: { type: 'string' }, 'http-port': { type: 'string' }, forwarding: { type: 'string', default: 'direct' } } });
if (!Object.hasOwn(STRATEGIES, options.forwarding)) {
  process.stderr.write(`credo-mediator: --forwarding must be one of ${Object.keys(STRATEGIES).join(', ')}, got "${options.forwarding}"\n`);
  process.exit(2);
}

await sodium.ready;
const wsPort = Number(options.port ?? (await freePort()));
const httpPort = Number(options['http-port'] ?? (await freePort()));
const wsEndpoint = `ws://127.0.0.1:${wsPort}`;
const httpEndpoint = `http://127.0.0.1:${httpPort}`;
// Credo's WebSocket inbound takes a server of ours: so it listens on loopback only.
const wsServer = new WebSocketServer({ host: '127.0.0.1', port: wsPort });
const keyStorage = new NodeInMemoryKeyManagementStorage();
const dependencies = new DependencyManager();
dependencies.registerInstance(InjectionSymbols.StorageService, new InMemoryStorageService());
const agent = new Agent(
  {
    config: { logger: new ConsoleLogger(process.env.CREDO_DEBUG ? LogLevel.debug : LogLevel.off), allowInsecureHttpUrls: true, autoUpdateStorageOnStartup: true },
    dependencies: agentDependencies,
    modules: {
      kms: new Kms.KeyManagementModule({ backends: [new SodiumEnvelopeKms(keyStorage, true), new NodeKeyManagementService(keyStorage)] }),
      didcomm: new DidCommModule({
        // WebSocket first: the invitation's service and the mediate-grant endpoint name it.
        endpoints: [wsEndpoint, httpEndpoint],
        transports: {
          inbound: [new DidCommWsInboundTransport({ server: wsServer }), new DidCommHttpInboundTransport({ port: httpPort, app: loopbackApp() })],
          outbound: [new DidCommWsOutboundTransport(), new DidCommHttpOutboundTransport()],
        },
        connections: { autoAcceptConnections: true },
        // Left alone, Credo's mediator waits for an operator to grant: a router grants everyone.
        mediator: { autoAcceptMediationRequests: true, messageForwardingStrategy: STRATEGIES[options.forwarding] },
      }),
    },
  },
  dependencies,
);
await agent.initialize();

// One invitation for every virtual agent: each DID exchange on it makes a connection of its own.
const record = await agent.didcomm.oob.createInvitation({ multiUseInvitation: true, autoAcceptConnection: true, label: 'credo-mediator' });
const invitationUrl = record.outOfBandInvitation.toUrl({ domain: httpEndpoint });

const stop = async () => {
  await agent.shutdown().catch((error) => process.stderr.write(`credo-mediator: shutdown: ${error.message}\n`));
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by a test or a sweep: when its parent is gone (this process re-parented), so is the mediator.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void stop(), 1000).unref();
process.stdout.write(`${JSON.stringify({ endpoint: wsEndpoint, http: httpEndpoint, invitation_url: invitationUrl, forwarding: options.forwarding })}\n`);
