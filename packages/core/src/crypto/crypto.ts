/**
 * The cryptography the core needs, injected so that each platform can bring
 * its fastest implementation: `nobleCrypto()` (pure JS, everywhere) from this
 * package, `nodeCrypto()` from `@weft/crypto-node` (node:crypto with cached
 * key objects). Results may be sync or async; the core awaits either.
 */

/** Hashing and signature checking. */
export interface CryptoSuite {
  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Uint8Array
  /** True if `signature` is a valid Ed25519 signature of `data` by `publicKey` (RFC 8032 strict). Never throws for bad input: returns false. */
  verify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>
}

/** An author's signing key. */
export interface Signer {
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array
  /** The 64-byte Ed25519 signature of `data`. */
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>
}
