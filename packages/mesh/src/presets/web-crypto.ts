/**
 * Ed25519 through the browser's WebCrypto (native: about 50 µs per signature or
 * verification in Chromium here, against about 500 µs for the pure-JavaScript @noble
 * fallback). SHA-256 stays synchronous (@noble), as CryptoSuite asks.
 *
 * Verification must agree with every other weft peer (@noble strict and OpenSSL on
 * Node): RFC 8032 without ZIP-215 leniency. BoringSSL's verification (Chromium's
 * WebCrypto) refuses S >= L and non-canonical R like they do, but takes public keys
 * they refuse: non-canonical encodings (y >= p; x = 0 with the sign bit) and
 * small-order points, with which anyone can forge. Each key is checked once with
 * @noble (isAcceptableKey) before WebCrypto sees it.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { nobleCrypto } from '@weft/core'
import type { CryptoSuite, Signer } from '@weft/core'

/** Public keys kept imported. */
export const WEB_CRYPTO_KEY_CACHE = 4096

const ED25519 = { name: 'Ed25519' }
// PKCS#8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows.
const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

/**
 * True when `key` is a public key the reference verifiers accept at all: a canonical
 * encoding (RFC 8032 decoding) of a point that is not of small order (@noble strict and
 * OpenSSL both refuse signatures by small-order keys; BoringSSL does not). About 100 µs,
 * done once per key.
 */
export function isAcceptableKey (key: Uint8Array): boolean {
  if (key.length !== 32) return false
  try {
    return !ed25519.Point.fromBytes(key, false).isSmallOrder()
  } catch {
    return false
  }
}

/**
 * A CryptoSuite and a Signer on WebCrypto Ed25519, or undefined when this browser
 * has no Ed25519 in WebCrypto (use nobleCrypto / nobleSigner then).
 */
export async function webCryptoEd25519 (secretSeed: Uint8Array): Promise<{ crypto: CryptoSuite, signer: Signer } | undefined> {
  const subtle = globalThis.crypto?.subtle
  if (subtle === undefined || secretSeed.length !== 32) return undefined
  let privateKey: CryptoKey
  let publicKey: Uint8Array
  try {
    privateKey = await subtle.importKey('pkcs8', Uint8Array.from([...PKCS8_PREFIX, ...secretSeed]), ED25519, true, ['sign'])
    const jwk = await subtle.exportKey('jwk', privateKey)
    publicKey = fromBase64Url(jwk.x!)
  } catch {
    return undefined
  }
  const noble = nobleCrypto()
  const keys = new Map<string, Promise<CryptoKey | undefined>>()
  const keyFor = (raw: Uint8Array): Promise<CryptoKey | undefined> => {
    const id = String.fromCharCode(...raw)
    let key = keys.get(id)
    if (key === undefined) {
      key = isAcceptableKey(raw) ? subtle.importKey('raw', Uint8Array.from(raw), ED25519, false, ['verify']) : Promise.resolve(undefined)
      if (keys.size >= WEB_CRYPTO_KEY_CACHE) keys.delete(keys.keys().next().value!)
      keys.set(id, key)
    }
    return key
  }
  const crypto: CryptoSuite = {
    sha256: noble.sha256,
    verify: async (key, data, signature) => {
      if (signature.length !== 64 || key.length !== 32) return false
      try {
        const imported = await keyFor(key)
        return imported !== undefined && await subtle.verify(ED25519, imported, Uint8Array.from(signature), Uint8Array.from(data))
      } catch {
        keys.delete(String.fromCharCode(...key))
        return false
      }
    }
  }
  const signer: Signer = {
    publicKey,
    sign: async (data) => new Uint8Array(await subtle.sign(ED25519, privateKey, Uint8Array.from(data)))
  }
  return { crypto, signer }
}

function fromBase64Url (s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(bin, c => c.charCodeAt(0))
}
