/**
 * Vector clocks and version vectors: author → highest seq. Values are never
 * mutated; every operation returns a new map. Zero entries are left out, so
 * two equal clocks always have the same entries.
 */
import type { AuthorId } from '../util/author.ts'

export type VectorClock = ReadonlyMap<AuthorId, number>
/** The same shape, read as "per author, the highest contiguous seq held". */
export type VersionVector = VectorClock

export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent'

export const EMPTY_CLOCK: VectorClock = new Map()

/** The entry for `author`, 0 when absent. */
export function clockGet (clock: VectorClock, author: AuthorId): number {
  return clock.get(author) ?? 0
}

/** A clock from entries, dropping zeros. */
export function clockFrom (entries: Iterable<readonly [AuthorId, number]>): VectorClock {
  const out = new Map<AuthorId, number>()
  for (const [author, seq] of entries) {
    if (seq > 0) out.set(author, Math.max(seq, out.get(author) ?? 0))
  }
  return out
}

/** `clock` with `author` raised to at least `seq`. */
export function clockWith (clock: VectorClock, author: AuthorId, seq: number): VectorClock {
  if (clockGet(clock, author) >= seq) return clock
  const out = new Map(clock)
  out.set(author, seq)
  return out
}

/** Pointwise maximum. Commutative, associative, idempotent. */
export function mergeClocks (a: VectorClock, b: VectorClock): VectorClock {
  if (a.size < b.size) [a, b] = [b, a]
  let out: Map<AuthorId, number> | undefined
  for (const [author, seq] of b) {
    if (seq > (a.get(author) ?? 0)) {
      out ??= new Map(a)
      out.set(author, seq)
    }
  }
  return out ?? a
}

/** True when `a` is at least `b` in every entry. */
export function dominates (a: VectorClock, b: VectorClock): boolean {
  for (const [author, seq] of b) {
    if ((a.get(author) ?? 0) < seq) return false
  }
  return true
}

/** How `a` relates to `b` in happened-before. */
export function compareClocks (a: VectorClock, b: VectorClock): ClockOrder {
  const aGeB = dominates(a, b)
  const bGeA = dominates(b, a)
  if (aGeB && bGeA) return 'equal'
  if (aGeB) return 'after'
  if (bGeA) return 'before'
  return 'concurrent'
}

/** Plain-object form, for JSON and storage. */
export function clockToObject (clock: VectorClock): Record<AuthorId, number> {
  const out: Record<AuthorId, number> = {}
  for (const [author, seq] of [...clock].sort((x, y) => x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)) out[author] = seq
  return out
}

export function clockFromObject (obj: Readonly<Record<AuthorId, number>>): VectorClock {
  return clockFrom(Object.entries(obj))
}
