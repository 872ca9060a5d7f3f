/**
 * One topic of a peer: publish (durable, flow-controlled), subscribe (causal,
 * exactly once, frontier persisted after the handler), the outbox with its
 * retries, and repair of gaps. All store writes and deliveries of a topic run
 * through one serial task queue, in order.
 */
import { CausalBuffer, Inbox, Outbox, authorIdFromKey, clockGet, clockToObject, decodeEnvelope, envelopeId, equalBytes, fromUtf8, openEnvelope, proveEquivocation, sealBatch, utf8, verifyEquivocationProof } from '@weft/core'
import {
  ACK_PERSIST_MS, MAX_OPEN_HEADS, MAX_PROOFS_PER_TOPIC, OUTBOX_TICK_MS, PRUNE_BATCH, RECEIVE_BATCH, REPAIR_ASK_PEERS, REPAIR_DELAY_MS, REPLAY_BEHIND_MAX_MS, REPLAY_BEHIND_MS, RESEND_ROUND, SLOW_PEER_GRACE_MS, WANT_TIMEOUT_MS,
  STOP_GRACE_MS, STORE_BATCH, STORE_RETRY_MAX_MS, STORE_RETRY_MS
} from './constants.ts'
import { packGossip } from './bundle.ts'
import { PeerStoppedError, WindowFullError } from './errors.ts'
import { readInLogOrder } from './log-reader.ts'
import { checkRetention, limitsHistory, sameRetention } from './retention.ts'
import type { CryptoSuite, Envelope, EnvelopeLimits, EquivocationProof, InboxInit, OutboxEntry, Retention, RetryPolicy, SeqRange, Signer, VerifiedBatches, VersionVector, WeftStore } from '@weft/core'
import type { MeshEvents } from './events.ts'

type EventName = { [K in keyof MeshEvents]: MeshEvents[K] extends CustomEvent<unknown> ? K : never }[keyof MeshEvents]
type DetailOf<K extends EventName> = MeshEvents[K] extends CustomEvent<infer D> ? D : never
import type { Session } from './sync/session.ts'

/** A message handed to the application. */
export interface DeliveredMessage {
  readonly topic: string
  readonly id: string
  readonly author: string
  readonly seq: number
  /** The author's wall clock when it wrote the message (ms); informational. */
  readonly time: number
  readonly payload: Uint8Array
  readonly contentType: string
  /** The message's causal context, expanded: for each other author, the highest seq its author had delivered (as far as this peer knows). */
  readonly deps: Record<string, number>
  /** True for my own messages. */
  readonly own: boolean
  /**
   * True when this message may have been delivered before: it was stored before this
   * process opened the topic and is past the delivered frontier persisted then (the
   * process ended between a delivery and the write recording it). A message whose
   * delivery was persisted (`delivery:persisted`) is never delivered again.
   */
  readonly redelivered: boolean
  /** The payload as UTF-8, or undefined when it is not valid UTF-8. */
  text(): string | undefined
  /** The payload parsed as JSON (throws on invalid JSON). */
  json<T = unknown>(): T
}

export type MessageHandler = (message: DeliveredMessage) => void | Promise<void>

export interface PublishOptions {
  /** MIME type of the payload. */
  contentType?: string
  /** Cancels the wait for room in the window (not the write once it started). */
  signal?: AbortSignal
  /** When the in-flight window is full: wait (true) or reject with WindowFullError (false). @default true */
  wait?: boolean
  /** Write the full causal context instead of its heads. @default false */
  fullContext?: boolean
}

/** How `acked` ends: never rejects. */
export type AckOutcome = { acked: true, peers: string[] } | { acked: false, reason: 'expired' | 'stopped' }

export interface Published {
  readonly id: string
  readonly seq: number
  /** Resolves once `ackQuorum` distinct peers confirmed they stored it (or it expired, or the peer stopped). */
  readonly acked: Promise<AckOutcome>
}

/** What a topic needs from its peer. */
/** The receive path's caches per topic (PeerInit.caches): each a positive whole number. */
export type InboxCaches = Pick<InboxInit, 'seenIds' | 'recentDelivered' | 'clockCache'>

export interface TopicContext {
  readonly me: string
  readonly signer: Signer
  readonly crypto: CryptoSuite
  /** Batch signatures already checked, shared by every topic of the peer. */
  readonly verifiedBatches: VerifiedBatches
  readonly network: string
  readonly store: WeftStore
  readonly limits?: EnvelopeLimits
  readonly ackQuorum: number
  readonly window: number
  readonly outboxLimit: number
  /** Received messages waiting for their store write at most (MAX_UNSTORED). */
  readonly maxUnstored: number
  readonly ttlMs?: number
  readonly retry?: RetryPolicy
  /** How much history every topic keeps unless the topic sets its own (none: the one stored, if any). */
  readonly retention?: Retention
  /** The receive path's cache sizes (PeerInit.caches). */
  readonly caches?: InboxCaches
  /** A topic with a retention prunes this often (PRUNE_INTERVAL_MS). */
  readonly pruneIntervalMs: number
  readonly dependencyTimeoutMs: number
  /** Wall clock: stamps, TTLs, persisted times. */
  now(): number
  /** A clock that never jumps: durations, timeouts, rates. */
  monotonic(): number
  random(): number
  /** Resolves once my author's seqs are known to the store (at once unless the key came from outside). */
  established(): Promise<void>
  gossip(topic: string, bytes: Uint8Array): Promise<void>
  sessions(): Iterable<Session>
  /** Queues frontier entries to send to every session (debounced). */
  announce(topic: string, entries: Iterable<readonly [string, number]>): void
  want(session: Session, topic: string, ranges: SeqRange[]): void
  /** Sends an equivocation proof to every connected peer but `except`. */
  spreadProof(topic: string, proof: EquivocationProof, except?: string): void
  emit<K extends EventName>(type: K, detail: DetailOf<K>): void
}

interface Waiter {
  resolve(): void
  reject(err: unknown): void
}

export class Topic {
  readonly name: string
  readonly #ctx: TopicContext
  readonly #inbox: Inbox
  readonly #outbox: Outbox
  readonly #handlers = new Set<MessageHandler>()
  /** What the store holds: per author the highest contiguous seq. */
  readonly #held: Map<string, number>
  readonly #oldest: Map<string, number>
  #tasks: Promise<void> = Promise.resolve()
  #publishing: Promise<unknown> = Promise.resolve()
  readonly #publishQueue: Array<{ payload: Uint8Array, options: PublishOptions, resolve: (p: Published) => void, reject: (err: unknown) => void }> = []
  #publisherRunning = false
  readonly #toStore: Envelope[] = []
  /** Delivered (handlers resolved) but not yet persisted; written with the next store write. */
  readonly #deliveredToPersist: Array<{ author: string, seq: number }> = []
  #storing = false
  /** Live deliveries wait here while handlers exist. */
  #live = false
  /**
   * The last replay left stored messages undelivered: they wait on what they depend on (a
   * corrupt record being fetched again, a message this store lost in a crash that comes again
   * later). Until a replay delivers everything stored, live deliveries go through replays too
   * (log order through a causal buffer), so that none overtakes what it depends on (C10 seed 72).
   */
  #behind = false
  #behindTimer: ReturnType<typeof setTimeout> | undefined
  /** Doubles (to REPLAY_BEHIND_MAX_MS) while replays deliver nothing: what waits on a message no peer has costs no more than a read every few seconds. */
  #behindDelay = REPLAY_BEHIND_MS
  readonly #ackWaiters = new Map<number, (outcome: AckOutcome) => void>()
  readonly #ackedToPersist: number[] = []
  #ackTimer: ReturnType<typeof setTimeout> | undefined
  readonly #roomWaiters = new Set<Waiter>()
  #repairTimer: ReturnType<typeof setTimeout> | undefined
  /** A failed store write of received messages is tried again after this timer (RELIABILITY.md row 27). */
  #storeRetry: ReturnType<typeof setTimeout> | undefined
  #storeRetryMs = STORE_RETRY_MS / 2
  /** Envelopes not taken because too many waited for the store (maxUnstored). */
  #shed = 0
  #shedding = false
  #stopped = false
  /** Stored before this process opened the topic, and the delivered frontier persisted then: between the two, a delivery may be a second one. */
  readonly #heldAtOpen: VersionVector
  readonly #deliveredAtOpen: VersionVector
  /** Equivocations known here, as `author/seq`: found by this peer or told by others (RELIABILITY.md row 13). */
  readonly #proofs: Set<string>
  /** Per author, the id of the last message stored since the topic opened (sent in Hello for fork detection). */
  readonly #heads = new Map<string, { seq: number, id: string }>()
  #retention: Retention
  /** When the next prune may run (monotonic). */
  #pruneAt = 0
  /** The topic has had a subscriber here (in this run, or a delivered frontier was stored): prune spares what it has not finished. */
  #hadSubscriber: boolean

  private constructor (name: string, ctx: TopicContext, held: VersionVector, oldest: VersionVector, delivered: VersionVector, outbox: OutboxEntry[], proofs: readonly EquivocationProof[], retention: Retention) {
    this.name = name
    this.#retention = retention
    this.#proofs = new Set(proofs.map(proofKey))
    this.#ctx = ctx
    this.#heldAtOpen = new Map(held)
    this.#deliveredAtOpen = new Map(delivered)
    this.#hadSubscriber = delivered.size > 0
    this.#held = new Map(held)
    this.#oldest = new Map(oldest)
    this.#inbox = new Inbox({ ...ctx.caches, dependencyTimeoutMs: ctx.dependencyTimeoutMs, delivered, released: held })
    this.#outbox = new Outbox({ ackQuorum: ctx.ackQuorum, window: ctx.outboxLimit, ttlMs: ctx.ttlMs, retry: ctx.retry, random: ctx.random, entries: outbox })
  }

  static async open (name: string, ctx: TopicContext): Promise<Topic> {
    const [held, oldest, delivered, outbox, proofs, stored] = await Promise.all([
      ctx.store.held(name), ctx.store.oldest(name), ctx.store.delivered(name), ctx.store.outbox(name, ctx.me), ctx.store.proofs(name), ctx.store.retention(name)
    ])
    const topic = new Topic(name, ctx, held, oldest, delivered, outbox, proofs, stored)
    if (ctx.retention !== undefined) await topic.setRetention(ctx.retention)
    await topic.#loadHeads()
    return topic
  }

  /**
   * The id of each author's held head, read from the store (MAX_OPEN_HEADS authors at most),
   * so that this peer's frontiers name its heads from the start, not only for authors stored
   * since the topic opened: two peers that each kept one version of an equivocated seq find the
   * fork when they meet, also after both restarted (RELIABILITY.md row 13).
   */
  async #loadHeads (): Promise<void> {
    const authors = [...this.#held].filter(([, seq]) => seq > 0).slice(0, MAX_OPEN_HEADS)
    for (let i = 0; i < authors.length; i += 64) {
      await Promise.all(authors.slice(i, i + 64).map(async ([author, seq]) => {
        const kept = await this.#storedAt(author, seq)
        if (kept !== undefined && !this.#heads.has(author)) this.#heads.set(author, { seq, id: envelopeId(kept, this.#ctx.crypto) })
      }))
    }
  }

  /** How much history the topic keeps (stored with it; empty: all of it). */
  get retention (): Retention {
    return { ...this.#retention }
  }

  /** Sets how much history the topic keeps; stored, so it holds after a restart. Throws RangeError for a bad limit. */
  async setRetention (retention: Retention): Promise<void> {
    const r = checkRetention(retention)
    if (!sameRetention(r, this.#retention)) await this.#ctx.store.setRetention(this.name, r)
    this.#retention = r
    this.#pruneAt = 0
  }

  /**
   * Drops the oldest messages past the topic's retention, PRUNE_BATCH at most, once per
   * `pruneIntervalMs` (or at once again while more is past it). Never an unacked message of
   * mine, and, once the topic has had a subscriber here, never one it has not finished. True
   * when some went (`oldest` moved: peers should hear of it).
   */
  async prune (): Promise<boolean> {
    const now = this.#ctx.monotonic()
    if (this.#stopped || !limitsHistory(this.#retention) || now < this.#pruneAt) return false
    const r = await this.#ctx.store.prune(this.name, { upTo: this.#hadSubscriber ? this.#inbox.delivered : undefined, max: PRUNE_BATCH })
    this.#pruneAt = now + (r.more ? 0 : this.#ctx.pruneIntervalMs)
    if (r.removed === 0) return false
    for (const [author, seq] of r.oldest) this.#oldest.set(author, seq)
    this.#ctx.emit('messages:pruned', { topic: this.name, count: r.removed, bytes: r.bytes })
    return true
  }

  /** Per author, the highest contiguous seq stored here. */
  get held (): VersionVector {
    return new Map(this.#held)
  }

  /** The highest contiguous seq of `author` stored here (0: none); no copy of the vector. */
  heldOf (author: string): number {
    return this.#held.get(author) ?? 0
  }

  get oldest (): VersionVector {
    return new Map(this.#oldest)
  }

  /** What the application finished handling. */
  get delivered (): VersionVector {
    return this.#inbox.delivered
  }

  /** My unacked messages: committed to the store, not yet acked (a publish still being written is not listed). */
  get outbox (): OutboxEntry[] {
    const committed = this.#held.get(this.#ctx.me) ?? 0
    return this.#outbox.entries().filter(e => e.seq <= committed)
  }

  /** My messages that expired unacked. */
  get expired (): readonly OutboxEntry[] {
    return this.#outbox.expired
  }

  /** Messages waiting for dependencies, and their bytes. */
  get buffered (): { messages: number, bytes: number } {
    return this.#inbox.buffered
  }

  /** Messages that waited too long for a dependency: kept aside, no longer repaired, delivered if it comes. */
  get quarantined (): { messages: number, bytes: number } {
    return this.#inbox.quarantined
  }

  /** Received messages waiting for their store write, and how many were not taken since the topic opened because too many waited. */
  get unstored (): { messages: number, shed: number } {
    return { messages: this.#toStore.length, shed: this.#shed }
  }

  /** Too many received messages wait for the store: take and ask for nothing more until they drain. */
  get #full (): boolean {
    return this.#toStore.length >= this.#ctx.maxUnstored
  }

  /** Published and not yet held by every active subscriber connected to me. */
  get inFlight (): number {
    const mine = this.#held.get(this.#ctx.me) ?? 0
    let lowest = mine
    const now = this.#ctx.monotonic()
    for (const s of this.#ctx.sessions()) {
      const t = s.topics.get(this.name)
      if (t === undefined) continue
      const acked = t.held.get(this.#ctx.me) ?? 0
      if (acked < mine && now - t.ackMovedAt < SLOW_PEER_GRACE_MS) lowest = Math.min(lowest, acked)
    }
    return mine - lowest
  }

  // ---- publish ------------------------------------------------------------

  async publish (data: Uint8Array | string, options: PublishOptions = {}): Promise<Published> {
    options.signal?.throwIfAborted()
    if (this.#stopped) throw new PeerStoppedError()
    await this.#ctx.established()
    return await new Promise<Published>((resolve, reject) => {
      this.#publishQueue.push({ payload: typeof data === 'string' ? utf8(data) : data, options, resolve, reject })
      if (!this.#publisherRunning) {
        this.#publisherRunning = true
        this.#publishing = this.#runPublisher().finally(() => { this.#publisherRunning = false })
      }
    })
  }

  /**
   * Publishes queued messages in batches: each batch is sealed in seq order
   * and committed in one store write (group commit), so concurrent publishes
   * share one fsync. A batch stops at the window; a failed write rejects its
   * whole batch and leaves the seq counter where it was.
   */
  async #runPublisher (): Promise<void> {
    const ctx = this.#ctx
    while (this.#publishQueue.length > 0) {
      const head = this.#publishQueue[0]!
      try {
        await this.#room(head.options)
      } catch (err) {
        this.#publishQueue.shift()
        head.reject(err)
        continue
      }
      if (this.#stopped) {
        for (const r of this.#publishQueue.splice(0)) r.reject(new PeerStoppedError())
        return
      }
      const room = Math.max(1, Math.min(ctx.window - this.inFlight, STORE_BATCH))
      const batch = this.#publishQueue.splice(0, room)
      const first = (this.#held.get(ctx.me) ?? 0) + 1
      const now = ctx.now()
      let envs: Envelope[]
      try {
        envs = await sealBatch(batch.map((r, i) => ({
          network: ctx.network,
          topic: this.name,
          seq: first + i,
          time: now,
          context: this.#inbox.contextFor(ctx.me, { full: r.options.fullContext === true, of: 'delivered' }),
          payload: r.payload,
          contentType: r.options.contentType
        })), ctx.signer, ctx.crypto, ctx.limits)
        const entries = envs.map(env => this.#outbox.add(env, now))
        try {
          await ctx.store.appendOwnBatch(envs, entries)
        } catch (err) {
          for (const env of envs) this.#outbox.remove(env.seq)
          throw err
        }
      } catch (err) {
        for (const r of batch) r.reject(err)
        continue
      }
      this.#held.set(ctx.me, first + envs.length - 1)
      this.#heads.set(ctx.me, { seq: envs[envs.length - 1]!.seq, id: envs[envs.length - 1]!.id })
      const released: Envelope[] = []
      for (const [i, env] of envs.entries()) {
        const acked = new Promise<AckOutcome>(resolve => this.#ackWaiters.set(env.seq, resolve))
        ctx.emit('message:queued', { topic: this.name, id: env.id, seq: env.seq })
        released.push(...this.#inbox.receive(env, now).deliverable)
        batch[i]!.resolve({ id: env.id, seq: env.seq, acked })
      }
      this.#take(released)
      await this.#send(envs.map(env => ({ id: env.id, seq: env.seq, bytes: env.bytes, attempt: 1 })))
    }
  }

  /** Waits until the in-flight window has room (or throws WindowFullError when asked not to wait). */
  async #room (options: PublishOptions): Promise<void> {
    while (this.inFlight >= this.#ctx.window || !this.#outbox.hasRoom) {
      if (options.wait === false) throw new WindowFullError(`${this.inFlight} messages in flight in topic "${this.name}" (window ${this.#ctx.window})`)
      options.signal?.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          resolve: () => { cleanup(); resolve() },
          reject: (err) => { cleanup(); reject(err) }
        }
        const onAbort = (): void => waiter.reject(options.signal?.reason)
        // a slow peer stops counting after the grace period: look again then
        const timer = setTimeout(() => waiter.resolve(), SLOW_PEER_GRACE_MS / 4)
        const cleanup = (): void => {
          clearTimeout(timer)
          this.#roomWaiters.delete(waiter)
          options.signal?.removeEventListener('abort', onAbort)
        }
        this.#roomWaiters.add(waiter)
        options.signal?.addEventListener('abort', onAbort)
      })
      if (this.#stopped) throw new PeerStoppedError()
    }
  }

  /** My seqs were learned from peers (a key this store did not create): continue above `seq`. */
  adopt (seq: number): void {
    const me = this.#ctx.me
    if (seq <= (this.#held.get(me) ?? 0)) return
    this.#held.set(me, seq)
    this.#oldest.set(me, seq + 1)
    this.#inbox.skipTo(me, seq)
  }

  /** Wakes publishers waiting for room. */
  wake (): void {
    for (const w of [...this.#roomWaiters]) w.resolve()
  }

  /**
   * One send attempt of my messages, in seq order: gossip (packed into bundles), plus a
   * frontier update so that connected peers pull what gossip missed.
   */
  async #send (sends: ReadonlyArray<{ id: string, seq: number, bytes: Uint8Array, attempt: number }>): Promise<void> {
    if (sends.length === 0) return
    const ctx = this.#ctx
    const now = ctx.now()
    for (const { id, seq, attempt } of sends) {
      this.#outbox.markSent(seq, now)
      ctx.emit('message:sent', { topic: this.name, id, seq, attempt })
    }
    ctx.announce(this.name, [[ctx.me, this.#held.get(ctx.me) ?? 0]])
    for (const data of packGossip(sends.map(s => s.bytes))) {
      await ctx.gossip(this.name, data).catch(() => undefined) // no peers yet: the outbox and sync cover it
    }
  }

  /** Re-sends what is due, expires what is too old; persists attempts. Returns when to look again. */
  async retry (): Promise<number | undefined> {
    const ctx = this.#ctx
    const now = ctx.now()
    for (const e of this.#outbox.expire(now)) {
      ctx.emit('message:expired', { topic: this.name, entry: e })
      this.#ackWaiters.get(e.seq)?.({ acked: false, reason: 'expired' })
      this.#ackWaiters.delete(e.seq)
    }
    const overdue = this.#outbox.due(now)
    const due = overdue.slice(0, RESEND_ROUND)
    if (due.length > 0) {
      const { messages } = await ctx.store.read(this.name, ctx.me, due[0]!.seq, due[due.length - 1]!.seq)
      const bySeq = new Map(messages.map(m => [m.seq, m.bytes]))
      await this.#send(due.flatMap(e => {
        const bytes = bySeq.get(e.seq)
        return bytes === undefined ? [] : [{ id: e.id, seq: e.seq, bytes, attempt: e.attempts + 1 }]
      }))
      await ctx.store.updateOutbox(this.name, ctx.me, due.map(e => this.#outbox.get(e.seq)!).filter(e => e !== undefined))
    }
    return overdue.length > due.length ? now + OUTBOX_TICK_MS : this.#outbox.nextWakeAt()
  }

  /**
   * A peer asked me by sync for `ranges`: my own messages among them reach it by that reply, so
   * their gossip re-sends wait as long as a want may take (once each, `Outbox.defer`). Without
   * this a peer back from hours offline got my unacked messages twice, by sync and by gossip.
   */
  fetching (ranges: readonly SeqRange[]): void {
    for (const r of ranges) {
      if (r.author === this.#ctx.me) this.#outbox.defer(r.from, r.to, this.#ctx.now() + WANT_TIMEOUT_MS)
    }
  }

  /** A connected peer holds my messages up to `seq` in this topic: custody ack. */
  async acked (peer: string, seq: number): Promise<void> {
    const done = this.#outbox.ackUpTo(peer, seq)
    this.wake()
    if (done.length === 0) return
    for (const e of done) {
      this.#ctx.emit('message:acked', { topic: this.name, id: e.id, seq: e.seq, peers: [...e.ackedBy] })
      this.#ackWaiters.get(e.seq)?.({ acked: true, peers: [...e.ackedBy] })
      this.#ackWaiters.delete(e.seq)
    }
    // Acked entries leave the stored outbox lazily (with the next publish commit, or within
    // ACK_PERSIST_MS): if the process dies first, they are sent once more and dropped as duplicates.
    this.#ackedToPersist.push(...done.map(e => e.seq))
    if (this.#ackTimer === undefined) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = undefined
        void this.#persistAcks()
      }, ACK_PERSIST_MS)
    }
  }

  async #persistAcks (): Promise<void> {
    const seqs = this.#ackedToPersist.splice(0)
    if (seqs.length > 0) await this.#ctx.store.updateOutbox(this.name, this.#ctx.me, [], seqs).catch(err => this.#error(err))
  }

  // ---- receive ------------------------------------------------------------

  /**
   * True when this very message (same bytes) is already stored here, so a copy
   * arriving now is a replay: gossip Ignores it and does not forward it
   * (RELIABILITY.md rows 7 and 8). A different message at a held (author, seq)
   * is not a replay; it goes on to the equivocation check.
   */
  async holds (env: Envelope): Promise<boolean> {
    if (env.seq > this.heldOf(env.author)) return false
    if (this.#inbox.hasSeen(env.id)) return true
    const kept = await this.#storedAt(env.author, env.seq)
    return kept !== undefined && equalBytes(kept, env.bytes)
  }

  /** The stored bytes of one message, if this peer holds it (and its record is sound). */
  async #storedAt (author: string, seq: number): Promise<Uint8Array | undefined> {
    const { messages } = await this.#ctx.store.read(this.name, author, seq, seq)
    return messages[0]?.bytes
  }

  /** Takes a verified envelope from gossip or sync; `from` is the peer that sent it. */
  ingest (env: Envelope, from: string): void {
    if (this.#stopped) return
    if (this.#full) {
      // not received, so not seen: sync brings it again once the store writes (see #kickStore)
      this.#shed++
      this.#shedding = true
      return
    }
    const r = this.#inbox.receive(env, this.#ctx.monotonic())
    if (r.status === 'equivocation' && r.proof !== undefined) {
      void this.#found(r.proof).catch(err => this.#error(err))
    } else if (r.status === 'conflict') {
      void this.checkHeld(env).catch(err => this.#error(err))
    } else if (r.status === 'rejected' && r.reason === 'too-far-ahead') {
      this.#ctx.emit('message:rejected', { topic: this.name, from, reason: r.error?.name ?? 'SeqOutOfRangeError' })
    } else if (r.status === 'buffered' || r.reason === 'buffer-full') {
      this.#scheduleRepair()
    }
    this.#take(r.deliverable)
  }

  /**
   * A verified message at an (author, seq) this peer already holds: if the stored one is
   * another message, the two prove an equivocation (also the reply to a fork check).
   */
  async checkHeld (env: Envelope): Promise<void> {
    if (this.#inbox.hasSeen(env.id)) return
    const kept = await this.#storedAt(env.author, env.seq)
    if (kept === undefined || equalBytes(kept, env.bytes)) return
    const first = await openEnvelope(kept, { crypto: this.#ctx.crypto, network: this.#ctx.network, topic: this.name, verifiedBatches: this.#ctx.verifiedBatches })
    await this.#found(proveEquivocation(first, env))
  }

  /** Per author, the id of the message at its held seq, where known (read at open, then kept as messages are stored). */
  get heads (): ReadonlyMap<string, string> {
    const out = new Map<string, string>()
    for (const [author, h] of this.#heads) {
      const id = this.headId(author, h.seq)
      if (id !== undefined) out.set(author, id)
    }
    return out
  }

  /** The id of the message (author, seq) when it is the author's held head, known in memory; no store read. */
  headId (author: string, seq: number): string | undefined {
    const head = this.#heads.get(author)
    return head?.seq === seq && this.heldOf(author) === seq ? head.id : undefined
  }

  /** The id of the stored message (author, seq), from memory when it is the head, else read from the store. */
  async idAt (author: string, seq: number): Promise<string | undefined> {
    const head = this.headId(author, seq)
    if (head !== undefined) return head
    const kept = await this.#storedAt(author, seq)
    return kept === undefined ? undefined : envelopeId(kept, this.#ctx.crypto)
  }

  /**
   * An equivocation this peer saw or a peer told it of (`from`): reported once, stored,
   * and passed on to every other connected peer, so that every peer of the topic ends up
   * with the same proof whichever of the two messages it kept (RELIABILITY.md row 13).
   * Returns false when it was known already.
   */
  async #found (proof: EquivocationProof, from?: string): Promise<boolean> {
    const key = proofKey(proof)
    if (this.#proofs.has(key)) return false
    const keep = this.#proofs.size < MAX_PROOFS_PER_TOPIC
    if (keep) this.#proofs.add(key)
    this.#ctx.emit('equivocation', { topic: this.name, proof, ...(from !== undefined ? { from } : {}) })
    if (!keep) return true
    this.#ctx.spreadProof(this.name, proof, from)
    // a proof that cannot be stored (a full disk) is still reported and passed on; the peer
    // that sent it is not at fault
    await this.#ctx.store.addProof(proof).catch(err => this.#error(err))
    return true
  }

  /** Equivocations known in this topic. */
  get proofCount (): number {
    return this.#proofs.size
  }

  /**
   * A proof a peer sent: verified with the author's key (rejects with a typed error when it
   * proves nothing), then handled as one found here. Resolves to false when it was known.
   */
  async learn (first: Uint8Array, second: Uint8Array, from: string): Promise<boolean> {
    const decoded = decodeEnvelope(first, this.#ctx.limits)
    const proof: EquivocationProof = { author: authorIdFromKey(decoded.authorKey), topic: this.name, seq: decoded.seq, first, second }
    if (this.#proofs.has(proofKey(proof))) return false
    await verifyEquivocationProof(proof, { crypto: this.#ctx.crypto, network: this.#ctx.network, limits: this.#ctx.limits })
    return await this.#found(proof, from)
  }

  /**
   * Released envelopes: store them (group commit), then deliver them. One
   * store write per cycle carries the new messages and the delivered
   * frontier of the previous cycle's handlers (persisted after they resolved).
   */
  #take (released: Envelope[]): void {
    if (released.length === 0) return
    this.#toStore.push(...released)
    this.#kickStore()
    if (this.#inbox.buffered.messages === 0) this.#cancelRepair()
  }

  #kickStore (): void {
    if (this.#storing || this.#storeRetry !== undefined || this.#stopped) return
    this.#storing = true
    this.#enqueue(async () => {
      try {
        while (this.#toStore.length > 0 || this.#deliveredToPersist.length > 0) {
          // node:sqlite blocks the event loop while it commits: give the network a moment to fill the batch
          if (this.#toStore.length < RECEIVE_BATCH) await new Promise(resolve => setTimeout(resolve, 1))
          const batch = this.#toStore.splice(0, RECEIVE_BATCH)
          const foreign = batch.filter(e => e.author !== this.#ctx.me)
          const delivered = this.#deliveredToPersist.splice(0)
          let r: Awaited<ReturnType<WeftStore['appendReceived']>>
          try {
            r = await this.#ctx.store.appendReceived(this.name, foreign, delivered.length > 0 ? { entries: delivered } : undefined)
          } catch (err) {
            // nothing of it was stored (a full disk, say): keep it all, report, try again later
            this.#toStore.unshift(...batch)
            this.#deliveredToPersist.unshift(...delivered)
            this.#error(err)
            this.#storeRetryMs = Math.min(this.#storeRetryMs * 2, STORE_RETRY_MAX_MS)
            this.#storeRetry = setTimeout(() => {
              this.#storeRetry = undefined
              this.#kickStore()
            }, this.#storeRetryMs)
            return
          }
          this.#storeRetryMs = STORE_RETRY_MS / 2
          if (this.#shedding && this.#toStore.length <= this.#ctx.maxUnstored / 2) {
            this.#shedding = false
            this.pullAll()
          }
          if (delivered.length > 0) this.#ctx.emit('delivery:persisted', { topic: this.name, entries: delivered })
          const changed = new Map<string, number>()
          for (const m of r.stored) {
            this.#held.set(m.author, m.seq)
            changed.set(m.author, m.seq)
          }
          for (const e of foreign) if (this.#held.get(e.author) === e.seq) this.#heads.set(e.author, { seq: e.seq, id: e.id })
          this.#ctx.announce(this.name, changed)
          if (r.stored.length > 0) this.#ctx.emit('messages:stored', { topic: this.name, count: r.stored.length })
          if (this.#live && (this.#behind || !await this.#deliver(batch))) this.#replaySoon()
        }
      } finally {
        this.#storing = false
      }
    })
  }

  // ---- deliver ------------------------------------------------------------

  subscribe (handler: MessageHandler): () => void {
    this.#handlers.add(handler)
    this.#hadSubscriber = true
    if (!this.#live) {
      this.#live = true
      this.#enqueue(() => this.#replay())
    }
    return () => {
      this.#handlers.delete(handler)
      if (this.#handlers.size === 0) this.#live = false
    }
  }

  /** Delivers what waited behind a record that was corrupt and is now repaired. */
  resume (): void {
    if (this.#live) this.#enqueue(() => this.#replay())
  }

  /** A replay soon (one at a time): while behind, what was stored since goes out in causal order. */
  #replaySoon (): void {
    this.#behind = true
    if (this.#behindTimer !== undefined || this.#stopped) return
    this.#behindTimer = setTimeout(() => {
      this.#behindTimer = undefined
      if (this.#live && !this.#stopped) this.#enqueue(() => this.#replay())
    }, this.#behindDelay)
  }

  /**
   * Delivers what is stored but not yet delivered, in log order (a causal order), through a
   * causal buffer of its own: a record it cannot read (corrupt, reported to the peer, which
   * fetches it again and calls `resume()`) holds back what depends on it, whichever author wrote
   * that, and a repaired record, written back between its author's neighbours, may sit later in
   * the log than what depends on it (C10 seed 70). What is still held at the end waits for the
   * next replay.
   */
  async #replay (): Promise<void> {
    // history this store does not hold (dropped by retention before a subscriber finished it,
    // or older than what a wiped store learned of its own key) is skipped
    for (const [author, oldest] of this.#oldest) {
      if (clockGet(this.#inbox.delivered, author) < oldest - 1) this.#inbox.skipTo(author, oldest - 1)
    }
    const from = this.#inbox.delivered
    const ranges: SeqRange[] = []
    for (const [author, top] of this.#held) {
      const next = clockGet(from, author) + 1
      if (next <= top) ranges.push({ author, from: next, to: top })
    }
    const order = new CausalBuffer({ frontier: from })
    let delivered = 0
    let gap = false
    for await (const chunk of readInLogOrder(this.#ctx.store, this.name, ranges, STORE_BATCH)) {
      const envs: Envelope[] = []
      for (const m of chunk) {
        try {
          const env = await openEnvelope(m.bytes, { crypto: this.#ctx.crypto, network: this.#ctx.network, topic: this.name, limits: this.#ctx.limits, verifiedBatches: this.#ctx.verifiedBatches })
          envs.push(...order.add(env, this.#ctx.monotonic()).deliverable)
        } catch (err) {
          this.#error(err)
        }
      }
      const whole = await this.#deliver(envs)
      delivered += envs.length
      if (!whole) {
        gap = true
        break
      }
    }
    this.#behind = gap || order.size > 0
    this.#behindDelay = this.#behind && delivered === 0 ? Math.min(this.#behindDelay * 2, REPLAY_BEHIND_MAX_MS) : REPLAY_BEHIND_MS
  }

  /** Hands messages to the handlers in order; false when it stopped at a gap (the rest comes with a later replay). */
  async #deliver (envs: Envelope[]): Promise<boolean> {
    const done: Array<{ author: string, seq: number }> = []
    let whole = true
    for (const env of envs) {
      if (env.seq <= clockGet(this.#inbox.delivered, env.author)) continue
      if (env.seq !== clockGet(this.#inbox.delivered, env.author) + 1) {
        whole = false
        break
      }
      const message = this.#message(env)
      for (const handler of [...this.#handlers]) {
        try {
          await handler(message)
        } catch (err) {
          this.#error(err)
        }
      }
      this.#inbox.markDelivered(env)
      done.push({ author: env.author, seq: env.seq })
      this.#ctx.emit('message:delivered', { topic: this.name, id: env.id, seq: env.seq, author: env.author })
    }
    if (done.length > 0) {
      this.#deliveredToPersist.push(...done)
      this.#kickStore()
    }
    return whole
  }

  #message (env: Envelope): DeliveredMessage {
    const clock = this.#inbox.clockOf(env.author, env.seq)
    const deps: Record<string, number> = {}
    if (clock !== undefined) {
      for (const [author, seq] of Object.entries(clockToObject(clock))) if (author !== env.author) deps[author] = seq
    }
    const payload = env.payload
    return {
      topic: this.name,
      id: env.id,
      author: env.author,
      seq: env.seq,
      time: env.time,
      payload,
      contentType: env.contentType,
      deps,
      own: env.author === this.#ctx.me,
      redelivered: env.seq > clockGet(this.#deliveredAtOpen, env.author) && env.seq <= clockGet(this.#heldAtOpen, env.author),
      text: () => fromUtf8(payload),
      json: <T>() => JSON.parse(fromUtf8(payload) ?? '') as T
    }
  }

  // ---- repair -------------------------------------------------------------

  /**
   * What this topic lacks that `session` holds; asks for it unless a want is already in flight
   * there, or REPAIR_ASK_PEERS other peers are being asked already (RELIABILITY.md row 12: the
   * same messages are not fetched from every neighbour; when a want ends, the peer asks again,
   * see `pullAll`).
   */
  pull (session: Session): void {
    if (this.#full || session.wants.has(this.name) || session.isStalled(this.name, this.#ctx.monotonic())) return
    const remote = session.topics.get(this.name)
    if (remote === undefined) return
    // Every author's full extent: the server merges them in its log order (a causal order)
    // and stops at its reply limit, so the reply is always deliverable here.
    const released = this.#inbox.released
    const ranges: SeqRange[] = []
    for (const [author, top] of remote.held) {
      const from = Math.max(clockGet(released, author) + 1, remote.oldest.get(author) ?? 1)
      if (from <= top) ranges.push({ author, from, to: top })
    }
    // What the remote pruned and I never had: treat as delivered (history no peer of mine retains).
    for (const [author, oldest] of remote.oldest) {
      if (clockGet(released, author) < oldest - 1 && (remote.held.get(author) ?? 0) >= oldest - 1) {
        const r = this.#inbox.skipTo(author, oldest - 1)
        this.#take(r.deliverable)
      }
    }
    if (ranges.length === 0) return
    let asking = 0
    for (const s of this.#ctx.sessions()) if (s.wants.has(this.name)) asking++
    if (asking < REPAIR_ASK_PEERS) this.#ctx.want(session, this.name, ranges)
  }

  /** Pulls from every session, those that hold the most of what is missing (`missing`, when the caller has it) first. */
  pullAll (missing: readonly SeqRange[] = this.#inbox.missing().ranges): void {
    const covers = (s: Session): number => {
      const held = s.topics.get(this.name)?.held
      return held === undefined ? -1 : missing.filter(r => (held.get(r.author) ?? 0) >= r.from).length
    }
    const ranked = [...this.#ctx.sessions()].map(s => ({ s, c: covers(s), r: this.#ctx.random() })).filter(x => x.c >= 0)
    ranked.sort((a, b) => b.c - a.c || a.r - b.r)
    for (const { s } of ranked) this.pull(s)
  }

  #scheduleRepair (): void {
    if (this.#repairTimer !== undefined || this.#stopped) return
    this.#repairTimer = setTimeout(() => {
      this.#repairTimer = undefined
      this.#repair()
    }, REPAIR_DELAY_MS)
  }

  #cancelRepair (): void {
    if (this.#repairTimer === undefined) return
    clearTimeout(this.#repairTimer)
    this.#repairTimer = undefined
  }

  /**
   * Gossip showed a gap: ask the peers that hold the missing messages (or anyone in the topic).
   * Messages past their deadline are quarantined first, and not asked for; while any message
   * waits (even one that waits only behind a quarantined one) this runs again.
   */
  #repair (): void {
    for (const e of this.#inbox.expire(this.#ctx.monotonic())) this.#ctx.emit('dependency:gave-up', { topic: this.name, expired: e })
    const missing = this.#inbox.missing()
    if (missing.ranges.length > 0 || missing.unknown.length > 0) {
      this.#ctx.emit('dependency:missing', { topic: this.name, ranges: missing.ranges })
      this.pullAll(missing.ranges)
    }
    if (this.#inbox.buffered.messages > 0) this.#scheduleRepair()
  }

  // ---- life cycle ---------------------------------------------------------

  #enqueue (task: () => Promise<void>): void {
    this.#tasks = this.#tasks.then(task).catch(err => this.#error(err))
  }

  #error (err: unknown): void {
    this.#ctx.emit('error', { topic: this.name, error: err instanceof Error ? err : new Error(String(err)) })
  }

  /** Lets queued writes finish, then stops: waiters are released, timers cleared. Safe twice. */
  async stop (): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#cancelRepair()
    clearTimeout(this.#storeRetry)
    clearTimeout(this.#behindTimer)
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer)
    this.#ackTimer = undefined
    await this.#persistAcks()
    for (const w of [...this.#roomWaiters]) w.reject(new PeerStoppedError())
    for (const r of this.#publishQueue.splice(0)) r.reject(new PeerStoppedError())
    // queued writes finish, within bounds: a store that hangs must not hang stop()
    await Promise.race([Promise.all([this.#publishing, this.#tasks]), new Promise(resolve => setTimeout(resolve, STOP_GRACE_MS))])
    for (const resolve of this.#ackWaiters.values()) resolve({ acked: false, reason: 'stopped' })
    this.#ackWaiters.clear()
  }
}

function proofKey (proof: EquivocationProof): string {
  return `${proof.author}/${proof.seq}`
}
