/**
 * @packageDocumentation
 *
 * Ed25519 and SHA-256 for weft on Node.js through `node:crypto`, with key
 * objects cached: rebuilding a key per call (as `@libp2p/crypto` does) costs
 * about twice the signature itself (PERF-NOTES.md, finding 1).
 *
 * @example
 * ```ts
 * import { nodeCrypto, nodeSigner, generateSeed } from '@weft/crypto-node'
 * const crypto = nodeCrypto()
 * const signer = nodeSigner(generateSeed())
 * ```
 */
import { createPrivateKey, createPublicKey, hash, randomBytes, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { CryptoSuite, Signer } from '@weft/core'

// DER prefixes of an Ed25519 SubjectPublicKeyInfo and of a PKCS#8 private key (RFC 8410).
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

export interface NodeCryptoInit {
  /** Public key objects kept. @default 4096 */
  keyCache?: number
  /**
   * Verify on libuv's thread pool (node:crypto's callback form): the event loop stays free and,
   * on a machine with more than one core, verification runs beside it. Costs ~10 µs of hand-off
   * per call, so it pays off only when there is other work to overlap. @default false
   */
  offThread?: boolean
}

/** A CryptoSuite on node:crypto (OpenSSL). */
export function nodeCrypto (init: NodeCryptoInit = {}): CryptoSuite {
  const max = init.keyCache ?? 4096
  const keys = new Map<string, KeyObject>()
  const keyFor = (publicKey: Uint8Array): KeyObject => {
    const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex')
    let key = keys.get(hex)
    if (key === undefined) {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
      if (keys.size >= max) keys.delete(keys.keys().next().value!)
      keys.set(hex, key)
    }
    return key
  }
  return {
    // the one-shot form: ~40% less than createHash().update().digest() for the 32 B to 1 KiB hashed per message
    sha256: (data) => hash('sha256', data, 'buffer'),
    verify: (publicKey, data, signature) => {
      if (publicKey.length !== 32 || signature.length !== 64) return false
      let key: KeyObject
      try {
        key = keyFor(publicKey)
      } catch {
        return false
      }
      if (init.offThread !== true) {
        try {
          return verify(null, data, key, signature)
        } catch {
          return false
        }
      }
      return new Promise<boolean>(resolve => {
        try {
          verify(null, data, key, signature, (err, ok) => resolve(err === null && ok))
        } catch {
          resolve(false)
        }
      })
    }
  }
}

/** A Signer for a 32-byte Ed25519 secret seed. */
export function nodeSigner (secretSeed: Uint8Array): Signer {
  if (secretSeed.length !== 32) throw new TypeError('an Ed25519 secret seed has 32 bytes')
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretSeed]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length))
  return {
    publicKey,
    sign: (data) => new Uint8Array(sign(null, data, privateKey))
  }
}

/** 32 random bytes from the OS CSPRNG: a new Ed25519 secret seed. */
export function generateSeed (): Uint8Array {
  return new Uint8Array(randomBytes(32))
}
