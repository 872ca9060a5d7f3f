/**
 * Packed sync replies (src/sync/packing.ts): every frame rebuilds byte for byte; real envelopes
 * of interleaved authors shrink by their shared first fields; and hostile items (RELIABILITY.md
 * rows 3 and 24: a frame that is not what it claims, a small frame that would rebuild into a
 * large one) end in one ProtocolError, never another error and never a rebuild past the cap.
 * Fixed fast-check seed: deterministic.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { fromHex, nobleCrypto, nobleSigner, sealBatch, sealEnvelope, toHex } from '@weft/core'
import { describe, expect, it } from 'vitest'
import { MAX_FRAME_BYTES } from '../src/constants.ts'
import { ProtocolError } from '../src/errors.ts'
import { PACK_WINDOW, packEnvelopes, unpackEnvelopes } from '../src/sync/packing.ts'

const run = { seed: 0x9ac4, endOnFailure: true }
const crypto = nobleCrypto()

/** Envelope-shaped bytes: 0x0a, a varint length, then a body drawn from a few shared prefixes. */
const envelopeLike = fc.tuple(fc.constantFrom(new Uint8Array(0), Uint8Array.from([1, 2, 3]), new Uint8Array(40).fill(7), new Uint8Array(200).fill(9)), fc.uint8Array({ maxLength: 300 }))
  .map(([prefix, rest]) => {
    const body = Uint8Array.from([...prefix, ...rest])
    const len: number[] = []
    for (let n = body.length; ; n >>>= 7) {
      if (n < 0x80) { len.push(n); break }
      len.push((n & 0x7f) | 0x80)
    }
    return Uint8Array.from([0x0a, ...len, ...body])
  })

function threw (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

describe('packed sync replies', () => {
  it('any frame of envelopes rebuilds byte for byte', () => {
    fc.assert(fc.property(fc.array(envelopeLike, { maxLength: 70 }), envs => {
      const back = unpackEnvelopes(packEnvelopes(envs), MAX_FRAME_BYTES)
      expect(back.map(b => [...b])).toEqual(envs.map(e => [...e]))
    }), { ...run, numRuns: 300 })
  })

  it('real envelopes of 3 interleaved authors: the shared fields go once, every byte comes back', async () => {
    const authors = [1, 2, 3].map(i => nobleSigner(new Uint8Array(32).fill(i)))
    const envs: Uint8Array[] = []
    for (let seq = 1; seq <= 20; seq++) {
      for (const a of authors) {
        const payload = new Uint8Array(1024).fill(seq)
        envs.push((await sealEnvelope({ network: 'weft-pack-test', topic: 'chat/room-1', seq, time: 1_760_000_000_000 + seq, context: { full: false, deps: [] }, payload }, a, crypto)).bytes)
      }
    }
    // and a batch-signed run (paths after the signature)
    const batch = await sealBatch(Array.from({ length: 8 }, (_, i) => ({ network: 'weft-pack-test', topic: 'chat/room-1', seq: 21 + i, time: 1_760_000_000_100, context: { full: false, deps: [] }, payload: new Uint8Array(1024).fill(i) })), authors[0]!, crypto)
    envs.push(...batch.map(e => e.bytes))
    const packed = packEnvelopes(envs)
    const plain = envs.reduce((n, e) => n + e.length, 0)
    const wire = packed.reduce((n, e) => n + e.length, 0)
    const saved = (plain - wire) / envs.length
    // version, network (14), topic (11), author key (32) and their tags; the first envelope of each author saves less
    expect(saved).toBeGreaterThan(55)
    expect(unpackEnvelopes(packed, MAX_FRAME_BYTES).map(b => [...b])).toEqual(envs.map(e => [...e]))
  })

  it('matches docs/golden/packed-v1.json both ways (regenerate with scripts/make-golden.ts only on a deliberate wire change)', () => {
    const doc = JSON.parse(readFileSync(new URL('../../../docs/golden/packed-v1.json', import.meta.url), 'utf8')) as { envelopes: string[], items: string[] }
    expect(unpackEnvelopes(doc.items.map(fromHex), MAX_FRAME_BYTES).map(toHex)).toEqual(doc.envelopes)
    expect(packEnvelopes(doc.envelopes.map(fromHex)).map(toHex)).toEqual(doc.items)
    // the golden frame uses references (back 1 and 2) and an item with none
    expect(doc.items.map(i => fromHex(i)[2])).toEqual([0, 1, 1, 1, 2])
  })

  it('refuses an item without an envelope head, a reference outside the frame or past the window, a shared length past its reference, a truncated varint', () => {
    const a = Uint8Array.from([0x0a, 3, 1, 2, 3])
    const cases: Array<[string, Uint8Array[]]> = [
      ['no head', [Uint8Array.from([0x12, 3, 0, 1, 2, 3])]],
      ['a head cut short', [Uint8Array.from([0x0a, 0x80, 0x80])]],
      ['no back varint', [Uint8Array.from([0x0a, 3])]],
      ['a reference before the frame', [Uint8Array.from([0x0a, 3, 1, 2, 9])]],
      ['a reference past the window', [...Array.from({ length: PACK_WINDOW + 1 }, () => Uint8Array.from([0x0a, 3, 0, 1, 2, 3])), Uint8Array.from([0x0a, 3, PACK_WINDOW + 1, 3])]],
      ['a shared length past the reference', [Uint8Array.from([0x0a, 3, 0, 1, 2, 3]), Uint8Array.from([0x0a, 3, 1, 4])]],
      ['a truncated shared varint', [Uint8Array.from([0x0a, 3, 0, 1, 2, 3]), Uint8Array.from([0x0a, 3, 1, 0x80])]]
    ]
    for (const [what, items] of cases) {
      expect(threw(() => unpackEnvelopes(items, MAX_FRAME_BYTES)), what).toBeInstanceOf(ProtocolError)
    }
    expect(unpackEnvelopes([Uint8Array.from([0x0a, 3, 0, 1, 2, 3])], MAX_FRAME_BYTES)[0]).toEqual(a)
  })

  it('a small frame that would rebuild past the cap fails before the memory is taken', () => {
    // one 60 KiB envelope, then items of 4 bytes each copying all of it: 1,000 of them would be 60 MB
    const big = new Uint8Array(60 * 1024)
    big.set([0x0a, 0xfc, 0xdf, 0x03]) // 0x0a and varint 61,436 = 61,440 - 4
    const items = [Uint8Array.from([...big.subarray(0, 4), 0, ...big.subarray(4)])]
    const shared = [0xfc, 0xdf, 0x03]
    for (let i = 0; i < 1000; i++) items.push(Uint8Array.from([0x0a, 0xfc, 0xdf, 0x03, 1, ...shared]))
    const wire = items.reduce((n, e) => n + e.length, 0)
    expect(wire).toBeLessThan(80 * 1024)
    const err = threw(() => unpackEnvelopes(items, MAX_FRAME_BYTES))
    expect(err).toBeInstanceOf(ProtocolError)
    expect(String(err)).toMatch(/rebuilds to more than/)
  })

  it('any bytes: rebuilt within the cap, or one ProtocolError', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }).map(b => Uint8Array.from([0x0a, ...b]))), { maxLength: 40 }), items => {
      try {
        const out = unpackEnvelopes(items, 4096)
        expect(out.reduce((n, e) => n + e.length, 0)).toBeLessThanOrEqual(4096)
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError)
      }
    }), { ...run, numRuns: 2000 })
  })
})
