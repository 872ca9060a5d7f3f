/**
 * What one peer knows about one remote peer it is connected to: the stream
 * it sends frames on, the remote's frontiers per topic (what it holds, so
 * also its custody acks for my messages), the wants in flight, and a token
 * bucket for the wants it serves.
 */
import { MAX_REMOTE_TOPICS, STALL_MS, WANT_BURST, WANT_RATE_PER_S } from '../constants.ts'
import { writeFrame } from './framing.ts'
import type { Stream } from '@libp2p/interface'
import type { VersionVector } from '@weft/core'
import type { SyncFrame } from './pb/sync.ts'

export interface RemoteTopic {
  held: Map<string, number>
  oldest: Map<string, number>
  /** When its entry for my author last moved (for the slow-peer grace). */
  ackMovedAt: number
}

export class Session {
  readonly remote: string
  readonly stream: Stream
  readonly topics = new Map<string, RemoteTopic>()
  /** Wants I sent and await the last batch of: topic → want id. */
  readonly wants = new Map<string, number>()
  /** Envelopes received so far for the want in flight, per topic. */
  readonly received = new Map<string, number>()
  /** Per topic, the timer that gives up the want in flight (WANT_TIMEOUT_MS). */
  readonly wantTimers = new Map<string, ReturnType<typeof setTimeout>>()
  /**
   * Wants whose replies are taken although they are not the topic's want in flight, by want id:
   * wants that timed out (a paused peer answers late) and repair wants for corrupt records.
   * At most MAX_DETACHED_WANTS, oldest dropped.
   */
  readonly detached = new Map<number, { topic: string, received: number }>()
  /** Batch frames received that answered no want of mine. */
  unaskedFrames = 0
  /**
   * Topics where the remote's last reply was empty although its frontier promised more, or never
   * came: not asked again until its frontier moves, or STALL_MS passed (time of the end, per topic).
   */
  readonly stalled = new Map<string, number>()
  /** Frontier entries changed since the last Have, per topic. */
  readonly pendingHave = new Map<string, Map<string, number>>()
  haveTimer: ReturnType<typeof setTimeout> | undefined
  /** When the pending Have goes out (monotonic ms). */
  haveAt = 0
  /** Per topic, a pull waiting out PULL_GRACE_MS after a Have. */
  readonly pullTimers = new Map<string, ReturnType<typeof setTimeout>>()
  #tokens = WANT_BURST
  #refilledAt: number
  #queue: Promise<void> = Promise.resolve()
  closed = false

  constructor (remote: string, stream: Stream, now: number) {
    this.remote = remote
    this.stream = stream
    this.#refilledAt = now
  }

  /** Sends a frame; frames go out in call order. Errors close the session (the caller hears of it through `closed`). */
  send (frame: SyncFrame): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      if (this.closed) return
      try {
        await writeFrame(this.stream, frame)
      } catch {
        this.closed = true
      }
    })
    return this.#queue
  }

  /** Leaves the remote alone for `topic` until its frontier moves or STALL_MS passed. */
  stall (topic: string, now: number): void {
    this.stalled.set(topic, now + STALL_MS)
  }

  isStalled (topic: string, now: number): boolean {
    return (this.stalled.get(topic) ?? 0) > now
  }

  /** Takes a token for serving one want; false when the remote asks too often. `now` is monotonic (a wall-clock jump back once left a debt of hours). */
  takeToken (now: number): boolean {
    this.#tokens = Math.min(WANT_BURST, this.#tokens + Math.max(0, now - this.#refilledAt) * WANT_RATE_PER_S / 1000)
    this.#refilledAt = now
    if (this.#tokens < 1) return false
    this.#tokens--
    return true
  }

  /** Merges a frontier from the remote; returns the remote's held entry for `author` before and after. */
  update (topic: string, held: VersionVector, oldest: VersionVector, full: boolean, author: string, now: number): { before: number, after: number } {
    let t = this.topics.get(topic)
    if (t === undefined) {
      if (this.topics.size >= MAX_REMOTE_TOPICS) return { before: 0, after: 0 } // a peer naming endless topics: ignored past the cap
      t = { held: new Map(), oldest: new Map(), ackMovedAt: now }
      this.topics.set(topic, t)
    }
    const before = t.held.get(author) ?? 0
    let moved = false
    for (const [a, s] of held) if (s > (t.held.get(a) ?? 0)) moved = true
    for (const [a, s] of oldest) if (s !== (t.oldest.get(a) ?? 1)) moved = true
    if (full) {
      t.held = new Map(held)
      t.oldest = new Map(oldest)
    } else {
      for (const [a, s] of held) if (s > (t.held.get(a) ?? 0)) t.held.set(a, s)
      for (const [a, s] of oldest) t.oldest.set(a, s)
    }
    // a peer that withheld or pruned is asked again only once it holds more (RELIABILITY.md row 25)
    if (moved) this.stalled.delete(topic)
    const after = t.held.get(author) ?? 0
    if (after !== before) t.ackMovedAt = now
    return { before, after }
  }
}
