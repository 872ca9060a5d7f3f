/**
 * The outbox of one author in one topic: every message it wrote, from
 * `queued` through `sent` (attempts counted, next retry time) to `acked` by
 * `ackQuorum` distinct peers, or `expired` after its TTL. It sets no timers:
 * `due(now)` says what to send, `nextWakeAt()` when to look again. Entries are
 * plain data, so a store can persist them and a new Outbox can resume them.
 */
import { DEFAULT_ACK_QUORUM, DEFAULT_OUTBOX_TTL_MS, DEFAULT_OUTBOX_WINDOW, DEFAULT_RETRY_MAX_MS } from '../constants.ts'
import { InvalidArgumentError, OutboxFullError } from '../errors.ts'
import { retryDelay } from './retry.ts'
import type { RetryPolicy } from './retry.ts'

export type OutboxState = 'queued' | 'sent' | 'acked' | 'expired'

/** One message in the outbox, as persisted. */
export interface OutboxEntry {
  readonly id: string
  readonly seq: number
  readonly state: OutboxState
  /** Send attempts made so far. */
  readonly attempts: number
  readonly createdAt: number
  /** When to send it next (queued or sent). */
  readonly nextAttemptAt: number
  readonly expiresAt: number
  /** Peers that confirmed custody. */
  readonly ackedBy: readonly string[]
  /** Why it expired. */
  readonly reason?: 'ttl'
}

export interface OutboxInit {
  /** Distinct peers that must confirm custody. @default DEFAULT_ACK_QUORUM (1) */
  ackQuorum?: number
  /** Unacked messages allowed; `add` past it throws OutboxFullError (callers wait on `hasRoom` first). @default DEFAULT_OUTBOX_WINDOW (256) */
  window?: number
  /** @default DEFAULT_OUTBOX_TTL_MS (7 days) */
  ttlMs?: number
  retry?: RetryPolicy
  /** Random numbers in [0, 1) for jitter. Injected: the core has no randomness. */
  random: () => number
  /** Entries loaded from a store. */
  entries?: Iterable<OutboxEntry>
}

export class Outbox {
  readonly #quorum: number
  readonly #window: number
  readonly #ttl: number
  readonly #retry: RetryPolicy
  readonly #random: () => number
  /** Unacked, unexpired entries by seq. */
  readonly #open = new Map<number, OutboxEntry>()
  readonly #expired: OutboxEntry[] = []
  /** Seqs whose send was put off once by `defer` (never twice, so no peer can put one off for ever). */
  readonly #deferred = new Set<number>()

  constructor (init: OutboxInit) {
    this.#quorum = init.ackQuorum ?? DEFAULT_ACK_QUORUM
    this.#window = init.window ?? DEFAULT_OUTBOX_WINDOW
    this.#ttl = init.ttlMs ?? DEFAULT_OUTBOX_TTL_MS
    this.#retry = init.retry ?? {}
    this.#random = init.random
    if (!Number.isInteger(this.#quorum) || this.#quorum < 1) throw new InvalidArgumentError('ackQuorum must be a positive integer')
    if (!Number.isInteger(this.#window) || this.#window < 1) throw new InvalidArgumentError('window must be a positive integer')
    for (const e of init.entries ?? []) {
      if (e.state === 'expired') this.#expired.push(e)
      else if (e.state !== 'acked') this.#open.set(e.seq, e)
    }
  }

  /** Unacked messages (queued or sent). */
  get inFlight (): number {
    return this.#open.size
  }

  /** True when `add` would be accepted. */
  get hasRoom (): boolean {
    return this.#open.size < this.#window
  }

  /** Adds a message just committed locally; it is due at once. */
  add (message: { id: string, seq: number }, now: number): OutboxEntry {
    if (!this.hasRoom) throw new OutboxFullError(`${this.#open.size} messages await custody acks (window ${this.#window})`)
    if (this.#open.has(message.seq)) throw new InvalidArgumentError(`seq ${message.seq} is already in the outbox`)
    const entry: OutboxEntry = {
      id: message.id,
      seq: message.seq,
      state: 'queued',
      attempts: 0,
      createdAt: now,
      nextAttemptAt: now,
      expiresAt: now + this.#ttl,
      ackedBy: []
    }
    this.#open.set(entry.seq, entry)
    return entry
  }

  /** Drops an entry that never made it to the store (the write that should have kept it failed). */
  remove (seq: number): boolean {
    this.#deferred.delete(seq)
    return this.#open.delete(seq)
  }

  /**
   * A peer is fetching seqs `from` … `to` by itself (it asked for them by sync): their next
   * send waits until `until`, not counted as an attempt. Each entry is put off once at most,
   * so a peer that keeps asking cannot hold a message back from the others for ever.
   * Returns how many entries were put off.
   */
  defer (from: number, to: number, until: number): number {
    let n = 0
    for (const [s, e] of this.#open) {
      if (s < from || s > to || this.#deferred.has(s) || e.nextAttemptAt >= until) continue
      this.#deferred.add(s)
      this.#open.set(s, { ...e, nextAttemptAt: until })
      n++
    }
    return n
  }

  /** The open entry for `seq`. */
  get (seq: number): OutboxEntry | undefined {
    return this.#open.get(seq)
  }

  /**
   * Entries to send now, lowest seq first. Times are wall clock (they are persisted), so the
   * clock may have gone back since an attempt was scheduled: an attempt further ahead than the
   * longest backoff is due now, or a clock set back an hour would hold retries for an hour.
   */
  due (now: number): OutboxEntry[] {
    const latest = now + (this.#retry.maxMs ?? DEFAULT_RETRY_MAX_MS)
    return [...this.#open.values()].filter(e => (e.nextAttemptAt <= now || e.nextAttemptAt > latest) && e.expiresAt > now).sort((a, b) => a.seq - b.seq)
  }

  /** Records a send attempt and schedules the next one. */
  markSent (seq: number, now: number): OutboxEntry | undefined {
    const e = this.#open.get(seq)
    if (e === undefined) return undefined
    const attempts = e.attempts + 1
    const next: OutboxEntry = {
      ...e,
      state: 'sent',
      attempts,
      nextAttemptAt: now + retryDelay(attempts, this.#random(), this.#retry)
    }
    this.#open.set(seq, next)
    return next
  }

  /**
   * A peer confirmed custody of everything up to `seq` (its version vector
   * entry for this author: acks are cumulative). Returns entries that just
   * reached the quorum, now `acked` and out of the window.
   */
  ackUpTo (peer: string, seq: number): OutboxEntry[] {
    const done: OutboxEntry[] = []
    for (const [s, e] of this.#open) {
      if (s > seq || e.ackedBy.includes(peer)) continue
      const ackedBy = [...e.ackedBy, peer]
      if (ackedBy.length >= this.#quorum) {
        this.#open.delete(s)
        this.#deferred.delete(s)
        done.push({ ...e, state: 'acked', ackedBy })
      } else {
        this.#open.set(s, { ...e, ackedBy })
      }
    }
    return done.sort((a, b) => a.seq - b.seq)
  }

  /** Moves entries past their TTL to `expired` and returns them. */
  expire (now: number): OutboxEntry[] {
    const out: OutboxEntry[] = []
    for (const [s, e] of this.#open) {
      if (e.expiresAt <= now) {
        this.#open.delete(s)
        this.#deferred.delete(s)
        out.push({ ...e, state: 'expired', reason: 'ttl' })
      }
    }
    this.#expired.push(...out)
    return out.sort((a, b) => a.seq - b.seq)
  }

  /** Expired entries, kept for the application to list until `clearExpired`. */
  get expired (): readonly OutboxEntry[] {
    return this.#expired
  }

  clearExpired (): void {
    this.#expired.length = 0
  }

  /** The unacked entries, lowest seq first. */
  entries (): OutboxEntry[] {
    return [...this.#open.values()].sort((a, b) => a.seq - b.seq)
  }

  /** The earliest time something is due or expires, or undefined when nothing is open. */
  nextWakeAt (): number | undefined {
    let next: number | undefined
    for (const e of this.#open.values()) {
      const t = Math.min(e.nextAttemptAt, e.expiresAt)
      if (next === undefined || t < next) next = t
    }
    return next
  }
}
