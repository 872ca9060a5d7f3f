/** Conversions between version vectors and their wire form. */
import { clockFrom, fromHex } from '@weft/core'
import { MAX_FRONTIER_AUTHORS } from '../constants.ts'
import type { VersionVector } from '@weft/core'
import type { Entry, Frontier } from './pb/sync.ts'

const MAX = BigInt(Number.MAX_SAFE_INTEGER)

/** Bytes of a message id sent as a head: 128 bits, so a forger cannot make two messages share one. */
export const HEAD_BYTES = 16

export function toEntries (vv: Iterable<readonly [string, number]>, heads?: ReadonlyMap<string, string>): Entry[] {
  const out: Entry[] = []
  for (const [author, seq] of vv) {
    const head = heads?.get(author)
    out.push({ author, seq: BigInt(seq), head: head === undefined ? new Uint8Array(0) : fromHex(head.slice(0, HEAD_BYTES * 2)) })
  }
  return out
}

/** A version vector from wire entries; out-of-range seqs and over-long author ids are dropped. */
export function fromEntries (entries: readonly Entry[]): VersionVector {
  const out: Array<[string, number]> = []
  for (const e of entries.slice(0, MAX_FRONTIER_AUTHORS)) {
    if (e.seq < 1n || e.seq > MAX || e.author.length === 0 || e.author.length > 128) continue
    out.push([e.author, Number(e.seq)])
  }
  return clockFrom(out)
}

/** A topic's frontier on the wire; `heads` (author → id of the message at its held seq) go with full frontiers. */
export function frontier (topic: string, held: VersionVector, oldest: VersionVector, full: boolean, heads?: ReadonlyMap<string, string>): Frontier {
  return { topic, held: toEntries(held, heads), oldest: toEntries([...oldest].filter(([, s]) => s > 1)), full }
}
