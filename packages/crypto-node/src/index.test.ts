import { nobleCrypto, nobleSigner, sealEnvelope, openEnvelope } from '@weft/core'
import { describe, expect, it } from 'vitest'
import { generateSeed, nodeCrypto, nodeSigner } from './index.ts'

describe('@weft/crypto-node', () => {
  it('agrees with @noble on keys, signatures and hashes', async () => {
    for (let i = 0; i < 20; i++) {
      const seed = generateSeed()
      const n = nodeSigner(seed)
      const p = nobleSigner(seed)
      expect(Buffer.from(n.publicKey).toString('hex')).toBe(Buffer.from(p.publicKey).toString('hex'))
      const data = generateSeed()
      const sig = await n.sign(data)
      expect(Buffer.from(sig).toString('hex')).toBe(Buffer.from(await p.sign(data)).toString('hex'))
      expect(nodeCrypto().verify(n.publicKey, data, sig)).toBe(true)
      expect(nobleCrypto().verify(n.publicKey, data, sig)).toBe(true)
      expect(Buffer.from(nodeCrypto().sha256(data)).toString('hex')).toBe(Buffer.from(nobleCrypto().sha256(data)).toString('hex'))
    }
  })

  it('returns false, never throws, for bad keys and signatures', () => {
    const c = nodeCrypto({ keyCache: 2 })
    const s = nodeSigner(generateSeed())
    const data = Uint8Array.of(1, 2, 3)
    const sig = s.sign(data) as Uint8Array
    expect(c.verify(new Uint8Array(31), data, sig)).toBe(false)
    expect(c.verify(s.publicKey, data, sig.subarray(0, 63))).toBe(false)
    expect(c.verify(new Uint8Array(32).fill(0xff), data, sig)).toBe(false)
    const flipped = Uint8Array.from(sig)
    flipped[0]! ^= 1
    expect(c.verify(s.publicKey, data, flipped)).toBe(false)
    for (let i = 0; i < 5; i++) expect(c.verify(nodeSigner(generateSeed()).publicKey, data, sig)).toBe(false) // cache eviction path
    expect(c.verify(s.publicKey, data, sig)).toBe(true)
  })

  it('opens envelopes sealed by the other implementation', async () => {
    const seed = generateSeed()
    const env = await sealEnvelope({ network: 'n', topic: 't', seq: 1, time: 0, context: { full: false, deps: [] }, payload: new Uint8Array(10) }, nobleSigner(seed), nobleCrypto())
    const opened = await openEnvelope(env.bytes, { crypto: nodeCrypto(), network: 'n' })
    expect(opened.id).toBe(env.id)
  })
})

describe('@weft/crypto-node off the main thread', () => {
  it('verifies on the thread pool with the same answers', async () => {
    const c = nodeCrypto({ offThread: true })
    const s = nodeSigner(generateSeed())
    const data = generateSeed()
    const sig = await s.sign(data)
    const good = c.verify(s.publicKey, data, sig)
    expect(good).toBeInstanceOf(Promise)
    expect(await good).toBe(true)
    const bad = Uint8Array.from(sig)
    bad[5]! ^= 1
    expect(await c.verify(s.publicKey, data, bad)).toBe(false)
    expect(await c.verify(new Uint8Array(32).fill(0xff), data, sig)).toBe(false)
    expect(c.verify(s.publicKey, data, sig.subarray(1))).toBe(false)
  })
})
