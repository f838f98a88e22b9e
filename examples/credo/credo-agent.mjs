#!/usr/bin/env node
// A Credo agent (OpenWallet Foundation credo-ts, DIDComm v1) for agtest to certify, with the glue
// it needs on this machine and an HTTP backchannel that agact-http drives. What is Credo and what
// is glue is listed in README.md. Prints one JSON line when ready: {"endpoint", "backchannel"}.
// Options: --port N (DIDComm endpoint, default any free port), --as-shipped (no XChaCha20 fix, see README).
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import express from 'express';
import sodium from 'libsodium-wrappers';
import { Agent, ConsoleLogger, DependencyManager, InjectionSymbols, JsonTransformer, Kms, LogLevel, RecordDuplicateError, RecordNotFoundError } from '@credo-ts/core';
import { DidCommConnectionEventTypes, DidCommEventTypes, DidCommHttpOutboundTransport, DidCommModule } from '@credo-ts/didcomm';
import { agentDependencies, DidCommHttpInboundTransport, NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node';

const { values: options } = parseArgs({ options: { port: { type: 'string' }, 'as-shipped': { type: 'boolean' } } });

// --- Glue 1: storage. Credo ships no in-memory StorageService (Askar's cannot install here). ---
class InMemoryStorageService {
  records = new Map();
  key(type, id) {
    return `${type}:${id}`;
  }
  toInstance(stored, cls) {
    const instance = JsonTransformer.fromJSON(stored.value, cls);
    instance.id = stored.id;
    instance.replaceTags(stored.tags);
    return instance;
  }
  put(record) {
    this.records.set(this.key(record.type, record.id), { id: record.id, type: record.type, value: JsonTransformer.toJSON(record), tags: record.getTags() });
  }
  async save(_ctx, record) {
    record.updatedAt = new Date();
    if (this.records.has(this.key(record.type, record.id))) throw new RecordDuplicateError(`record ${record.id} already exists`, { recordType: record.type });
    this.put(record);
  }
  async update(_ctx, record) {
    record.updatedAt = new Date();
    if (!this.records.has(this.key(record.type, record.id))) throw new RecordNotFoundError(`record ${record.id} not found`, { recordType: record.type });
    this.put(record);
  }
  async delete(ctx, record) {
    return this.deleteById(ctx, record.constructor, record.id);
  }
  async deleteById(_ctx, cls, id) {
    if (!this.records.delete(this.key(cls.type, id))) throw new RecordNotFoundError(`record ${id} not found`, { recordType: cls.type });
  }
  async getById(_ctx, cls, id) {
    const stored = this.records.get(this.key(cls.type, id));
    if (!stored) throw new RecordNotFoundError(`record ${id} not found`, { recordType: cls.type });
    return this.toInstance(stored, cls);
  }
  async getAll(_ctx, cls) {
    return [...this.records.values()].filter((r) => r.type === cls.type).map((r) => this.toInstance(r, cls));
  }
  async findByQuery(_ctx, cls, query, queryOptions = {}) {
    let found = [...this.records.values()].filter((r) => r.type === cls.type && matches(r.tags, query));
    if (queryOptions.offset) found = found.slice(queryOptions.offset);
    if (queryOptions.limit) found = found.slice(0, queryOptions.limit);
    return found.map((r) => this.toInstance(r, cls));
  }
}

function matches(tags, query) {
  const { $and, $or, $not, ...simple } = query;
  for (const [key, wanted] of Object.entries(simple)) {
    if (wanted === undefined) continue;
    const tag = tags[key];
    if (Array.isArray(wanted)) {
      if (!Array.isArray(tag) || !wanted.every((w) => tag.includes(w))) return false;
    } else if (wanted === null) {
      if (tag !== undefined && tag !== null) return false;
    } else if (tag !== wanted) return false;
  }
  if ($and && !$and.every((q) => matches(tags, q))) return false;
  if ($or && !$or.some((q) => matches(tags, q))) return false;
  if ($not && matches(tags, $not)) return false;
  return true;
}

// --- Glue 2: a KMS backend for the DIDComm v1 envelope operations, over libsodium. ---
// Node's KMS lacks ECDH-HSALSA20 / XSALSA20-POLY1305 (RFC 0019's crypto_box). And Credo's
// envelope service asks the KMS for "C20P" (ChaCha20-Poly1305, 12-byte nonce) while labelling the
// envelope xchacha20poly1305_ietf: this backend answers C20P with XChaCha20-Poly1305 (24-byte
// nonce), what the label says. --as-shipped leaves C20P to Node's KMS, as Credo ships.
class SodiumEnvelopeKms {
  backend = 'sodium-envelope';
  constructor(storage, fixContent) {
    this.storage = storage;
    this.fixContent = fixContent;
  }
  isOperationSupported(_ctx, op) {
    const box = (alg, agreement) => alg === 'XSALSA20-POLY1305' && agreement?.algorithm === 'ECDH-HSALSA20';
    if (op.operation === 'encrypt') return box(op.encryption.algorithm, op.keyAgreement) || (this.fixContent && op.encryption.algorithm === 'C20P');
    if (op.operation === 'decrypt') return box(op.decryption.algorithm, op.keyAgreement) || (this.fixContent && op.decryption.algorithm === 'C20P');
    return false;
  }
  async getPublicKey() {
    return null;
  }
  async x25519(ctx, keyId) {
    const jwk = await this.storage.get(ctx, keyId);
    if (!jwk) throw new Error(`sodium-envelope: no key ${keyId}`);
    const bytes = (b64) => Buffer.from(b64, 'base64url');
    if (jwk.crv === 'X25519') return { secret: bytes(jwk.d), public: bytes(jwk.x) };
    const pair = sodium.crypto_sign_seed_keypair(bytes(jwk.d));
    return { secret: sodium.crypto_sign_ed25519_sk_to_curve25519(pair.privateKey), public: sodium.crypto_sign_ed25519_pk_to_curve25519(pair.publicKey) };
  }
  async encrypt(ctx, { key, data, encryption }) {
    await sodium.ready;
    if (encryption.algorithm === 'C20P') {
      const iv = sodium.randombytes_buf(24);
      const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt_detached(data, encryption.aad ?? null, null, iv, Buffer.from(key.privateJwk.k, 'base64url'));
      return { encrypted: sealed.ciphertext, tag: sealed.mac, iv };
    }
    const agreement = key.keyAgreement;
    const recipient = Buffer.from(agreement.externalPublicJwk.x, 'base64url');
    if (!agreement.keyId) return { encrypted: sodium.crypto_box_seal(data, recipient) };
    const { secret } = await this.x25519(ctx, agreement.keyId);
    const iv = sodium.randombytes_buf(24);
    return { encrypted: sodium.crypto_box_easy(data, iv, recipient, secret), iv };
  }
  async decrypt(ctx, { key, decryption, encrypted }) {
    await sodium.ready;
    if (decryption.algorithm === 'C20P') {
      return { data: sodium.crypto_aead_xchacha20poly1305_ietf_decrypt_detached(null, encrypted, decryption.tag, decryption.aad ?? null, decryption.iv, Buffer.from(key.privateJwk.k, 'base64url')) };
    }
    const agreement = key.keyAgreement;
    const own = await this.x25519(ctx, agreement.keyId);
    if (!agreement.externalPublicJwk) return { data: sodium.crypto_box_seal_open(encrypted, own.public, own.secret) };
    return { data: sodium.crypto_box_open_easy(encrypted, decryption.iv, Buffer.from(agreement.externalPublicJwk.x, 'base64url'), own.secret) };
  }
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** Credo's inbound transport calls app.listen(port): bind it to loopback only. */
function loopbackApp() {
  const app = express();
  const listen = app.listen.bind(app);
  app.listen = (port, ...rest) => listen(port, '127.0.0.1', ...rest);
  return app;
}

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
