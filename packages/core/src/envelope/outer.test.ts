import fc from 'fast-check'
import { varint } from '@weft/test-suites/varint'
import { describe, expect, it } from 'vitest'
import { Envelope as EnvelopePb } from './pb/envelope.ts'
import { decodeOuter, encodeOuter } from './outer.ts'
import { equalBytes } from '../util/bytes.ts'

/**
 * The hand-written framing against the generated protons codec it replaced: the reference
 * accepts bytes when they decode, carry a body and a 64-byte signature, and encode back to
 * themselves byte for byte (the rule decodeEnvelope applied before outer.ts).
 */
function reference (bytes: Uint8Array): EnvelopePb | undefined {
  let pb: EnvelopePb
  try {
    pb = EnvelopePb.decode(bytes)
  } catch {
    return undefined
  }
  if (pb.body.length === 0 || pb.signature.length !== 64) return undefined
  return equalBytes(EnvelopePb.encode(pb), bytes) ? pb : undefined
}

function ours (bytes: Uint8Array): ReturnType<typeof decodeOuter> | string {
  try {
    return decodeOuter(bytes)
  } catch (err) {
    return (err as Error).name
  }
}

const fields = fc.record({
  body: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  batchPath: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 160 })),
  batchIndex: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 0, max: 0xffffffff }))
})

/** Damage that a canonical encoding must not survive unnoticed: flips, cuts, insertions, splices. */
const damage = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) })
)

type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never

function apply (bytes: Uint8Array, d: Damage): Uint8Array {
  const at = bytes.length === 0 || d.kind === 'append' ? 0 : d.at % bytes.length
  if (d.kind === 'flip') {
    const out = bytes.slice()
    out[at] = out[at]! ^ (1 << d.bit)
    return out
  }
  if (d.kind === 'cut') return bytes.slice(0, at)
  if (d.kind === 'insert') return new Uint8Array([...bytes.subarray(0, at), ...d.bytes, ...bytes.subarray(at)])
  return new Uint8Array([...bytes, ...d.bytes])
}

/** A varint, stretched by `extra` bytes that add nothing (0x80 continuations then 0x00): same value, not minimal. */
function paddedVarint (n: number, extra: number): number[] {
  const v = varint(n)
  if (extra === 0) return v
  v[v.length - 1]! |= 0x80
  return [...v, ...Array<number>(extra - 1).fill(0x80), 0x00]
}

/** The fields written by hand, each length or index possibly padded. */
const padded = fc.tuple(fields, fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 })).map(([f, pad]) => Uint8Array.from([
  0x0a, ...paddedVarint(f.body.length, pad[0]!), ...f.body,
  0x12, ...paddedVarint(64, pad[1]!), ...f.signature,
  ...(f.batchPath.length > 0 ? [0x1a, ...paddedVarint(f.batchPath.length, pad[2]!), ...f.batchPath] : []),
  ...(f.batchIndex !== 0 ? [0x20, ...paddedVarint(f.batchIndex, pad[3]!)] : [])
]))

describe('envelope outer framing', () => {
  it('encodes exactly as the generated codec and decodes its own output (property)', () => {
    fc.assert(fc.property(fields, f => {
      const bytes = encodeOuter(f.body, f.signature, f.batchPath, f.batchIndex)
      expect(equalBytes(bytes, EnvelopePb.encode(f))).toBe(true)
      const back = decodeOuter(bytes)
      expect(equalBytes(back.body, f.body) && equalBytes(back.signature, f.signature) && equalBytes(back.batchPath, f.batchPath)).toBe(true)
      expect(back.batchIndex).toBe(f.batchIndex)
    }), { numRuns: 500, seed: 41 })
  })

  it('accepts damaged or random bytes exactly when the reference does, with the same fields (property)', () => {
    let accepted = 0
    let refused = 0
    const input = fc.oneof(
      fc.tuple(fields, fc.array(damage, { minLength: 1, maxLength: 3 })).map(([f, ds]) =>
        ds.reduce<Uint8Array>((b, d) => apply(b, d), EnvelopePb.encode(f))),
      fc.uint8Array({ maxLength: 120 }),
      padded
    )
    fc.assert(fc.property(input, bytes => {
      const want = reference(bytes)
      const got = ours(bytes)
      if (want === undefined) {
        expect(got).toBe('MalformedEnvelopeError')
        refused++
        return
      }
      expect(typeof got).toBe('object')
      const g = got as Exclude<typeof got, string>
      expect(equalBytes(g.body, want.body) && equalBytes(g.signature, want.signature) && equalBytes(g.batchPath, want.batchPath)).toBe(true)
      expect(g.batchIndex).toBe(want.batchIndex)
      accepted++
    }), { numRuns: 4000, seed: 42 })
    // both outcomes must actually occur, or the comparison proves nothing
    expect(accepted).toBeGreaterThan(100)
    expect(refused).toBeGreaterThan(1000)
  })

  it('refuses the non-canonical forms by name', () => {
    const sig = new Uint8Array(64).fill(9)
    const good = [0x0a, 1, 0x55, 0x12, 64, ...sig]
    const cases: Array<[string, number[]]> = [
      ['empty', []],
      ['no body', [0x12, 64, ...sig]],
      ['empty body', [0x0a, 0, 0x12, 64, ...sig]],
      ['non-minimal body length', [0x0a, 0x81, 0x00, 0x55, 0x12, 64, ...sig]],
      ['short signature', [0x0a, 1, 0x55, 0x12, 63, ...sig.subarray(1)]],
      ['signature before body', [0x12, 64, ...sig, 0x0a, 1, 0x55]],
      ['empty path written', [...good, 0x1a, 0]],
      ['zero index written', [...good, 0x20, 0]],
      ['index before path', [...good, 0x20, 1, 0x1a, 32, ...new Uint8Array(32)]],
      ['index above uint32', [...good, 0x20, 0xff, 0xff, 0xff, 0xff, 0x1f]],
      ['index as a 6-byte varint', [...good, 0x20, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]],
      ['repeated body', [...good, 0x0a, 1, 0x55]],
      ['unknown field', [...good, 0x28, 1]],
      ['length past the end', [0x0a, 9, 0x55]]
    ]
    for (const [name, bytes] of cases) {
      expect(ours(Uint8Array.from(bytes)), name).toBe('MalformedEnvelopeError')
      expect(reference(Uint8Array.from(bytes)), name).toBeUndefined()
    }
    expect(typeof ours(Uint8Array.from(good))).toBe('object')
  })
})
