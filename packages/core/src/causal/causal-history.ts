/**
 * Causal contexts: what an author writes into a message, and the full vector
 * clock a receiver expands from it.
 *
 * On the wire a message names only its heads: the messages its author
 * delivered since its own previous message in the topic that no other head
 * (and not that previous message) already depends on. Everything else follows
 * by transitivity, because a receiver releases a message only after its
 * previous one and its heads. So the context stays a handful of entries however
 * many authors write to the topic (docs/PROTOCOL.md, "Causal context").
 *
 * To find the heads, the history keeps the expanded clock of the latest
 * message released from each author, and a bounded cache of older ones (flat
 * arrays, about a third of a Map's size: a clock of 13 authors is some 600
 * bytes as a Map). Where
 * it lacks a clock it assumes less, never more: the author then lists a few
 * more heads than needed, which costs bytes and never breaks causal order.
 */
import { DEFAULT_CLOCK_CACHE } from '../constants.ts'
import { EMPTY_CLOCK, clockGet, clockWith, mergeClocks } from '../clock/vector-clock.ts'
import { BoundedMap } from '../util/lru.ts'
import { tagOfAuthor } from '../util/author.ts'
import type { VectorClock, VersionVector } from '../clock/vector-clock.ts'
import type { CausalContext, DepRef, Envelope } from '../envelope/envelope.ts'
import type { AuthorId, AuthorTag } from '../util/author.ts'

export interface CausalHistoryInit {
  /** Resolves dependency tags to authors (the causal buffer's `resolveTag`). */
  resolveTag(tag: AuthorTag): readonly AuthorId[]
  /** Clocks of non-latest messages kept. @default DEFAULT_CLOCK_CACHE (4,096) */
  clockCache?: number
}

interface Latest {
  seq: number
  clock: VectorClock
}

export class CausalHistory {
  readonly #resolveTag: (tag: AuthorTag) => readonly AuthorId[]
  readonly #latest = new Map<AuthorId, Latest>()
  /** (author, seq) → its clock as [author, seq, author, seq, …]. */
  readonly #older: BoundedMap<string, ReadonlyArray<AuthorId | number>>

  constructor (init: CausalHistoryInit) {
    this.#resolveTag = init.resolveTag
    this.#older = new BoundedMap(init.clockCache ?? DEFAULT_CLOCK_CACHE)
  }

  /**
   * Records a released message (call in release order) and returns its
   * expanded vector clock, its own entry included.
   */
  record (env: Envelope): VectorClock {
    const prev = this.#latest.get(env.author)
    let clock = env.context.full || prev === undefined ? EMPTY_CLOCK : prev.clock
    for (const dep of env.context.deps) {
      const authors = this.#resolveTag(dep.tag)
      // An ambiguous tag could name either author: expand neither (assume less).
      if (authors.length !== 1) continue
      const author = authors[0]!
      clock = mergeClocks(clock, this.clockOf(author, dep.seq) ?? clockWith(EMPTY_CLOCK, author, dep.seq))
    }
    clock = clockWith(clock, env.author, env.seq)
    if (prev !== undefined) this.#older.set(key(env.author, prev.seq), flatten(prev.clock))
    this.#latest.set(env.author, { seq: env.seq, clock })
    return clock
  }

  /** The expanded clock of (author, seq), when still known. */
  clockOf (author: AuthorId, seq: number): VectorClock | undefined {
    const latest = this.#latest.get(author)
    if (latest?.seq === seq) return latest.clock
    const flat = this.#older.get(key(author, seq))
    if (flat === undefined) return undefined
    const clock = new Map<AuthorId, number>()
    for (let i = 0; i < flat.length; i += 2) clock.set(flat[i] as AuthorId, flat[i + 1] as number)
    return clock
  }

  /**
   * The causal context for `self`'s next message, given what it has released
   * (`frontier`). With `full` the whole clock is listed instead of the heads.
   */
  contextFor (self: AuthorId, frontier: VersionVector, full = false): CausalContext {
    if (full) {
      return { full: true, deps: sortDeps([...frontier].filter(([a]) => a !== self).map(([a, s]) => dep(a, s))) }
    }
    const prev = this.clockOf(self, clockGet(frontier, self)) ?? EMPTY_CLOCK
    const changed: AuthorId[] = []
    for (const [author, seq] of frontier) {
      if (author !== self && seq > clockGet(prev, author)) changed.push(author)
    }
    // best[c]: the highest entry for c in the clock of any other changed author's
    // latest message. c is implied (not a head) when that reaches frontier[c].
    const isChanged = new Set(changed)
    const best = new Map<AuthorId, number>()
    const raise = (c: AuthorId, seq: number): void => {
      if (seq > (best.get(c) ?? 0)) best.set(c, seq)
    }
    for (const h of changed) {
      const clock = this.clockOf(h, clockGet(frontier, h))
      if (clock === undefined) continue
      if (clock.size <= changed.length) {
        for (const [c, seq] of clock) if (c !== h && isChanged.has(c)) raise(c, seq)
      } else {
        for (const c of changed) if (c !== h) raise(c, clock.get(c) ?? 0)
      }
    }
    const heads = changed.filter(c => (best.get(c) ?? 0) < clockGet(frontier, c)).map(c => dep(c, clockGet(frontier, c)))
    return { full: false, deps: sortDeps(heads) }
  }
}

/** [author, seq, author, seq, …] */
function flatten (clock: VectorClock): Array<AuthorId | number> {
  const out = new Array<AuthorId | number>(clock.size * 2)
  let i = 0
  for (const [author, seq] of clock) {
    out[i++] = author
    out[i++] = seq
  }
  return out
}

function key (author: AuthorId, seq: number): string {
  return `${author}/${seq}`
}

function dep (author: AuthorId, seq: number): DepRef {
  return { tag: tagOfAuthor(author), seq }
}

/** Sorted by tag; two authors sharing a tag (only a ground collision does that) become one entry with the higher seq. */
function sortDeps (deps: DepRef[]): DepRef[] {
  const byTag = new Map<AuthorTag, number>()
  for (const d of deps) byTag.set(d.tag, Math.max(d.seq, byTag.get(d.tag) ?? 0))
  return [...byTag].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0).map(([tag, seq]) => ({ tag, seq }))
}
