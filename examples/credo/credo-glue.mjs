// The glue every Credo process here needs on this machine (examples/credo/README.md, "What is Credo
// and what is our glue"): an in-memory StorageService, a libsodium KMS backend for the DIDComm v1
// envelope operations, and loopback-only listening. Shared by credo-agent.mjs and credo-mediator.mjs.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { once } from 'node:events';
import express from 'express';
import sodium from 'libsodium-wrappers';
import { JsonTransformer, RecordDuplicateError, RecordNotFoundError } from '@credo-ts/core';

// --- Glue 1: storage. Credo ships no in-memory StorageService (Askar's cannot install here). ---
export class InMemoryStorageService {
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
export class SodiumEnvelopeKms {
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

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** Credo's inbound transport calls app.listen(port): bind it to loopback only. */
export function loopbackApp() {
  const app = express();
  const listen = app.listen.bind(app);
  app.listen = (port, ...rest) => listen(port, '127.0.0.1', ...rest);
  return app;
}
