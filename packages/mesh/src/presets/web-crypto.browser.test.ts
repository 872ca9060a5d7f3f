// WebCrypto Ed25519 (Chromium's BoringSSL) must agree with @noble strict, the reference every
// other weft peer matches: same signatures, same verdicts on valid, mutated and malformed input.
import { ed25519 } from '@noble/curves/ed25519.js'
import { nobleCrypto, nobleSigner } from '@weft/core'
import { describe, expect, it } from 'vitest'
import { isAcceptableKey, webCryptoEd25519 } from './web-crypto.ts'

const noble = nobleCrypto()
const L = (1n << 252n) + 27742317777372353535851937790883648493n
const P = (1n << 255n) - 19n

function le (n: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn)
  return out
}
function fromLe (b: Uint8Array): bigint {
  let n = 0n
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!)
  return n
}

describe('WebCrypto Ed25519 (browser preset)', () => {
  it('signs exactly as @noble and verifies what @noble verifies, across 100 keys and messages', async () => {
    for (let i = 0; i < 100; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(32))
      const web = (await webCryptoEd25519(seed))!
      expect(web).toBeDefined()
      const reference = nobleSigner(seed)
      expect(web.signer.publicKey).toEqual(reference.publicKey)
      const msg = crypto.getRandomValues(new Uint8Array(i * 13))
      const sig = await web.signer.sign(msg)
      expect(sig).toEqual(reference.sign(msg))
      expect(await web.crypto.verify(reference.publicKey, msg, sig)).toBe(true)
      // one flipped bit anywhere: both refuse
      for (const target of ['sig', 'msg', 'key'] as const) {
        const s = Uint8Array.from(sig)
        const m = Uint8Array.from(msg)
        const k = Uint8Array.from(reference.publicKey)
        const buf = target === 'sig' ? s : target === 'msg' ? m : k
        if (buf.length === 0) continue
        const at = (i * 7) % buf.length
        buf[at]! ^= 1 << (i % 8)
        expect(await web.crypto.verify(k, m, s)).toBe(noble.verify(k, m, s))
        expect(await web.crypto.verify(k, m, s)).toBe(false)
      }
    }
  })

  it('refuses S >= L (malleability), as @noble strict does', async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32))
    const web = (await webCryptoEd25519(seed))!
    const msg = new TextEncoder().encode('malleable?')
    let refused = 0
    for (let i = 0; i < 20; i++) {
      const m = Uint8Array.from([...msg, i])
      const sig = await web.signer.sign(m)
      const s = fromLe(sig.subarray(32))
      if (s + L >= 1n << 256n) continue
      const bad = Uint8Array.from([...sig.subarray(0, 32), ...le(s + L)])
      expect(noble.verify(web.signer.publicKey, m, bad)).toBe(false)
      expect(await web.crypto.verify(web.signer.publicKey, m, bad)).toBe(false)
      refused++
    }
    expect(refused).toBeGreaterThan(15)
  })

  it('refuses non-canonical public key encodings that BoringSSL would read', async () => {
    const web = (await webCryptoEd25519(new Uint8Array(32).fill(7)))!
    const msg = new Uint8Array([1, 2, 3])
    const sig = await web.signer.sign(msg)
    const nonCanonical = [
      le(P), le(P + 1n), le(P + 18n), // y >= p
      (() => { const k = le(1n); k[31]! |= 0x80; return k })(), // y = 1, x = 0 with the sign bit
      (() => { const k = le(P - 1n); k[31]! |= 0x80; return k })() // y = -1, x = 0 with the sign bit
    ]
    for (const key of nonCanonical) {
      expect(isAcceptableKey(key)).toBe(false)
      expect(await web.crypto.verify(key, msg, sig)).toBe(false)
      expect(noble.verify(key, msg, sig)).toBe(false)
    }
    expect(isAcceptableKey(web.signer.publicKey)).toBe(true)
  })

  it('refuses forgeries with small-order keys, which WebCrypto alone accepts', async () => {
    const web = (await webCryptoEd25519(new Uint8Array(32).fill(3)))!
    const msg = new TextEncoder().encode('anything at all')
    // with A = identity, R = [S]B verifies for every message (cofactorless check)
    const S = 1234567n
    const sig = Uint8Array.from([...ed25519.Point.BASE.multiply(S).toBytes(), ...le(S)])
    // the identity, canonical and not (y = p + 1 reads as y = 1 in BoringSSL)
    for (const key of [le(1n), le(P + 1n)]) {
      expect(isAcceptableKey(key)).toBe(false)
      expect(noble.verify(key, msg, sig)).toBe(false)
      expect(await web.crypto.verify(key, msg, sig)).toBe(false)
      // why the check exists: WebCrypto on its own takes the forgery
      const raw = await crypto.subtle.importKey('raw', Uint8Array.from(key), { name: 'Ed25519' }, false, ['verify'])
      expect(await crypto.subtle.verify({ name: 'Ed25519' }, raw, Uint8Array.from(sig), Uint8Array.from(msg))).toBe(true)
    }
    // every small-order point (the 8-torsion) is refused
    const torsion = ed25519.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')
    let t = ed25519.Point.ZERO
    for (let i = 0; i < 8; i++, t = t.add(torsion)) expect(isAcceptableKey(t.toBytes())).toBe(false)
  })

  it('returns false, never throws, for keys and signatures of the wrong size or off the curve', async () => {
    const web = (await webCryptoEd25519(new Uint8Array(32).fill(9)))!
    const msg = new Uint8Array([4])
    const sig = await web.signer.sign(msg)
    expect(await web.crypto.verify(new Uint8Array(31), msg, sig)).toBe(false)
    expect(await web.crypto.verify(web.signer.publicKey, msg, sig.subarray(1))).toBe(false)
    // a y with no x on the curve: not a point
    let tried = 0
    for (let y = 2n; y < 200n && tried === 0; y++) {
      const key = le(y)
      try {
        ed25519.Point.fromBytes(key)
      } catch {
        tried++
        expect(await web.crypto.verify(key, msg, sig)).toBe(false)
      }
    }
    expect(tried).toBe(1)
  })
})
