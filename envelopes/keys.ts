import bs58 from 'bs58';
import sodium from 'libsodium-wrappers';
import { EnvelopeError } from './errors.js';

/** An Ed25519 key pair; `verkey` is the base58 public key RFC 0019 puts in `kid` and `sender`. */
export interface KeyPair {
  verkey: string;
  publicKey: Uint8Array;
  /** libsodium's 64-byte secret key (seed + public key). */
  secretKey: Uint8Array;
}

/** libsodium loads a WebAssembly module once; every other function here assumes it is loaded. */
export async function loadCrypto(): Promise<void> {
  await sodium.ready;
}

export async function createKeyPair(seed?: Uint8Array): Promise<KeyPair> {
  await sodium.ready;
  if (seed !== undefined && seed.length !== sodium.crypto_sign_SEEDBYTES) throw new EnvelopeError('ENVELOPE_BAD_KEY', `a key seed is ${sodium.crypto_sign_SEEDBYTES} bytes, got ${seed.length}`);
  const pair = seed ? sodium.crypto_sign_seed_keypair(seed) : sodium.crypto_sign_keypair();
  return { verkey: bs58.encode(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.privateKey };
}

export function decodeVerkey(verkey: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(verkey);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_BAD_KEY', `verkey ${JSON.stringify(verkey.slice(0, 60))} is not base58`, { cause });
  }
  if (bytes.length !== 32) throw new EnvelopeError('ENVELOPE_BAD_KEY', `verkey ${JSON.stringify(verkey.slice(0, 60))} is ${bytes.length} bytes, an Ed25519 public key is 32`);
  return bytes;
}

/** Multicodec prefix of an Ed25519 public key (varint 0xed): did:key's `z6Mk…` form. */
const ED25519_PUB = [0xed, 0x01];

/** `did:key:z6Mk…` for an Ed25519 verkey (W3C CCG did:key, multibase base58btc). */
export function verkeyToDidKey(verkey: string): string {
  const key = decodeVerkey(verkey);
  return `did:key:z${bs58.encode(Uint8Array.from([...ED25519_PUB, ...key]))}`;
}

export function didKeyToVerkey(didKey: string): string {
  const match = /^did:key:z([1-9A-HJ-NP-Za-km-z]+)(#.*)?$/.exec(didKey);
  if (!match) throw new EnvelopeError('ENVELOPE_BAD_KEY', `${JSON.stringify(didKey.slice(0, 80))} is not a base58btc did:key`);
  const bytes = bs58.decode(match[1]!);
  if (bytes.length !== 34 || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) {
    throw new EnvelopeError('ENVELOPE_BAD_KEY', `${JSON.stringify(didKey.slice(0, 80))} is not an Ed25519 did:key (multicodec 0xed01, 32 bytes)`);
  }
  return bs58.encode(bytes.subarray(2));
}

/** createKeyPair for code that cannot await: libsodium must already be loaded (loadCrypto). */
export function createKeyPairSync(): KeyPair {
  const pair = sodium.crypto_sign_keypair();
  return { verkey: bs58.encode(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.privateKey };
}
