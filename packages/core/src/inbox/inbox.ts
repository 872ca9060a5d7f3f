/**
 * The inbox of one topic: drops duplicates (by id, and by (author, seq)
 * against the frontier), spots equivocation, orders through the causal buffer,
 * and keeps two frontiers:
 * - `released`: what the buffer handed out (in memory);
 * - `delivered`: what the application finished handling (`markDelivered`),
 *   the state a store persists. After a crash the inbox restarts from the
 *   persisted `delivered`, so a message whose handler had not finished is
 *   released again (at-least-once across a crash, never after).
 */
import { DEFAULT_RECENT_DELIVERED, DEFAULT_SEEN_IDS } from '../constants.ts'
import { CausalBuffer } from '../causal/causal-buffer.ts'
import { CausalHistory } from '../causal/causal-history.ts'
import { clockFrom, clockGet } from '../clock/vector-clock.ts'
import { InvalidArgumentError } from '../errors.ts'
import { proveEquivocation } from '../equivocation/equivocation.ts'
import { BoundedMap } from '../util/lru.ts'
import type { CausalBufferInit, Expired, Missing } from '../causal/causal-buffer.ts'
import type { VectorClock, VersionVector } from '../clock/vector-clock.ts'
import type { CausalContext, Envelope } from '../envelope/envelope.ts'
import type { EquivocationProof } from '../equivocation/equivocation.ts'
import type { AuthorId } from '../util/author.ts'

export interface InboxInit extends Omit<CausalBufferInit, 'frontier'> {
  /** The persisted delivered frontier. @default empty */
  delivered?: VersionVector
  /**
   * What is already released beyond `delivered`: messages stored but not yet
   * handled, which the caller delivers from its store. Entries below
   * `delivered` are ignored. @default `delivered`
   */
  released?: VersionVector
  /** Ids remembered for cheap duplicate drops. @default DEFAULT_SEEN_IDS (16,384) */
  seenIds?: number
  /** Recently delivered (author, seq) → id pairs kept to spot equivocation. @default DEFAULT_RECENT_DELIVERED (16,384) */
  recentDelivered?: number
  /** Clocks cached for causal contexts. @default DEFAULT_CLOCK_CACHE (4,096) */
  clockCache?: number
}

/**
 * What became of a received envelope. Besides the buffer's statuses:
 * - `equivocation`: same (author, seq) as a message held in the buffer, different body; `proof` holds both;
 * - `conflict`: same (author, seq) as an already delivered message with another id (`deliveredId`):
 *   fetch that one from the store and call `proveEquivocation`.
 */
export interface ReceiveResult {
  status: 'released' | 'buffered' | 'duplicate' | 'equivocation' | 'conflict' | 'rejected'
  /** Envelopes to hand to the application, in this order. */
  deliverable: Envelope[]
  reason?: 'too-far-ahead' | 'buffer-full'
  error?: Error
  proof?: EquivocationProof
  deliveredId?: string
}

export class Inbox {
  readonly #buffer: CausalBuffer
  readonly #history: CausalHistory
  readonly #delivered: Map<AuthorId, number>
  readonly #seen: BoundedMap<string, true>
  readonly #recent: BoundedMap<string, string>

  constructor (init: InboxInit = {}) {
    this.#delivered = new Map(init.delivered ?? [])
    const released = new Map(this.#delivered)
    for (const [author, seq] of init.released ?? []) if (seq > (released.get(author) ?? 0)) released.set(author, seq)
    this.#buffer = new CausalBuffer({ ...init, frontier: released })
    this.#history = new CausalHistory({ resolveTag: tag => this.#buffer.resolveTag(tag), clockCache: init.clockCache })
    this.#seen = new BoundedMap(init.seenIds ?? DEFAULT_SEEN_IDS)
    this.#recent = new BoundedMap(init.recentDelivered ?? DEFAULT_RECENT_DELIVERED)
  }

  /** True when an envelope with this id was received recently: drop it before decoding or verifying. */
  hasSeen (id: string): boolean {
    return this.#seen.has(id)
  }

  /** Takes a verified envelope. */
  receive (env: Envelope, now: number): ReceiveResult {
    if (this.#seen.has(env.id)) return { status: 'duplicate', deliverable: [] }
    const key = `${env.author}/${env.seq}`
    const recentId = this.#recent.get(key)
    if (recentId !== undefined && recentId !== env.id) {
      return { status: 'conflict', deliverable: [], deliveredId: recentId }
    }
    const result = this.#buffer.add(env, now)
    if (result.status === 'conflict') {
      return { status: 'equivocation', deliverable: [], proof: proveEquivocation(result.existing!, env) }
    }
    if (result.status !== 'rejected') this.#seen.set(env.id, true)
    for (const out of result.deliverable) {
      this.#recent.set(`${out.author}/${out.seq}`, out.id)
      this.#history.record(out)
    }
    return {
      status: result.status,
      deliverable: result.deliverable,
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
      ...(result.error !== undefined ? { error: result.error } : {})
    }
  }

  /**
   * Records that the application finished with `env`. Must follow release
   * order per author; returns the new delivered frontier entry to persist.
   */
  markDelivered (env: Envelope): { author: AuthorId, seq: number } {
    const current = clockGet(this.#delivered, env.author)
    if (env.seq !== current + 1) {
      throw new InvalidArgumentError(`delivered ${env.author}/${env.seq} out of order (last delivered ${current})`)
    }
    this.#delivered.set(env.author, env.seq)
    return { author: env.author, seq: env.seq }
  }

  /** What the application finished handling: the frontier to persist. */
  get delivered (): VersionVector {
    return clockFrom(this.#delivered)
  }

  /** What was handed out to the application (delivered or being handled). */
  get released (): VersionVector {
    return this.#buffer.frontier
  }

  /** Messages waiting in the causal buffer, and their bytes. */
  get buffered (): { messages: number, bytes: number } {
    return { messages: this.#buffer.size, bytes: this.#buffer.bytes }
  }

  /** Messages that waited too long for a dependency, kept aside (`expire`), and their bytes. */
  get quarantined (): { messages: number, bytes: number } {
    return this.#buffer.quarantined
  }

  /** What to fetch so that every waiting message can be released. */
  missing (): Missing {
    return this.#buffer.missing()
  }

  /**
   * Messages that waited too long for a dependency: quarantined (copies stay duplicates; released
   * if the dependency comes), or forgotten to bound the quarantine (no longer seen: a copy is
   * taken again, so that sync can still bring it).
   */
  expire (now: number): Expired[] {
    const out = this.#buffer.expire(now)
    for (const e of out) if (e.reason === 'quarantine-full') this.#seen.delete(e.envelope.id)
    return out
  }

  nextDeadline (): number | undefined {
    return this.#buffer.nextDeadline()
  }

  /**
   * History below `seq` of `author` is gone from every peer (retention): treat
   * it as delivered. Returns the waiting messages dropped and those released.
   */
  skipTo (author: AuthorId, seq: number): { dropped: Envelope[], deliverable: Envelope[] } {
    const result = this.#buffer.skipTo(author, seq)
    if (seq > clockGet(this.#delivered, author)) this.#delivered.set(author, seq)
    for (const out of result.deliverable) this.#history.record(out)
    return result
  }

  /**
   * The causal context for `self`'s next message in this topic: what was released (`of:
   * 'released'`, the default), or only what the application finished handling (`of:
   * 'delivered'`, plus `self`'s own messages). A peer that stores what it releases before
   * handing it out wants `delivered`: a message released but not yet stored may be lost in a
   * crash, and an own message committed meanwhile must not depend on it (its author would hold
   * the message and not what it depends on).
   */
  contextFor (self: AuthorId, options: { full?: boolean, of?: 'released' | 'delivered' } = {}): CausalContext {
    if (options.of !== 'delivered') return this.#history.contextFor(self, this.#buffer.frontier, options.full === true)
    const frontier = new Map(this.#delivered)
    const own = clockGet(this.#buffer.frontier, self)
    if (own > 0) frontier.set(self, own)
    return this.#history.contextFor(self, frontier, options.full === true)
  }

  /** The expanded vector clock of a released message, while it is still cached. */
  clockOf (author: AuthorId, seq: number): VectorClock | undefined {
    return this.#history.clockOf(author, seq)
  }
}
