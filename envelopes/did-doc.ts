import { createHash } from 'node:crypto';
import bs58 from 'bs58';
import { EnvelopeError } from './errors.js';
import { decodeVerkey, didKeyToVerkey } from './keys.js';
import type { ResolvedPeerDid, ResolvedService } from './did-peer.js';

const BASE58_VERKEY = /^[1-9A-HJ-NP-Za-km-z]{43,44}$/;
const RELATIONSHIPS = ['verificationMethod', 'publicKey', 'authentication', 'assertionMethod', 'keyAgreement', 'capabilityInvocation', 'capabilityDelegation'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `#frag` of a key reference (`#1`, `did:x:y#1`, `did:x:y;spec#1` ...); '' when it has none. */
const fragmentOf = (ref: string): string => (ref.includes('#') ? `#${ref.split('#').pop() ?? ''}` : '');

/** An Ed25519 verification method's key (publicKeyBase58 or a z6Mk publicKeyMultibase). */
export function ed25519Of(method: Record<string, unknown>): string | undefined {
  if (typeof method['publicKeyBase58'] === 'string' && String(method['type']).startsWith('Ed25519')) return method['publicKeyBase58'];
  const multibase = method['publicKeyMultibase'];
  if (typeof multibase === 'string' && multibase.startsWith('z6Mk')) return didKeyToVerkey(`did:key:${multibase}`);
  return undefined;
}

/**
 * Reads the Ed25519 keys and DIDComm services of a DID document: DID Core (`verificationMethod`,
 * methods embedded in relationships) or the legacy form DIDComm v1 agents exchanged in Aries RFC
 * 0160 / RFC 0067 (`publicKey`, `authentication: [{publicKey: ref}]`, `IndyAgent` or
 * `did-communication` services whose `recipientKeys` are raw base58 verkeys). A service key may be
 * a reference to a method of the document, a did:key, or (legacy) a base58 verkey.
 * Throws ENVELOPE_BAD_KEY naming the key it cannot read.
 */
export function readDidDocument(did: string, doc: Record<string, unknown>): ResolvedPeerDid {
  const methods = new Map<string, string>();
  const embedded = RELATIONSHIPS.flatMap((name) => (Array.isArray(doc[name]) ? (doc[name] as unknown[]) : [])).filter(isObject);
  for (const method of embedded) {
    const verkey = ed25519Of(method);
    const id = String(method['id'] ?? '');
    if (verkey && id) methods.set(fragmentOf(id) || id, verkey);
  }
  const keyOf = (ref: unknown): string => {
    if (typeof ref === 'string' && ref.startsWith('did:key:')) return didKeyToVerkey(ref);
    if (typeof ref === 'string' && BASE58_VERKEY.test(ref)) {
      decodeVerkey(ref);
      return ref;
    }
    const verkey = typeof ref === 'string' ? (methods.get(fragmentOf(ref)) ?? methods.get(ref)) : undefined;
    if (!verkey) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did.slice(0, 40)}…: key ${JSON.stringify(ref)} is not an Ed25519 key of the document`);
    return verkey;
  };
  const authentication = Array.isArray(doc['authentication']) ? (doc['authentication'] as unknown[]) : [];
  const verkeys = authentication.flatMap((entry) => {
    if (typeof entry === 'string') return methods.has(fragmentOf(entry)) ? [methods.get(fragmentOf(entry))!] : [];
    if (!isObject(entry)) return [];
    // Legacy: {"type": "Ed25519SignatureAuthentication2018", "publicKey": "<did>#1"}.
    if (typeof entry['publicKey'] === 'string') return methods.has(fragmentOf(entry['publicKey'])) ? [methods.get(fragmentOf(entry['publicKey']))!] : [];
    const verkey = ed25519Of(entry);
    return verkey ? [verkey] : [];
  });
  const all = verkeys.length > 0 ? verkeys : [...methods.values()].slice(0, 1);
  const services = (Array.isArray(doc['service']) ? doc['service'].filter(isObject) : []).map((service, index): ResolvedService => {
    const endpoint = service['serviceEndpoint'];
    const uri = typeof endpoint === 'string' ? endpoint : isObject(endpoint) ? endpoint['uri'] : undefined;
    const id = String(service['id'] ?? `#${index}`);
    return {
      id: id.startsWith('did:') ? id : `${did}${id.startsWith('#') ? '' : '#'}${id}`,
      type: String(service['type'] ?? ''),
      serviceEndpoint: typeof uri === 'string' ? uri : '',
      recipientKeys: Array.isArray(service['recipientKeys']) ? service['recipientKeys'].map(keyOf) : all.slice(0, 1),
      routingKeys: Array.isArray(service['routingKeys']) ? service['routingKeys'].map(keyOf) : [],
    };
  });
  return { did, verkeys: all, services };
}

/** The did:peer:1 numeric basis of some bytes: multibase base58btc of the SHA-256 multihash (0x12 0x20). */
function peerDid1Of(bytes: Uint8Array | string): string {
  const digest = createHash('sha256').update(bytes).digest();
  return `did:peer:1z${bs58.encode(Uint8Array.from([0x12, 0x20, ...digest]))}`;
}

/**
 * A did:peer:1 (numalgo 1, "genesis doc") for one Ed25519 key and one DIDComm v1 endpoint: the DID
 * is the SHA-256 of the stored variant of the document (the document without its `id`). Returns
 * the resolved variant (`id` first, so that dropping it gives the stored variant's JSON back).
 */
export function createPeerDid1(verkey: string, endpoint: string): { did: string; doc: Record<string, unknown> } {
  const stored = legacyShapedDoc(verkey, endpoint, '#key-1');
  const did = peerDid1Of(JSON.stringify(stored));
  return { did, doc: { id: did, ...stored } };
}

/**
 * An unqualified DID (the Indy convention: base58 of the verkey's first 16 bytes) and its DID
 * document in the form Aries RFC 0160 connections carry (`publicKey`, `authentication`, and an
 * `IndyAgent`-style service with raw base58 keys).
 */
export function createUnqualifiedDid(verkey: string, endpoint: string): { did: string; doc: Record<string, unknown> } {
  const did = bs58.encode(decodeVerkey(verkey).subarray(0, 16));
  const doc = {
    '@context': 'https://w3id.org/did/v1',
    id: did,
    publicKey: [{ id: `${did}#1`, type: 'Ed25519VerificationKey2018', controller: did, publicKeyBase58: verkey }],
    authentication: [{ type: 'Ed25519SignatureAuthentication2018', publicKey: `${did}#1` }],
    service: [{ id: `${did};indy`, type: 'IndyAgent', priority: 0, recipientKeys: [verkey], routingKeys: [], serviceEndpoint: endpoint }],
  };
  return { did, doc };
}

function legacyShapedDoc(verkey: string, endpoint: string, keyId: string): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    verificationMethod: [{ id: keyId, type: 'Ed25519VerificationKey2018', controller: '#id', publicKeyBase58: verkey }],
    authentication: [keyId],
    service: [{ id: '#did-communication', type: 'did-communication', priority: 0, recipientKeys: [keyId], routingKeys: [], serviceEndpoint: endpoint }],
  };
}

/**
 * Checks that a did:peer:1 is derived from `document` (did:peer spec, "Method 1: genesis doc":
 * the numeric basis is the SHA-256 of the bytes of the stored variant, the document without its
 * `id`). The bytes as sent are tried first (a stored variant), then the JSON of the document with
 * its `id` dropped (a resolved variant, serialized again without whitespace).
 */
export function peerDid1MatchesDocument(did: string, bytes: Uint8Array | undefined, doc: Record<string, unknown>): boolean {
  const storedJson = JSON.stringify({ ...doc, id: undefined });
  return (bytes !== undefined && peerDid1Of(bytes) === did) || peerDid1Of(storedJson) === did;
}

/**
 * The keys and services of a DID whose document came with it (a verified `did_doc~attach`, a
 * connection's `DIDDoc`): the document must be JSON; a did:peer:1 must be derived from it; a
 * document naming another DID in its `id` is refused. Throws ENVELOPE_BAD_KEY with the reason.
 */
export function resolveDidWithDocument(did: string, document: Uint8Array | Record<string, unknown>): ResolvedPeerDid {
  let doc: unknown = document;
  const bytes = document instanceof Uint8Array ? document : undefined;
  if (bytes) {
    try {
      doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (cause) {
      throw new EnvelopeError('ENVELOPE_BAD_KEY', `the DID document of ${did.slice(0, 40)} is not JSON`, { cause });
    }
  }
  if (!isObject(doc)) throw new EnvelopeError('ENVELOPE_BAD_KEY', `the DID document of ${did.slice(0, 40)} is not a JSON object`);
  if (/^did:peer:1/.test(did)) {
    if (!/^did:peer:1z[1-9A-HJ-NP-Za-km-z]{46,47}$/.test(did)) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${JSON.stringify(did.slice(0, 60))} is not a did:peer:1 (did:peer:1z + base58btc SHA-256 multihash)`);
    if (!peerDid1MatchesDocument(did, bytes, doc)) {
      throw new EnvelopeError('ENVELOPE_BAD_KEY', `${did} is not derived from its document: the SHA-256 of the stored variant (the document without id) gives ${peerDid1Of(JSON.stringify({ ...doc, id: undefined }))} (did:peer spec, Method 1: genesis doc)`);
    }
  }
  const id = doc['id'];
  if (typeof id === 'string' && id !== did && id !== `did:sov:${did}` && `did:sov:${id}` !== did) {
    throw new EnvelopeError('ENVELOPE_BAD_KEY', `the DID document's id ${JSON.stringify(id.slice(0, 60))} is not the DID ${did.slice(0, 60)}`);
  }
  return readDidDocument(did, doc);
}
