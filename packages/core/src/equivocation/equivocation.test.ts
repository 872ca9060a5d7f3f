import { describe, expect, it } from 'vitest'
import { proveEquivocation, verifyEquivocationProof } from './equivocation.ts'
import { NETWORK, TestAuthor, crypto } from '../testing/authors.ts'

describe('equivocation proofs', () => {
  it('anyone can verify a proof with the author key alone', async () => {
    const alice = new TestAuthor(21)
    const first = await alice.publish('one')
    alice.seq = 0
    const second = await alice.publish('two')
    const proof = proveEquivocation(first, second)
    const err = await verifyEquivocationProof(proof, { crypto, network: NETWORK })
    expect(err.name).toBe('EquivocationError')
    expect(err.message).toContain(alice.id)
  })

  it('refuses non-proofs', async () => {
    const alice = new TestAuthor(22)
    const bob = new TestAuthor(23)
    const a1 = await alice.publish('a1')
    const a2 = await alice.publish('a2')
    const b1 = await bob.publish('b1')
    expect(() => proveEquivocation(a1, a1)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => proveEquivocation(a1, a2)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => proveEquivocation(a1, b1)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    // a forged second message (signature of another key) does not verify
    const forged = { author: alice.id, topic: a1.topic, seq: 1, first: a1.bytes, second: b1.bytes }
    await expect(verifyEquivocationProof(forged, { crypto, network: NETWORK })).rejects.toHaveProperty('name', 'AuthorMismatchError')
    const tampered = Uint8Array.from(a2.bytes)
    tampered[tampered.length - 1]! ^= 1
    await expect(verifyEquivocationProof({ ...forged, second: tampered }, { crypto, network: NETWORK })).rejects.toHaveProperty('name', 'BadSignatureError')
  })
})
