import { createHash } from 'node:crypto';
import bs58 from 'bs58';
import sodium from 'libsodium-wrappers';
import { fromBase64Url } from './base64url.js';
import { EnvelopeError } from './errors.js';
import { decodeVerkey } from './keys.js';
import { readDidDocument } from './did-doc.js';

/** Multicodec prefixes (varint) of the two key types DIDComm v1 peers put in a did:peer:2. */
const ED25519_PUB = [0xed, 0x01];
const X25519_PUB = [0xec, 0x01];

/** A DIDComm v1 service as a did:peer:2 resolves it: keys as base58 Ed25519 verkeys. */
export interface ResolvedService {
  id: string;
  type: string;
  serviceEndpoint: string;
  recipientKeys: string[];
  routingKeys: string[];
}

export interface ResolvedPeerDid {
  did: string;
  /** Ed25519 verkeys of the `V` (authentication) entries, in order. */
  verkeys: string[];
  services: ResolvedService[];
}

/** Multibase base58btc of a multicodec-prefixed key: the "z6Mk…" / "z6LS…" did:key fingerprint. */
function fingerprint(prefix: readonly number[], key: Uint8Array): string {
  return `z${bs58.encode(Uint8Array.from([...prefix, ...key]))}`;
}

/**
 * A did:peer:2 (numalgo 2: keys and services inline) for one Ed25519 key and one DIDComm v1
 * endpoint: `V` the key (#key-1), `E` its X25519 form (#key-2), `S` a did-communication service
 * whose recipient is #key-1 — the layout Credo and ACA-Py read and write. `routingKeys` (did:key)
 * route it through a mediator (Aries RFC 0094: a sender wraps a forward per routing key).
 */
export function createPeerDid2(verkey: string, endpoint: string, routingKeys: readonly string[] = []): string {
  const publicKey = decodeVerkey(verkey);
  const x25519 = sodium.crypto_sign_ed25519_pk_to_curve25519(publicKey);
  const service = { t: 'did-communication', s: endpoint, r: [...routingKeys], recipientKeys: ['#key-1'], priority: 0 };
  const encoded = Buffer.from(JSON.stringify(service)).toString('base64url');
  return `did:peer:2.V${fingerprint(ED25519_PUB, publicKey)}.E${fingerprint(X25519_PUB, x25519)}.S${encoded}`;
}

const ABBREVIATIONS: Readonly<Record<string, string>> = { t: 'type', s: 'serviceEndpoint', r: 'routingKeys', a: 'accept', dm: 'DIDCommMessaging' };

/**
 * Resolves a did:peer:2 without I/O (its document is in the DID). Keys are numbered #key-1,
 * #key-2… in the order they appear; a service's recipientKeys may reference them or be did:keys.
 * Throws ENVELOPE_BAD_KEY naming the part that does not parse.
 */
export function resolvePeerDid2(did: string): ResolvedPeerDid {
  if (!did.startsWith('did:peer:2.')) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${JSON.stringify(did.slice(0, 60))} is not a did:peer:2`);
  const keys = new Map<string, string | undefined>();
  const verkeys: string[] = [];
  const rawServices: Record<string, unknown>[] = [];
  let keyIndex = 1;
  for (const entry of did.slice('did:peer:2.'.length).split('.')) {
    const purpose = entry[0];
    const body = entry.slice(1);
    if (purpose === 'S') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(fromBase64Url(body, 'the S entry')).toString('utf8'));
      } catch (cause) {
        throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: a service entry is not base64url JSON`, { cause });
      }
      for (const service of Array.isArray(parsed) ? parsed : [parsed]) {
        if (typeof service !== 'object' || service === null) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: a service is not a JSON object`);
        rawServices.push(service as Record<string, unknown>);
      }
      continue;
    }
    if (!purpose || !'AEVID'.includes(purpose) || !body.startsWith('z')) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: entry ${JSON.stringify(entry.slice(0, 20))} is neither a key (A E V I D + multibase) nor a service (S)`);
    const bytes = bs58.decode(body.slice(1));
    const ed25519 = bytes.length === 34 && bytes[0] === ED25519_PUB[0] && bytes[1] === ED25519_PUB[1];
    const verkey = ed25519 ? bs58.encode(bytes.subarray(2)) : undefined;
    keys.set(`#key-${keyIndex++}`, verkey);
    if (purpose === 'V' && verkey) verkeys.push(verkey);
  }
  const services = rawServices.map((raw, index): ResolvedService => {
    const service = Object.fromEntries(Object.entries(raw).map(([key, value]) => [ABBREVIATIONS[key] ?? key, typeof value === 'string' ? (ABBREVIATIONS[value] ?? value) : value]));
    const endpoint = service['serviceEndpoint'];
    const uri = typeof endpoint === 'string' ? endpoint : typeof endpoint === 'object' && endpoint !== null ? (endpoint as Record<string, unknown>)['uri'] : undefined;
    const reference = (ref: unknown): string => {
      if (typeof ref !== 'string') throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: a service key is not a string`);
      if (ref.startsWith('did:key:')) return didKeyFingerprintToVerkey(ref);
      const local = ref.startsWith(did) ? ref.slice(did.length) : ref;
      const verkey = keys.get(local);
      if (!verkey) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: service key ${JSON.stringify(ref.slice(0, 40))} is not an Ed25519 key of this DID`);
      return verkey;
    };
    const list = (value: unknown) => (Array.isArray(value) ? value.map(reference) : []);
    return {
      id: `${did}#${String(service['type'] ?? 'service').toLowerCase()}-${index}`,
      type: String(service['type'] ?? ''),
      serviceEndpoint: typeof uri === 'string' ? uri : '',
      // DIDComm v2 services name no recipients: the key-agreement keys are; v1 peers use #key-1.
      recipientKeys: Array.isArray(service['recipientKeys']) ? list(service['recipientKeys']) : verkeys.slice(0, 1),
      routingKeys: list(service['routingKeys']),
    };
  });
  return { did, verkeys, services };
}

function didKeyFingerprintToVerkey(didKey: string): string {
  const bytes = bs58.decode(didKey.slice('did:key:z'.length).split('#')[0]!);
  if (bytes.length !== 34 || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${didKey.slice(0, 60)} is not an Ed25519 did:key`);
  return bs58.encode(bytes.subarray(2));
}

/** Multicodec 0x0200 (JSON) as a varint: the prefix of a did:peer:4 encoded document. */
const JSON_MULTICODEC = [0x80, 0x04];

/**
 * Resolves a long-form did:peer:4 (`did:peer:4<hash>:<encoded document>`): checks the hash
 * (multibase base58btc of the SHA-256 multihash of the encoded document), decodes the document
 * and reads its Ed25519 keys and DIDComm services. The short form alone cannot be resolved.
 */
export function resolvePeerDid4(did: string): ResolvedPeerDid {
  const match = /^did:peer:4(z[1-9A-HJ-NP-Za-km-z]+):(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(did);
  if (!match) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${JSON.stringify(did.slice(0, 60))} is not a long-form did:peer:4 (the short form has no document to resolve)`);
  const [, hash, encoded] = match as unknown as [string, string, string];
  const digest = createHash('sha256').update(encoded).digest();
  if (hash !== `z${bs58.encode(Uint8Array.from([0x12, 0x20, ...digest]))}`) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: the hash does not match the encoded document`);
  const bytes = bs58.decode(encoded.slice(1));
  if (bytes[0] !== JSON_MULTICODEC[0] || bytes[1] !== JSON_MULTICODEC[1]) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: the encoded document is not JSON (multicodec 0x0200)`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes.subarray(2)).toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: the encoded document is not JSON`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: the encoded document is not a JSON object`);
  return readDidDocument(did, doc);
}

/** did:peer:2 or long-form did:peer:4, the two forms DIDComm v1 agents exchange today. */
export function resolvePeerDid(did: string): ResolvedPeerDid {
  if (did.startsWith('did:peer:2')) return resolvePeerDid2(did);
  if (did.startsWith('did:peer:4')) return resolvePeerDid4(did);
  throw new EnvelopeError('ENVELOPE_BAD_KEY', `${JSON.stringify(did.slice(0, 40))}: agtest resolves did:peer:2 and long-form did:peer:4 from the DID alone; other DIDs (did:peer:1, unqualified) need their document (did_doc~attach)`);
}
