/**
 * RELIABILITY.md row 3 (length-prefix bomb) and row 36 (frame boundaries) as
 * properties of the sync frame reader: any bytes, cut into chunks anywhere,
 * either come out as the frames that were written or end in one ProtocolError;
 * a length header over the cap fails at that header, before another chunk is
 * read. The reader only iterates the stream's chunks and calls `abort`, so it
 * is driven here by a stand-in stream (an async iterable of chunks); the same
 * attacks on real libp2p streams are in hostile-sync.test.ts (row 3) and
 * hostile-rows.test.ts (row 36). Fixed fast-check seed: deterministic.
 */
import fc from 'fast-check'
import { varint } from '@weft/test-suites/varint'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../src/errors.ts'
import { readFrames } from '../src/sync/framing.ts'
import { SyncFrame } from '../src/sync/pb/sync.ts'
import type { Stream } from '@libp2p/interface'

const run = { seed: 0xf4a3, endOnFailure: true }

/** A stand-in for a libp2p stream: yields `chunks` one by one and counts how many were pulled. */
function chunked (chunks: Uint8Array[]): { stream: Stream, pulled: () => number } {
  let pulled = 0
  const stream = {
    async * [Symbol.asyncIterator] () {
      for (const c of chunks) {
        pulled++
        yield c
      }
    },
    abort: () => {}
  }
  return { stream: stream as unknown as Stream, pulled: () => pulled }
}

/** Cuts `bytes` at the given points (taken modulo its length). */
function cut (bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map(p => bytes.length === 0 ? 0 : p % bytes.length))].filter(p => p > 0).sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let from = 0
  for (const p of [...at, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p))
    from = p
  }
  return out
}

function framed (frame: SyncFrame): Uint8Array {
  const body = SyncFrame.encode(frame)
  return Uint8Array.from([...varint(body.length), ...body])
}

const frameArb: fc.Arbitrary<SyncFrame> = fc.oneof(
  fc.record({
    want: fc.record({
      topic: fc.string({ maxLength: 20 }),
      id: fc.nat(1000),
      ranges: fc.array(fc.record({ author: fc.string({ maxLength: 10 }), from: fc.bigInt({ min: 0n, max: 1000n }), to: fc.bigInt({ min: 0n, max: 1000n }) }), { maxLength: 3 }),
      maxMessages: fc.nat(2048),
      packed: fc.boolean()
    })
  }),
  fc.record({
    batch: fc.record({
      topic: fc.string({ maxLength: 20 }),
      wantId: fc.nat(1000),
      envelopes: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }),
      last: fc.boolean(),
      packed: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 })
    })
  })
)

async function read (chunks: Uint8Array[], maxBytes: number): Promise<{ frames: SyncFrame[], error?: unknown, pulled: number }> {
  const { stream, pulled } = chunked(chunks)
  const frames: SyncFrame[] = []
  try {
    await readFrames(stream, f => { frames.push(f) }, maxBytes, 60_000)
    return { frames, pulled: pulled() }
  } catch (error) {
    return { frames, error, pulled: pulled() }
  }
}

describe('sync frame reader (rows 3 and 36 as properties)', () => {
  it('frames cut into chunks anywhere come out whole, byte for byte, in order', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(frameArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 40 }),
      async (frames, points) => {
        const bytes = Uint8Array.from(frames.flatMap(f => [...framed(f)]))
        const got = await read(cut(bytes, points), 1 << 20)
        expect(got.error).toBeUndefined()
        expect(got.frames.map(f => SyncFrame.encode(f))).toEqual(frames.map(f => SyncFrame.encode(f)))
      }
    ), { ...run, numRuns: 400 })
  })

  it('a length header over the cap fails with ProtocolError at that header, before the next chunk is read', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 16, max: 4096 }), fc.integer({ min: 1, max: 2 ** 31 }), fc.array(frameArb, { maxLength: 3 }), fc.array(fc.nat(), { maxLength: 10 }),
      async (maxBytes, over, before, points) => {
        const good = before.map(framed).filter(f => f.length - varint(f.length).length <= maxBytes)
        const prefix = Uint8Array.from(good.flatMap(f => [...f]))
        const header = Uint8Array.from(varint(maxBytes + over))
        // the bomb: its header, then bytes that would follow; the reader must not wait for them
        const bytes = Uint8Array.from([...prefix, ...header, ...new Uint8Array(64).fill(0xaa)])
        const chunks = cut(bytes, points)
        const got = await read(chunks, maxBytes)
        expect(got.error).toBeInstanceOf(ProtocolError)
        expect(got.frames.length).toBeLessThanOrEqual(good.length)
        // the chunk holding the header's last byte was the last one pulled
        let end = 0
        let holding = 0
        for (const [i, c] of chunks.entries()) {
          end += c.length
          if (end >= prefix.length + header.length) {
            holding = i + 1
            break
          }
        }
        expect(got.pulled).toBe(holding)
      }
    ), { ...run, numRuns: 400 })
  })

  it('any bytes, cut anywhere: only frames that decode are handed out, and the only failure is ProtocolError', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: 8, max: 1024 }),
      async (bytes, points, maxBytes) => {
        const got = await read(cut(bytes, points), maxBytes)
        if (got.error !== undefined) expect(got.error).toBeInstanceOf(ProtocolError)
        for (const f of got.frames) expect(SyncFrame.encode(f).length).toBeLessThanOrEqual(maxBytes)
      }
    ), { ...run, numRuns: 2000 })
  })

  it('valid frames with random bytes spliced in: the frames before the damage come out intact, then at most a ProtocolError', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(frameArb, { minLength: 2, maxLength: 5 }), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.array(fc.nat(), { maxLength: 20 }),
      async (frames, where, junk, points) => {
        const encoded = frames.map(framed)
        const k = where % encoded.length
        const bytes = Uint8Array.from([...encoded.slice(0, k).flatMap(f => [...f]), ...junk, ...encoded.slice(k).flatMap(f => [...f])])
        const got = await read(cut(bytes, points), 1 << 20)
        if (got.error !== undefined) expect(got.error).toBeInstanceOf(ProtocolError)
        expect(got.frames.slice(0, k).map(f => SyncFrame.encode(f))).toEqual(frames.slice(0, k).map(f => SyncFrame.encode(f)))
      }
    ), { ...run, numRuns: 400 })
  })
})
