/**
 * The causal buffer: takes verified envelopes in any order, with duplicates,
 * and releases them in causal order. A message is released once its author's
 * previous message and every dependency it names were released. Bounded in
 * count, bytes and per author. A message that waits past its deadline is
 * quarantined: reported, no longer repaired, kept aside (bounded) and released
 * if what it waits for comes after all. No I/O: callers pass `now`.
 */
import {
  DEFAULT_BUFFER_MAX_BYTES, DEFAULT_BUFFER_MAX_MESSAGES, DEFAULT_BUFFER_MAX_PER_AUTHOR, DEFAULT_DEPENDENCY_TIMEOUT_MS,
  DEFAULT_MAX_SEQ_GAP, DEFAULT_QUARANTINE_MAX_BYTES, DEFAULT_QUARANTINE_MAX_MESSAGES
} from '../constants.ts'
import { SeqOutOfRangeError } from '../errors.ts'
import { clockFrom, clockGet } from '../clock/vector-clock.ts'
import { equalBytes } from '../util/bytes.ts'
import { tagOfAuthor } from '../util/author.ts'
import { TagIndex } from './tag-index.ts'
import type { VersionVector } from '../clock/vector-clock.ts'
import type { Envelope } from '../envelope/envelope.ts'
import type { AuthorId, AuthorTag } from '../util/author.ts'

export interface CausalBufferInit {
  /** What was already delivered (the persisted frontier). @default empty */
  frontier?: VersionVector
  /** @default DEFAULT_BUFFER_MAX_MESSAGES (10,000) */
  maxMessages?: number
  /** @default DEFAULT_BUFFER_MAX_BYTES (64 MiB) */
  maxBytes?: number
  /** @default DEFAULT_BUFFER_MAX_PER_AUTHOR (2,000) */
  maxPerAuthor?: number
  /** @default DEFAULT_MAX_SEQ_GAP (10,000) */
  maxSeqGap?: number
  /** @default DEFAULT_DEPENDENCY_TIMEOUT_MS (30 s) */
  dependencyTimeoutMs?: number
  /** Messages kept in quarantine. @default DEFAULT_QUARANTINE_MAX_MESSAGES (1,000) */
  maxQuarantined?: number
  /** Bytes kept in quarantine. @default DEFAULT_QUARANTINE_MAX_BYTES (16 MiB) */
  maxQuarantinedBytes?: number
}

/**
 * What `add` did with an envelope:
 * - `released`: it, and possibly buffered ones it unblocked, are in `deliverable`, in causal order;
 * - `buffered`: it waits for a dependency;
 * - `duplicate`: already released, waiting or quarantined;
 * - `conflict`: another envelope with the same (author, seq) but a different body waits here (`existing`);
 * - `rejected`: not kept (`reason`): `too-far-ahead` (seq gap above the limit, with `error`) or `buffer-full`.
 */
export interface AddResult {
  status: 'released' | 'buffered' | 'duplicate' | 'conflict' | 'rejected'
  deliverable: Envelope[]
  reason?: 'too-far-ahead' | 'buffer-full'
  error?: Error
  existing?: Envelope
}

/** What a message still waits for: its author's previous message, or a dependency. */
export interface WaitingFor {
  /** The author it waits on, when known (for a dependency, undefined while its tag names no known author). */
  author?: AuthorId
  tag: AuthorTag
  seq: number
}

/**
 * A message that stopped waiting undelivered:
 * - `dependency-timeout`: it waited its deadline and is quarantined: kept aside, no longer
 *   repaired, still released if what it waits for comes after all (and a copy of it is a
 *   duplicate meanwhile);
 * - `quarantine-full`: the oldest quarantined message, forgotten to keep the quarantine within
 *   its bounds; a copy of it is taken again like a new message.
 */
export interface Expired {
  envelope: Envelope
  reason: 'dependency-timeout' | 'quarantine-full'
  waitingFor: WaitingFor
}

/** A range of one author's seqs, both ends included. */
export interface SeqRange {
  author: AuthorId
  from: number
  to: number
}

/** What the buffer needs to make progress: ranges to fetch, and dependencies on authors not known yet. */
export interface Missing {
  ranges: SeqRange[]
  unknown: Array<{ tag: AuthorTag, seq: number }>
}

interface Pending {
  readonly env: Envelope
  readonly deadline: number
  waitingOn?: AuthorTag
  quarantined?: true
}

export class CausalBuffer {
  readonly #maxMessages: number
  readonly #maxBytes: number
  readonly #maxPerAuthor: number
  readonly #maxSeqGap: number
  readonly #timeout: number
  readonly #maxQuarantined: number
  readonly #maxQuarantinedBytes: number
  readonly #frontier: Map<AuthorId, number>
  readonly #tags = new TagIndex()
  readonly #pending = new Map<AuthorId, Map<number, Pending>>()
  /** Pending messages blocked on a dependency (quarantined ones too), by the tag of the author they wait for. */
  readonly #waiting = new Map<AuthorTag, Set<Pending>>()
  /** Every pending message not quarantined, in arrival order, which is deadline order. */
  readonly #arrivals = new Set<Pending>()
  #bytes = 0
  /** Quarantined messages (also in #pending), oldest first. */
  readonly #quarantine = new Set<Pending>()
  #quarantinedBytes = 0

  constructor (init: CausalBufferInit = {}) {
    this.#maxMessages = init.maxMessages ?? DEFAULT_BUFFER_MAX_MESSAGES
    this.#maxBytes = init.maxBytes ?? DEFAULT_BUFFER_MAX_BYTES
    this.#maxPerAuthor = init.maxPerAuthor ?? DEFAULT_BUFFER_MAX_PER_AUTHOR
    this.#maxSeqGap = init.maxSeqGap ?? DEFAULT_MAX_SEQ_GAP
    this.#timeout = init.dependencyTimeoutMs ?? DEFAULT_DEPENDENCY_TIMEOUT_MS
    this.#maxQuarantined = init.maxQuarantined ?? DEFAULT_QUARANTINE_MAX_MESSAGES
    this.#maxQuarantinedBytes = init.maxQuarantinedBytes ?? DEFAULT_QUARANTINE_MAX_BYTES
    this.#frontier = new Map(init.frontier ?? [])
    for (const author of this.#frontier.keys()) this.#tags.add(author)
  }

  /** Released so far: per author, the highest seq released (all lower ones were released too). */
  get frontier (): VersionVector {
    return clockFrom(this.#frontier)
  }

  /** Messages waiting (not counting the quarantined). */
  get size (): number {
    return this.#arrivals.size
  }

  /** Bytes of the messages waiting. */
  get bytes (): number {
    return this.#bytes
  }

  /** Quarantined messages and their bytes. */
  get quarantined (): { messages: number, bytes: number } {
    return { messages: this.#quarantine.size, bytes: this.#quarantinedBytes }
  }

  /** Authors known under a dependency tag (those released or waiting). */
  resolveTag (tag: AuthorTag): readonly AuthorId[] {
    return this.#tags.resolve(tag)
  }

  /** Offers a verified envelope. */
  add (env: Envelope, now: number): AddResult {
    const released = clockGet(this.#frontier, env.author)
    if (env.seq <= released) return { status: 'duplicate', deliverable: [] }
    const existing = this.#pending.get(env.author)?.get(env.seq)
    if (existing !== undefined) {
      return equalBytes(existing.env.body, env.body)
        ? { status: 'duplicate', deliverable: [] }
        : { status: 'conflict', deliverable: [], existing: existing.env }
    }
    if (env.seq - released > this.#maxSeqGap) {
      return {
        status: 'rejected',
        deliverable: [],
        reason: 'too-far-ahead',
        error: new SeqOutOfRangeError(`seq ${env.seq} is more than ${this.#maxSeqGap} above ${released}, the last delivered from ${env.author}`)
      }
    }
    this.#tags.add(env.author)
    const pending: Pending = { env, deadline: now + this.#timeout }
    if (this.#blocker(pending) === null) {
      return { status: 'released', deliverable: this.#release(pending) }
    }
    const perAuthor = this.#pending.get(env.author)?.size ?? 0
    if (this.#arrivals.size >= this.#maxMessages || this.#bytes + env.bytes.length > this.#maxBytes ||
      perAuthor >= this.#maxPerAuthor) {
      return { status: 'rejected', deliverable: [], reason: 'buffer-full' }
    }
    this.#insert(pending)
    return { status: 'buffered', deliverable: [] }
  }

  /**
   * Quarantines the messages whose deadline passed, then forgets the oldest quarantined ones
   * while the quarantine is over its bounds; returns both, with what each waited for.
   */
  expire (now: number): Expired[] {
    const out: Expired[] = []
    for (const p of this.#arrivals) {
      if (p.deadline > now) break
      out.push({ envelope: p.env, reason: 'dependency-timeout', waitingFor: this.#waitingFor(p) })
      this.#arrivals.delete(p)
      this.#bytes -= p.env.bytes.length
      p.quarantined = true
      this.#quarantine.add(p)
      this.#quarantinedBytes += p.env.bytes.length
    }
    for (const p of this.#quarantine) {
      if (this.#quarantine.size <= this.#maxQuarantined && this.#quarantinedBytes <= this.#maxQuarantinedBytes) break
      out.push({ envelope: p.env, reason: 'quarantine-full', waitingFor: this.#waitingFor(p) })
      this.#remove(p)
    }
    return out
  }

  /** When the next message would expire, or undefined when none waits. */
  nextDeadline (): number | undefined {
    for (const p of this.#arrivals) return p.deadline
    return undefined
  }

  /**
   * Treats everything of `author` up to `seq` as delivered without delivering
   * it: for history that no peer retains any more. Waiting messages at or below
   * `seq` are dropped (returned); those it unblocks are released.
   */
  skipTo (author: AuthorId, seq: number): { dropped: Envelope[], deliverable: Envelope[] } {
    const dropped: Envelope[] = []
    if (seq <= clockGet(this.#frontier, author)) return { dropped, deliverable: [] }
    for (const p of [...this.#pending.get(author)?.values() ?? []]) {
      if (p.env.seq <= seq) {
        dropped.push(p.env)
        this.#remove(p)
      }
    }
    this.#tags.add(author)
    this.#frontier.set(author, seq)
    return { dropped, deliverable: this.#release(...this.#unblockedBy(author)) }
  }

  /** What to fetch so that every waiting message can be released (the quarantined are not repaired). */
  missing (): Missing {
    const upTo = new Map<AuthorId, number>()
    const unknown = new Map<AuthorTag, number>()
    for (const [author, byseq] of this.#pending) {
      for (const [seq, p] of byseq) if (p.quarantined !== true) upTo.set(author, Math.max(upTo.get(author) ?? 0, seq - 1))
    }
    for (const [tag, waiters] of this.#waiting) {
      let need = 0
      for (const p of waiters) {
        if (p.quarantined === true) continue
        for (const dep of p.env.context.deps) if (dep.tag === tag) need = Math.max(need, dep.seq)
      }
      if (need === 0) continue
      const authors = this.#tags.resolve(tag)
      if (authors.length === 0) unknown.set(tag, Math.max(unknown.get(tag) ?? 0, need))
      for (const author of authors) upTo.set(author, Math.max(upTo.get(author) ?? 0, need))
    }
    const ranges: SeqRange[] = []
    for (const [author, last] of upTo) {
      const held = this.#pending.get(author)
      let from = clockGet(this.#frontier, author) + 1
      for (let seq = from; seq <= last + 1; seq++) {
        if (seq === last + 1 || held?.has(seq) === true) {
          if (seq > from) ranges.push({ author, from, to: seq - 1 })
          from = seq + 1
        }
      }
    }
    return { ranges, unknown: [...unknown].map(([tag, seq]) => ({ tag, seq })) }
  }

  /** Null when `p` can be released now; 'self' when it waits for its author's previous message; else the tag it waits on. */
  #blocker (p: Pending): AuthorTag | 'self' | null {
    if (clockGet(this.#frontier, p.env.author) !== p.env.seq - 1) return 'self'
    for (const dep of p.env.context.deps) {
      if (!this.#met(dep.tag, dep.seq)) return dep.tag
    }
    return null
  }

  #met (tag: AuthorTag, seq: number): boolean {
    for (const author of this.#tags.resolve(tag)) if (clockGet(this.#frontier, author) >= seq) return true
    return false
  }

  #waitingFor (p: Pending): WaitingFor {
    const blocker = this.#blocker(p)
    if (blocker === 'self' || blocker === null) {
      return { author: p.env.author, tag: p.env.authorTag, seq: p.env.seq - 1 }
    }
    const dep = p.env.context.deps.find(d => d.tag === blocker)!
    const authors = this.#tags.resolve(blocker)
    return authors.length === 1 ? { author: authors[0], tag: blocker, seq: dep.seq } : { tag: blocker, seq: dep.seq }
  }

  #insert (p: Pending): void {
    let byseq = this.#pending.get(p.env.author)
    if (byseq === undefined) {
      byseq = new Map()
      this.#pending.set(p.env.author, byseq)
    }
    byseq.set(p.env.seq, p)
    this.#arrivals.add(p)
    this.#bytes += p.env.bytes.length
    this.#park(p)
  }

  #remove (p: Pending): void {
    const byseq = this.#pending.get(p.env.author)
    if (byseq?.get(p.env.seq) !== p) return
    byseq.delete(p.env.seq)
    if (byseq.size === 0) this.#pending.delete(p.env.author)
    if (p.quarantined === true) {
      this.#quarantine.delete(p)
      this.#quarantinedBytes -= p.env.bytes.length
    } else {
      this.#arrivals.delete(p)
      this.#bytes -= p.env.bytes.length
    }
    this.#unpark(p)
  }

  /** True when `p` is held here (waiting or quarantined), not just offered. */
  #holds (p: Pending): boolean {
    return this.#pending.get(p.env.author)?.get(p.env.seq) === p
  }

  /** Files a blocked message under the dependency it waits for (a message waiting for its own predecessor is found through #pending). */
  #park (p: Pending): void {
    const blocker = this.#blocker(p)
    const tag = blocker === 'self' || blocker === null ? undefined : blocker
    if (tag === p.waitingOn) return
    this.#unpark(p)
    if (tag === undefined) return
    p.waitingOn = tag
    let set = this.#waiting.get(tag)
    if (set === undefined) {
      set = new Set()
      this.#waiting.set(tag, set)
    }
    set.add(p)
  }

  #unpark (p: Pending): void {
    if (p.waitingOn === undefined) return
    const set = this.#waiting.get(p.waitingOn)
    set?.delete(p)
    if (set?.size === 0) this.#waiting.delete(p.waitingOn)
    p.waitingOn = undefined
  }

  /** Pending messages that a release from `author` may unblock. */
  #unblockedBy (author: AuthorId): Pending[] {
    const out: Pending[] = []
    const next = this.#pending.get(author)?.get(clockGet(this.#frontier, author) + 1)
    if (next !== undefined) out.push(next)
    const waiters = this.#waiting.get(tagOfAuthor(author))
    if (waiters !== undefined) out.push(...waiters)
    return out
  }

  /** Releases `start` (if deliverable) and everything it unblocks, in causal order. */
  #release (...start: Pending[]): Envelope[] {
    const out: Envelope[] = []
    const stack = [...start]
    while (stack.length > 0) {
      const p = stack.pop()!
      const blocker = this.#blocker(p)
      if (blocker !== null) {
        if (this.#holds(p)) this.#park(p)
        continue
      }
      if (this.#holds(p)) this.#remove(p)
      else if (clockGet(this.#frontier, p.env.author) >= p.env.seq) continue
      this.#frontier.set(p.env.author, p.env.seq)
      out.push(p.env)
      stack.push(...this.#unblockedBy(p.env.author))
    }
    return out
  }
}
