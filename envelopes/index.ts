/**
 * DIDComm v1 envelopes (Aries RFC 0019) and the Ed25519 keys / did:key DIDs they use. Library
 * code: no I/O; call `loadCrypto()` once before packing or unpacking.
 */
export { packRfc0019, unpackRfc0019, looksLikeRfc0019, RFC0019_ENC, RFC0019_TYP } from './rfc0019.js';
export type { Rfc0019Envelope, UnpackedMessage } from './rfc0019.js';
export { createKeyPair, createKeyPairSync, loadCrypto, verkeyToDidKey, didKeyToVerkey, decodeVerkey } from './keys.js';
export type { KeyPair } from './keys.js';
export { EnvelopeError } from './errors.js';
export type { EnvelopeErrorCode } from './errors.js';
export { createPeerDid2, resolvePeerDid, resolvePeerDid2, resolvePeerDid4 } from './did-peer.js';
export type { ResolvedPeerDid, ResolvedService } from './did-peer.js';
export { signAttachment, verifyAttachment } from './signed-attachment.js';
export type { SignedAttachment, VerifiedAttachment } from './signed-attachment.js';
export { createPeerDid1, createUnqualifiedDid, readDidDocument, resolveDidWithDocument, peerDid1MatchesDocument } from './did-doc.js';
export { signField, verifySignedField, ED25519_SHA512_SINGLE } from './signed-field.js';
export type { SignedField, VerifiedField } from './signed-field.js';
