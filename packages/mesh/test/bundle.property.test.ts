/**
 * Gossip bundles (src/bundle.ts) as properties: any list of envelopes packs into
 * gossip messages within the limits that unpack to the same list, in order; any
 * bytes that start like a bundle either unpack within the limits or end in one
 * MalformedEnvelopeError, never another error. Fixed fast-check seed: deterministic.
 * What a peer does with a bundle (validation, replays, rate limits) is tested on
 * real libp2p nodes in hostile.test.ts.
 */
import fc from 'fast-check'
import { varint } from '@weft/test-suites/varint'
import { describe, expect, it } from 'vitest'
import { GOSSIP_BUNDLE_MAX_BYTES, GOSSIP_BUNDLE_MAX_ENVELOPES, isBundle, packGossip, unpackGossip } from '../src/bundle.ts'

const run = { seed: 0xb0d1e, endOnFailure: true }

/** Stand-ins for encoded envelopes: they start with 0x0a, as an Envelope does. */
const envelope = fc.integer({ min: 0, max: 3000 }).chain(n => fc.uint8Array({ minLength: n, maxLength: n }).map(rest => Uint8Array.from([0x0a, ...rest])))

function field3 (bytes: Uint8Array): number[] {
  return [0x1a, ...varint(bytes.byteLength), ...bytes]
}

describe('gossip bundles', () => {
  it('pack then unpack gives back every envelope, in order, in messages within the limits', () => {
    fc.assert(fc.property(fc.array(envelope, { maxLength: 300 }), envs => {
      const messages = packGossip(envs)
      const back = messages.flatMap(m => unpackGossip(m))
      expect(back.map(b => [...b])).toEqual(envs.map(e => [...e]))
      for (const m of messages) {
        if (!isBundle(m)) continue
        expect(m.byteLength).toBeLessThanOrEqual(GOSSIP_BUNDLE_MAX_BYTES)
        const n = unpackGossip(m).length
        expect(n).toBeGreaterThanOrEqual(2)
        expect(n).toBeLessThanOrEqual(GOSSIP_BUNDLE_MAX_ENVELOPES)
      }
    }), run)
  })

  it('packs a batch of small envelopes into full bundles, and an envelope over the bundle cap alone', () => {
    const small = Array.from({ length: 130 }, (_, i) => Uint8Array.from([0x0a, i, 0, 0]))
    expect(packGossip(small).map(m => unpackGossip(m).length)).toEqual([64, 64, 2])
    const big = new Uint8Array(GOSSIP_BUNDLE_MAX_BYTES).fill(7)
    big[0] = 0x0a
    const out = packGossip([small[0]!, big, small[1]!])
    expect(out).toEqual([small[0], big, small[1]]) // three lone envelopes: none shares a bundle with the big one
    expect(packGossip([small[0]!])).toEqual([small[0]])
    expect(packGossip([])).toEqual([])
  })

  it('refuses bundles that are truncated, not canonical, too small or over the limits', () => {
    const env = Uint8Array.from([0x0a, 1, 2])
    const one = field3(env)
    const bad: Array<[string, number[]]> = [
      ['a lone tag', [0x1a]],
      ['one envelope', one],
      ['a length past the end', [...one, 0x1a, 9, 1]],
      ['a non-minimal length', [...one, 0x1a, 0x83, 0x00, ...env]],
      ['another field after the first', [...one, 0x22, 3, ...env]],
      ['65 envelopes', Array.from({ length: GOSSIP_BUNDLE_MAX_ENVELOPES + 1 }, () => one).flat()],
      ['over the byte cap', [...one, ...field3(new Uint8Array(GOSSIP_BUNDLE_MAX_BYTES))]]
    ]
    for (const [what, bytes] of bad) {
      expect(() => unpackGossip(Uint8Array.from(bytes)), what).toThrow(expect.objectContaining({ name: 'MalformedEnvelopeError' }))
    }
    expect(unpackGossip(Uint8Array.from([...one, ...one]))).toHaveLength(2)
  })

  it('any bytes starting with the bundle tag unpack or throw MalformedEnvelopeError, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(envelope.filter(e => e.byteLength < 100), { maxLength: 5 }), (noise, envs) => {
      const bytes = Uint8Array.from([0x1a, ...envs.flatMap(e => field3(e)).slice(1), ...noise])
      try {
        const out = unpackGossip(bytes)
        expect(out.length).toBeGreaterThanOrEqual(2)
        expect(out.reduce((n, e) => n + e.byteLength, 0)).toBeLessThan(bytes.byteLength)
      } catch (err) {
        expect((err as Error).name).toBe('MalformedEnvelopeError')
      }
    }), run)
  })
})
