/**
 * Batch signatures (batch.ts, sealBatch): every envelope of a batch opens on its
 * own, a batch costs one signature check per 16 messages with a shared
 * VerifiedBatches, and no change to a batch-signed envelope (a bit anywhere, a
 * body moved to another place in the tree, a signature used in the other mode)
 * opens as valid. Fixed fast-check seed: deterministic.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_BATCH_DEPTH } from '../constants.ts'
import { nobleSigner } from '../crypto/noble.ts'
import { proveEquivocation, verifyEquivocationProof } from '../equivocation/equivocation.ts'
import { isRejection } from '../errors.ts'
import { fromHex, toHex, utf8 } from '../util/bytes.ts'
import { NETWORK, TOPIC, crypto, seedOf } from '../testing/authors.ts'
import { VerifiedBatches, batchRoot, batchSigningBytes } from './batch.ts'
import { decodeEnvelope, encodeEnvelope } from './codec.ts'
import { openEnvelope, sealBatch, sealEnvelope, signingBytes } from './seal.ts'
import type { CryptoSuite } from '../crypto/crypto.ts'
import type { EnvelopeInput } from './envelope.ts'

const run = { seed: 0xba7c4, endOnFailure: true }
const signer = nobleSigner(seedOf(1))
const input = (seq: number, text = `m${seq}`): EnvelopeInput => ({ network: NETWORK, topic: TOPIC, seq, time: 1_700_000_000_000 + seq, context: { full: false, deps: [] }, payload: utf8(text) })
const inputs = (n: number, first = 1): EnvelopeInput[] => Array.from({ length: n }, (_, i) => input(first + i))

/** The crypto suite, counting signature checks. */
function counting (): CryptoSuite & { verifies: number } {
  const c = {
    verifies: 0,
    sha256: (data: Uint8Array) => crypto.sha256(data),
    verify: (key: Uint8Array, data: Uint8Array, sig: Uint8Array) => {
      c.verifies++
      return crypto.verify(key, data, sig)
    }
  }
  return c
}

async function outcome (bytes: Uint8Array, verifiedBatches?: VerifiedBatches): Promise<string> {
  try {
    await openEnvelope(bytes, { crypto, network: NETWORK, topic: TOPIC, verifiedBatches })
    return 'valid'
  } catch (err) {
    if (!isRejection(err)) throw err
    return err.name
  }
}

describe('batch signatures', () => {
  it('match the golden batch in docs/golden/batch-v1.json, its root recomputed here from the spec', async () => {
    const doc = JSON.parse(readFileSync(new URL('../../../../docs/golden/batch-v1.json', import.meta.url), 'utf8')) as {
      seed: string, root: string, signature: string, vectors: Array<{ envelope: string, id: string, input: { network: string, topic: string, seq: number, time: number, payloadHex: string } }>
    }
    const s = nobleSigner(fromHex(doc.seed))
    const sealed = await sealBatch(doc.vectors.map(v => ({ network: v.input.network, topic: v.input.topic, seq: v.input.seq, time: v.input.time, context: { full: false, deps: [] }, payload: fromHex(v.input.payloadHex), contentType: '' })), s, crypto)
    expect(sealed.map(e => toHex(e.bytes))).toEqual(doc.vectors.map(v => v.envelope))
    expect(sealed.map(e => e.id)).toEqual(doc.vectors.map(v => v.id))
    // the spec by hand: three leaves and an empty slot under a tree of depth 2
    const leaf = (body: Uint8Array): Uint8Array => crypto.sha256(Uint8Array.from([0, ...body]))
    const node = (l: Uint8Array, r: Uint8Array): Uint8Array => crypto.sha256(Uint8Array.from([1, ...l, ...r]))
    const [l0, l1, l2] = sealed.map(e => leaf(decodeEnvelope(e.bytes).body))
    expect(toHex(node(node(l0!, l1!), node(l2!, new Uint8Array(32))))).toBe(doc.root)
    expect(await crypto.verify(s.publicKey, Uint8Array.from([...utf8('weft-batch:'), ...fromHex(doc.root)]), fromHex(doc.signature))).toBe(true)
    for (const v of doc.vectors) expect((await openEnvelope(fromHex(v.envelope), { crypto, network: v.input.network })).id).toBe(v.id)
  })

  it('each envelope of a batch opens alone, in groups of 16 under one signature; a group of one is signed alone', async () => {
    for (const n of [1, 2, 3, 16, 17, 40]) {
      const envs = await sealBatch(inputs(n), signer, crypto)
      expect(envs.map(e => e.seq)).toEqual(inputs(n).map(i => i.seq))
      for (const [i, env] of envs.entries()) {
        const opened = await openEnvelope(env.bytes, { crypto, network: NETWORK, topic: TOPIC })
        expect(opened).toEqual(env) // the sealed envelope, built without decoding, is what a receiver decodes
        expect(opened.seq).toBe(i + 1)
        const batch = decodeEnvelope(env.bytes).batch
        const groupSize = Math.min(16, n - Math.floor(i / 16) * 16)
        if (groupSize === 1) {
          expect(batch).toBeUndefined()
          expect(env.bytes).toEqual((await sealEnvelope(input(i + 1), signer, crypto)).bytes) // exactly a lone envelope
        } else {
          expect(batch?.index).toBe(i % 16)
          expect(batch?.path.length).toBe(32 * Math.ceil(Math.log2(groupSize)))
        }
      }
      expect(new Set(envs.map(e => e.id)).size).toBe(n)
    }
  })

  it('with a shared VerifiedBatches, a batch of 40 costs 3 signature checks, not 40, also opened all at once', async () => {
    const envs = await sealBatch(inputs(40), signer, crypto)
    const c = counting()
    const cache = new VerifiedBatches()
    for (const env of envs) await openEnvelope(env.bytes, { crypto: c, network: NETWORK, verifiedBatches: cache })
    expect(c.verifies).toBe(3) // 16 + 16 + 8
    const together = counting()
    const shared = new VerifiedBatches()
    await Promise.all(envs.map(async env => await openEnvelope(env.bytes, { crypto: together, network: NETWORK, verifiedBatches: shared })))
    expect(together.verifies).toBe(3) // opened at once, they share each check in flight
    const without = counting()
    for (const env of envs) await openEnvelope(env.bytes, { crypto: without, network: NETWORK })
    expect(without.verifies).toBe(40)
  })

  it('VerifiedBatches keeps copies: a checked batch stays checked when the buffer its key and signature came in is reused', async () => {
    const cache = new VerifiedBatches()
    const key = signer.publicKey
    const signature = Uint8Array.from({ length: 64 }, (_, i) => i)
    const root = crypto.sha256(utf8('root'))
    const chunk = new Uint8Array(4096)
    chunk.set(key, 100)
    chunk.set(signature, 200)
    let checks = 0
    const check = async (): Promise<void> => { checks++ }
    await cache.once(chunk.subarray(100, 132), root, chunk.subarray(200, 264), check)
    chunk.fill(0xff)
    await cache.once(Uint8Array.from(key), root, Uint8Array.from(signature), check)
    expect(checks).toBe(1)
  })

  it('no single bit flipped anywhere in a batch-signed envelope opens as valid, with or without a warm cache', async () => {
    const envs = await sealBatch(inputs(11), signer, crypto)
    const cache = new VerifiedBatches()
    for (const env of envs) expect(await outcome(env.bytes, cache)).toBe('valid')
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 10 }), fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (which, at, bit, warm) => {
      const bytes = Uint8Array.from(envs[which]!.bytes)
      bytes[at % bytes.length]! ^= 1 << bit
      expect(await outcome(bytes, warm ? cache : undefined)).not.toBe('valid')
    }), { ...run, numRuns: 2000 })
  })

  it('a body moved to another place in the tree, or its signature used in the other mode, does not verify', async () => {
    const envs = await sealBatch(inputs(4), signer, crypto)
    const d = envs.map(e => decodeEnvelope(e.bytes))
    const cache = new VerifiedBatches()
    for (const env of envs) await openEnvelope(env.bytes, { crypto, network: NETWORK, verifiedBatches: cache })
    // body 0 with body 1's path and index
    expect(await outcome(encodeEnvelope(d[0]!.body, d[0]!.signature, d[1]!.batch), cache)).toBe('BadSignatureError')
    // body 0 with its own path at the other index
    expect(await outcome(encodeEnvelope(d[0]!.body, d[0]!.signature, { path: d[0]!.batch!.path, index: 1 }), cache)).toBe('BadSignatureError')
    // the batch signature on a lone envelope
    expect(await outcome(encodeEnvelope(d[0]!.body, d[0]!.signature), cache)).toBe('BadSignatureError')
    // a lone signature (over "weft-envelope:" ‖ body) with a batch path
    const alone = await signer.sign(signingBytes(d[0]!.body))
    expect(await outcome(encodeEnvelope(d[0]!.body, alone, d[0]!.batch), cache)).toBe('BadSignatureError')
    // and the genuine one: the signature is the author's over "weft-batch:" ‖ the root its path leads to
    const root = batchRoot(d[0]!.body, d[0]!.batch!.path, 0, crypto)
    expect(await signer.sign(batchSigningBytes(root))).toEqual(d[0]!.signature)
  })

  it('refuses malformed batch fields', async () => {
    const [env] = await sealBatch(inputs(2), signer, crypto)
    const d = decodeEnvelope(env!.bytes)
    const cases: Array<[string, Uint8Array]> = [
      ['a path of 33 bytes', encodeEnvelope(d.body, d.signature, { path: new Uint8Array(33), index: 0 })],
      ['a path deeper than the limit', encodeEnvelope(d.body, d.signature, { path: new Uint8Array(32 * (MAX_BATCH_DEPTH + 1)), index: 0 })],
      ['an index outside the tree', encodeEnvelope(d.body, d.signature, { path: d.batch!.path, index: 2 })]
    ]
    for (const [what, bytes] of cases) expect(await outcome(bytes), what).toBe('MalformedEnvelopeError')
    // an index with no path: field 4 alone
    const indexOnly = Uint8Array.from([...encodeEnvelope(d.body, d.signature), 0x20, 1])
    expect(await outcome(indexOnly)).toBe('MalformedEnvelopeError')
    // fields out of order: the index before the path
    const [, second] = await sealBatch(inputs(2), signer, crypto)
    const d1 = decodeEnvelope(second!.bytes)
    expect(await outcome(second!.bytes)).toBe('valid')
    expect(await outcome(Uint8Array.from([...encodeEnvelope(d1.body, d1.signature), 0x20, 1, 0x1a, 32, ...d1.batch!.path]))).toBe('MalformedEnvelopeError')
  })

  it('batch-signed envelopes make equivocation proofs like any other', async () => {
    const [a] = await sealBatch([input(5, 'one'), input(6)], signer, crypto)
    const [b] = await sealBatch([input(5, 'two'), input(6)], signer, crypto)
    const opened = await Promise.all([a!, b!].map(async e => await openEnvelope(e.bytes, { crypto, network: NETWORK })))
    const proof = proveEquivocation(opened[0]!, opened[1]!)
    expect(await verifyEquivocationProof(proof, { crypto, network: NETWORK })).toMatchObject({ name: 'EquivocationError' })
  })

  it('a batch of 35 is sealed as trees of 16, 16 and 3: never deeper than the limit', async () => {
    const envs = await sealBatch(inputs(2 ** MAX_BATCH_DEPTH * 2 + 3), signer, crypto)
    for (const env of envs) expect((decodeEnvelope(env.bytes).batch?.path.length ?? 0) / 32).toBeLessThanOrEqual(MAX_BATCH_DEPTH)
  })
})
