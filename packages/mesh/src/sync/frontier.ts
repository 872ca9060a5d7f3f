/** Conversions between version vectors and their wire form. */
import { clockFrom } from '@weft/core'
import { MAX_FRONTIER_AUTHORS } from '../constants.ts'
import type { VersionVector } from '@weft/core'
import type { Entry, Frontier } from './pb/sync.ts'

const MAX = BigInt(Number.MAX_SAFE_INTEGER)

export function toEntries (vv: Iterable<readonly [string, number]>): Entry[] {
  const out: Entry[] = []
  for (const [author, seq] of vv) out.push({ author, seq: BigInt(seq) })
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

export function frontier (topic: string, held: VersionVector, oldest: VersionVector, full: boolean): Frontier {
  return { topic, held: toEntries(held), oldest: toEntries([...oldest].filter(([, s]) => s > 1)), full }
}
