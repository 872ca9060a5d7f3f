/**
 * Pure-JavaScript Ed25519 and SHA-256 (@noble/curves, @noble/hashes): runs on
 * every platform, slower than node:crypto or WebCrypto.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { InvalidArgumentError } from '../errors.ts'
import type { CryptoSuite, Signer } from './crypto.ts'

/** A CryptoSuite on @noble: strict RFC 8032 verification (no ZIP-215 leniency), so it agrees with OpenSSL. */
export function nobleCrypto (): CryptoSuite {
  return {
    sha256: (data) => sha256(data),
    verify: (publicKey, data, signature) => {
      try {
        return ed25519.verify(signature, data, publicKey, { zip215: false })
      } catch {
        return false
      }
    }
  }
}

/** A Signer for a 32-byte Ed25519 secret seed. The core has no randomness: make the seed with a CSPRNG. */
export function nobleSigner (secretSeed: Uint8Array): Signer {
  if (secretSeed.length !== 32) throw new InvalidArgumentError('an Ed25519 secret seed has 32 bytes')
  const seed = Uint8Array.from(secretSeed)
  return {
    publicKey: ed25519.getPublicKey(seed),
    sign: (data) => ed25519.sign(data, seed)
  }
}
