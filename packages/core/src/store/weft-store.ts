/**
 * WeftStore: what a weft peer keeps, on any StoreAdapter. Per topic: the
 * message log it serves to others for catch-up, the version vector of what it
 * holds (`held`, also its custody ack), the delivered frontier per consumer,
 * the outbox, equivocation proofs and retention settings; plus identities.
 *
 * Atomic steps, each one adapter write (all or nothing):
 * - `appendOwn`: my message + my seq counter (`held[me]`) + its outbox entry,
 *   conditional on the counter still being seq - 1, so no seq is ever reused,
 *   even by two writers racing on one store;
 * - `appendReceived`: a batch of released messages + `held` (group commit);
 * - `markDelivered`: the delivered frontier of a consumer.
 *
 * Every value is sealed with a CRC-32 (record.ts). A corrupt record is
 * skipped and reported (`onCorrupt` and the `corrupt` lists), never returned
 * as data, never a crash.
 *
 * Keys (docs/STORAGE.md has the full layout):
 *   meta · identity/<name> · author/<id> · msg/<topic>/<author>/<seq> · held/<topic>/<author>
 *   oldest/<topic>/<author> · stats/<topic> · delivered/<topic>/<consumer>/<author>
 *   outbox/<topic>/<author>/<seq> · proof/<topic>/<author>/<seq> · retention/<topic>
 */
import { AuthorNotEstablishedError, InvalidArgumentError, WriteConflictError } from '../errors.ts'
import { clockFrom } from '../clock/vector-clock.ts'
import { fromUtf8, utf8 } from '../util/bytes.ts'
import { openRecord, readVarint, sealInPlace, sealRecord, writeVarint } from './record.ts'
import { seqKey } from './store-adapter.ts'
import type { StoreAdapter, StoreKey, StoreWrite } from './store-adapter.ts'
import type { VersionVector } from '../clock/vector-clock.ts'
import type { Envelope } from '../envelope/envelope.ts'
import type { EquivocationProof } from '../equivocation/equivocation.ts'
import type { OutboxEntry } from '../outbox/outbox.ts'
import type { AuthorId } from '../util/author.ts'

/** Schema version written in `meta`. */
export const STORE_SCHEMA = 1

/**
 * Corrupt message records in a row that `prune` steps over at the head of one author's log (each
 * goes with the next sound message of that author that goes). Past it, that author is not pruned
 * further until they are repaired.
 */
export const MAX_CORRUPT_SKIPPED = 64

export interface StoreMeta {
  schema: number
  /** Random id made when the store was created: an epoch marker that a wipe cannot keep. */
  storeId: string
  createdAt: number
}

/** A message as the log holds it. */
export interface StoredMessage {
  readonly author: AuthorId
  readonly seq: number
  /** Position in this store's topic log: the order it was released here, a causal order. */
  readonly order: number
  readonly receivedAt: number
  /** The encoded envelope, byte for byte. */
  readonly bytes: Uint8Array
}

/** A record that failed its checksum or could not be parsed. */
export interface CorruptRecord {
  readonly key: StoreKey
  readonly reason: 'checksum' | 'format'
}

/** Per topic limits; a missing field means no limit. */
export interface Retention {
  maxCount?: number
  maxBytes?: number
  maxAgeMs?: number
}

export interface PruneOptions {
  /** Ages are measured from this time. @default the store's clock */
  now?: number
  /** Per author, the highest seq that may be removed (an author not in it: none); absent: no such bound. */
  upTo?: VersionVector
  /** Messages removed in this call at most. @default no limit */
  max?: number
}

export interface TopicStats {
  /** Next position in the topic log. */
  nextOrder: number
  count: number
  bytes: number
}

export interface WeftStoreInit {
  /** Wall clock for `createdAt` and `receivedAt`; injected (the core reads no clock). */
  now: () => number
  /** Random id for a new store. */
  randomId: () => string
  /** Told about every corrupt record met. */
  onCorrupt?: (record: CorruptRecord) => void
}

/** How an author's seqs became known to this store. */
export type AuthorOrigin =
  | { kind: 'created' }
  | { kind: 'learned', frontier: Record<string, number> }

export class WeftStore {
  readonly adapter: StoreAdapter
  readonly meta: StoreMeta
  /** True when this open created the store (it was empty: new, or wiped). */
  readonly created: boolean
  readonly #init: WeftStoreInit
  /** Per-topic queue: read-modify-write steps on one topic run one at a time in this process. */
  readonly #queues = new Map<string, Promise<unknown>>()
  readonly #corruptListeners = new Set<(record: CorruptRecord) => void>()

  private constructor (adapter: StoreAdapter, meta: StoreMeta, created: boolean, init: WeftStoreInit) {
    this.adapter = adapter
    this.meta = meta
    this.created = created
    this.#init = init
  }

  /** Opens a store, creating its meta record (schema, epoch id) if it is empty. */
  static async open (adapter: StoreAdapter, init: WeftStoreInit): Promise<WeftStore> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const raw = await adapter.get(['meta'])
      if (raw !== undefined) {
        const meta = parseJson<StoreMeta>(raw)
        if (meta === undefined) {
          init.onCorrupt?.({ key: ['meta'], reason: 'checksum' })
          throw new InvalidArgumentError('the store meta record is corrupt; refusing to guess the schema')
        }
        if (meta.schema !== STORE_SCHEMA) throw new InvalidArgumentError(`store schema ${meta.schema}, this code reads ${STORE_SCHEMA}`)
        return new WeftStore(adapter, meta, false, init)
      }
      const meta: StoreMeta = { schema: STORE_SCHEMA, storeId: init.randomId(), createdAt: init.now() }
      try {
        await adapter.write([{ type: 'expect', key: ['meta'], value: undefined }, { type: 'put', key: ['meta'], value: json(meta) }])
        return new WeftStore(adapter, meta, true, init)
      } catch (err) {
        // another tab or process created it at the same moment: read theirs
        if ((err as Error).name !== 'WriteConflictError') throw err
      }
    }
    throw new InvalidArgumentError('the store meta record keeps changing under us')
  }

  close (): Promise<void> {
    return this.adapter.close()
  }

  /** Also tells `listener` about every corrupt record met from now on (besides `init.onCorrupt`); returns the unsubscribe. */
  watchCorrupt (listener: (record: CorruptRecord) => void): () => void {
    this.#corruptListeners.add(listener)
    return () => { this.#corruptListeners.delete(listener) }
  }

  #corrupt (record: CorruptRecord): void {
    this.#init.onCorrupt?.(record)
    for (const l of this.#corruptListeners) l(record)
  }

  // ---- identities ---------------------------------------------------------

  /** A stored identity (secret key bytes), or undefined. */
  async identity (name = 'default'): Promise<Uint8Array | undefined> {
    return await this.#read(['identity', name])
  }

  /** Names of the stored identities, in order. */
  async identities (): Promise<string[]> {
    return (await this.adapter.range(['identity'])).map(e => e.key[1]!)
  }

  /**
   * Stores a new identity and, in the same write, establishes `author` (its
   * public id) as created here: its seqs start at 1. Fails with
   * WriteConflictError if the name is taken.
   */
  async createIdentity (name: string, secret: Uint8Array, author: AuthorId): Promise<void> {
    await this.adapter.write([
      { type: 'expect', key: ['identity', name], value: undefined },
      { type: 'put', key: ['identity', name], value: sealRecord(secret) },
      { type: 'put', key: ['author', author], value: json({ kind: 'created', at: this.#init.now() }) }
    ])
  }

  /** How this store knows `author`'s seqs, or undefined when it does not. */
  async authorOrigin (author: AuthorId): Promise<AuthorOrigin | undefined> {
    const raw = await this.adapter.get(['author', author])
    return raw === undefined ? undefined : parseJson<AuthorOrigin>(raw, ['author', author], c => this.#corrupt(c))
  }

  /**
   * Establishes an author whose key this store did not create (an identity
   * brought by the app, or a store wiped while the key survived), from the
   * per-topic seqs peers reported for it. Its next seq in a topic is then one
   * above; the seqs below count as history this store does not hold.
   */
  async establishAuthor (author: AuthorId, frontier: Record<string, number>): Promise<void> {
    const ops: StoreWrite[] = [{ type: 'put', key: ['author', author], value: json({ kind: 'learned', frontier }) }]
    for (const [topic, seq] of Object.entries(frontier)) {
      if (!Number.isSafeInteger(seq) || seq < 0) throw new InvalidArgumentError(`bad frontier ${seq} for topic ${topic}`)
      const held = await this.#readSeq(['held', topic, author])
      if (seq > held) {
        ops.push({ type: 'put', key: ['held', topic, author], value: seqValue(seq) })
        ops.push({ type: 'put', key: ['oldest', topic, author], value: seqValue(seq + 1) })
      }
    }
    await this.adapter.write(ops)
  }

  // ---- messages -----------------------------------------------------------

  /**
   * Appends my own message and advances my seq counter in one write, with
   * its outbox entry. The write is conditional on the counter still being
   * `env.seq - 1`: a racing writer gets WriteConflictError, never a reused seq.
   * On StorageFullError nothing was stored and the counter did not move.
   */
  async appendOwn (env: Envelope, outbox?: OutboxEntry): Promise<StoredMessage> {
    const [stored] = await this.appendOwnBatch([env], outbox === undefined ? [] : [outbox])
    return stored!
  }

  /**
   * `appendOwn` for consecutive messages of one author in one topic, in one
   * write (group commit): all or none, conditional on the counter being one
   * below the first seq.
   */
  async appendOwnBatch (envs: readonly Envelope[], outbox: readonly OutboxEntry[] = []): Promise<StoredMessage[]> {
    const first = envs[0]
    if (first === undefined) return []
    envs.forEach((e, i) => {
      if (e.author !== first.author || e.topic !== first.topic || e.seq !== first.seq + i) {
        throw new InvalidArgumentError('appendOwnBatch takes consecutive seqs of one author in one topic')
      }
    })
    if (await this.authorOrigin(first.author) === undefined) {
      throw new AuthorNotEstablishedError(`this store never established ${first.author}: learn its frontier from peers first (establishAuthor)`)
    }
    const topic = first.topic
    return await this.#queue(topic, async () => {
      const heldKey = ['held', topic, first.author]
      const current = await this.adapter.get(heldKey)
      const held = current === undefined ? 0 : decodeSeq(current)
      if (held === undefined) throw new WriteConflictError(`the seq counter of ${first.author} in ${topic} is corrupt`)
      if (first.seq !== held + 1) throw new WriteConflictError(`seq ${first.seq} of ${first.author} in ${topic}: the counter is at ${held}`)
      const stats = await this.stats(topic)
      const now = this.#init.now()
      const stored: StoredMessage[] = envs.map((e, i) => ({ author: e.author, seq: e.seq, order: stats.nextOrder + i, receivedAt: now, bytes: e.bytes }))
      const ops: StoreWrite[] = [{ type: 'expect', key: heldKey, value: current }]
      for (const m of stored) ops.push({ type: 'put', key: msgKey(topic, m.author, m.seq), value: encodeMessage(m) })
      ops.push({ type: 'put', key: heldKey, value: seqValue(stored[stored.length - 1]!.seq) })
      ops.push({ type: 'put', key: ['stats', topic], value: json(grow(stats, stored)) })
      for (const o of outbox) ops.push({ type: 'put', key: outboxKey(topic, first.author, o.seq), value: json(o) })
      await this.adapter.write(ops)
      return stored
    })
  }

  /**
   * Stores released messages of a topic in one write (group commit). Per
   * author, only the next seq after `held` is taken: lower ones are
   * duplicates, higher ones gaps (both counted, nothing stored for them).
   */
  async appendReceived (
    topic: string, envs: readonly Envelope[], delivered?: { consumer?: string, entries: ReadonlyArray<{ author: AuthorId, seq: number }> }
  ): Promise<{ stored: StoredMessage[], duplicates: number, gaps: number }> {
    return await this.#queue(topic, async () => {
      const held = new Map<AuthorId, number>()
      const stats = await this.stats(topic)
      const stored: StoredMessage[] = []
      const ops: StoreWrite[] = []
      let duplicates = 0
      let gaps = 0
      const now = this.#init.now()
      for (const env of envs) {
        if (env.topic !== topic) throw new InvalidArgumentError(`envelope for topic ${env.topic} appended to ${topic}`)
        let h = held.get(env.author)
        if (h === undefined) h = await this.#readSeq(['held', topic, env.author])
        if (env.seq <= h) {
          duplicates++
        } else if (env.seq > h + 1) {
          gaps++
        } else {
          const m: StoredMessage = { author: env.author, seq: env.seq, order: stats.nextOrder + stored.length, receivedAt: now, bytes: env.bytes }
          stored.push(m)
          ops.push({ type: 'put', key: msgKey(topic, env.author, env.seq), value: encodeMessage(m) })
          h = env.seq
        }
        held.set(env.author, h)
      }
      if (stored.length > 0) {
        for (const [author, seq] of held) ops.push({ type: 'put', key: ['held', topic, author], value: seqValue(seq) })
        ops.push({ type: 'put', key: ['stats', topic], value: json(grow(stats, stored)) })
      }
      if (delivered !== undefined) ops.push(...deliveredOps(topic, delivered.entries, delivered.consumer ?? 'default'))
      if (ops.length > 0) await this.adapter.write(ops)
      return { stored, duplicates, gaps }
    })
  }

  /**
   * Writes back a message whose record is corrupt (or gone) although the store holds its seq,
   * from a copy a peer sent (RELIABILITY.md row 30). The caller has verified `env`. Returns
   * false, writing nothing, when the stored record is sound or the seq is not held here. The
   * repaired record takes the log position of the author's next message (or previous one): the
   * original position was in the corrupt bytes.
   */
  async repairMessage (env: Envelope): Promise<boolean> {
    const topic = env.topic
    return await this.#queue(topic, async () => {
      const held = await this.#readSeq(['held', topic, env.author])
      const oldest = await this.#readSeq(['oldest', topic, env.author])
      if (env.seq > held || env.seq < Math.max(oldest, 1)) return false
      const key = msgKey(topic, env.author, env.seq)
      const raw = await this.adapter.get(key)
      if (raw !== undefined && decodeMessage(raw, env.author, env.seq) !== undefined) return false
      const near = async (seq: number): Promise<number | undefined> => {
        const r = await this.adapter.get(msgKey(topic, env.author, seq))
        return r === undefined ? undefined : decodeMessage(r, env.author, seq)?.order
      }
      const order = await near(env.seq + 1) ?? await near(env.seq - 1) ?? (await this.stats(topic)).nextOrder
      await this.adapter.write([{ type: 'put', key, value: encodeMessage({ author: env.author, seq: env.seq, order, receivedAt: this.#init.now(), bytes: env.bytes }) }])
      return true
    })
  }

  /** The messages of `author` in `topic` from `from` to `to` (inclusive), at most `limit`; corrupt ones are reported, not returned. */
  async read (topic: string, author: AuthorId, from: number, to: number, limit = to - from + 1): Promise<{ messages: StoredMessage[], corrupt: CorruptRecord[] }> {
    const entries = await this.adapter.range(['msg', topic, author], {
      gte: msgKey(topic, author, Math.max(1, from)),
      lt: msgKey(topic, author, to + 1),
      limit
    })
    const messages: StoredMessage[] = []
    const corrupt: CorruptRecord[] = []
    for (const e of entries) {
      const seq = Number(e.key[3])
      const m = decodeMessage(e.value, author, seq)
      if (m === undefined) {
        const c: CorruptRecord = { key: e.key, reason: 'checksum' }
        corrupt.push(c)
        this.#corrupt(c)
      } else {
        messages.push(m)
      }
    }
    return { messages, corrupt }
  }

  /** Per author, the highest contiguous seq this store holds (or held before pruning) in `topic`: its custody ack. */
  async held (topic: string): Promise<VersionVector> {
    return await this.#vector(['held', topic])
  }

  /** Per author, the lowest seq still retained in `topic` (authors absent: 1). */
  async oldest (topic: string): Promise<VersionVector> {
    return await this.#vector(['oldest', topic])
  }

  async stats (topic: string): Promise<TopicStats> {
    const raw = await this.adapter.get(['stats', topic])
    return (raw === undefined ? undefined : parseJson<TopicStats>(raw, ['stats', topic], c => this.#corrupt(c))) ?? { nextOrder: 1, count: 0, bytes: 0 }
  }

  /** Topics this store has messages or state for. */
  async topics (): Promise<string[]> {
    return (await this.adapter.range(['stats'])).map(e => e.key[1]!)
  }

  // ---- delivery -----------------------------------------------------------

  /** What `consumer` finished handling in `topic`. */
  async delivered (topic: string, consumer = 'default'): Promise<VersionVector> {
    return await this.#vector(['delivered', topic, consumer])
  }

  /** Advances `consumer`'s delivered frontier in one write (never moves it back). */
  async markDelivered (topic: string, entries: ReadonlyArray<{ author: AuthorId, seq: number }>, consumer = 'default'): Promise<void> {
    const ops = deliveredOps(topic, entries, consumer)
    if (ops.length > 0) await this.adapter.write(ops)
  }

  // ---- outbox -------------------------------------------------------------

  async outbox (topic: string, author: AuthorId): Promise<OutboxEntry[]> {
    const out: OutboxEntry[] = []
    for (const e of await this.adapter.range(['outbox', topic, author])) {
      const entry = parseJson<OutboxEntry>(e.value, e.key, c => this.#corrupt(c))
      if (entry !== undefined) out.push(entry)
    }
    return out
  }

  /** Writes outbox entries (new state, attempts) and removes those listed in `remove`, in one write. */
  async updateOutbox (topic: string, author: AuthorId, entries: readonly OutboxEntry[], remove: readonly number[] = []): Promise<void> {
    const ops: StoreWrite[] = entries.map(e => ({ type: 'put', key: outboxKey(topic, author, e.seq), value: json(e) }))
    for (const seq of remove) ops.push({ type: 'del', key: outboxKey(topic, author, seq) })
    if (ops.length > 0) await this.adapter.write(ops)
  }

  // ---- equivocation -------------------------------------------------------

  async addProof (proof: EquivocationProof): Promise<void> {
    const content = [...utf8(JSON.stringify({ author: proof.author, topic: proof.topic, seq: proof.seq, firstLength: proof.first.length })), 0, ...proof.first, ...proof.second]
    await this.adapter.write([{ type: 'put', key: ['proof', proof.topic, proof.author, seqKey(proof.seq)], value: sealRecord(Uint8Array.from(content)) }])
  }

  async proofs (topic: string): Promise<EquivocationProof[]> {
    const out: EquivocationProof[] = []
    for (const e of await this.adapter.range(['proof', topic])) {
      const content = this.#open(e.key, e.value)
      if (content === undefined) continue
      const zero = content.indexOf(0)
      const head = zero < 0 ? undefined : fromUtf8(content.subarray(0, zero))
      const meta = head === undefined ? undefined : safeJson<{ author: string, topic: string, seq: number, firstLength: number }>(head)
      if (meta === undefined) {
        this.#corrupt({ key: e.key, reason: 'format' })
        continue
      }
      const rest = content.subarray(zero + 1)
      out.push({ author: meta.author, topic: meta.topic, seq: meta.seq, first: rest.slice(0, meta.firstLength), second: rest.slice(meta.firstLength) })
    }
    return out
  }

  // ---- retention ----------------------------------------------------------

  async setRetention (topic: string, retention: Retention): Promise<void> {
    await this.adapter.write([{ type: 'put', key: ['retention', topic], value: json(retention) }])
  }

  async retention (topic: string): Promise<Retention> {
    const raw = await this.adapter.get(['retention', topic])
    return (raw === undefined ? undefined : parseJson<Retention>(raw, ['retention', topic], c => this.#corrupt(c))) ?? {}
  }

  /**
   * Drops the oldest messages of `topic` (lowest log position first) until it
   * is within its retention limits, never one still in an outbox and never one
   * of an author above `options.upTo` (what a local subscriber has not finished).
   * At most `options.max` go in one call (one write); `more` says whether more
   * could go in another call now. `oldest` moves up accordingly (returned for
   * the authors it moved); `held` does not move (the messages were held).
   */
  async prune (topic: string, options: PruneOptions = {}): Promise<{ removed: number, bytes: number, more: boolean, oldest: VersionVector }> {
    const now = options.now ?? this.#init.now()
    const max = options.max ?? Infinity
    const upTo = options.upTo
    return await this.#queue(topic, async () => {
      const limits = await this.retention(topic)
      const stats = await this.stats(topic)
      let count = stats.count
      let bytes = stats.bytes
      const overSize = (): boolean => (limits.maxCount !== undefined && count > limits.maxCount) || (limits.maxBytes !== undefined && bytes > limits.maxBytes)
      const over = (m: StoredMessage | undefined): boolean => m !== undefined && (overSize() || (limits.maxAgeMs !== undefined && m.receivedAt < now - limits.maxAgeMs))
      const oldest = new Map<AuthorId, number>()
      if (limits.maxAgeMs === undefined && !overSize()) return { removed: 0, bytes: 0, more: false, oldest } // within its limits: no reads
      const unacked = new Set((await this.adapter.range(['outbox', topic])).map(e => `${e.key[2]}/${Number(e.key[3])}`))
      // The head of each author's log; the oldest of all heads is the oldest message of the topic.
      const authors = (await this.adapter.range(['held', topic])).map(e => e.key[2]!)
      // With each head, the corrupt records just below it (a bit flip in a message already
      // delivered): they go with it, or the author's log could never be pruned past them.
      const heads = new Map<AuthorId, StoredMessage>()
      const corruptBelow = new Map<AuthorId, Array<{ key: StoreKey, bytes: number }>>()
      const next = async (author: AuthorId, after: number): Promise<void> => {
        heads.delete(author)
        const corrupt: Array<{ key: StoreKey, bytes: number }> = []
        corruptBelow.set(author, corrupt)
        for (let from = after + 1; corrupt.length < MAX_CORRUPT_SKIPPED;) {
          const [e] = await this.adapter.range(['msg', topic, author], { gte: msgKey(topic, author, from), limit: 1 })
          if (e === undefined) return
          const seq = Number(e.key[3])
          if (unacked.has(`${author}/${seq}`) || (upTo !== undefined && seq > (upTo.get(author) ?? 0))) return
          const m = decodeMessage(e.value, author, seq)
          if (m !== undefined) {
            heads.set(author, m)
            return
          }
          corrupt.push({ key: e.key, bytes: roughMessageBytes(e.value) })
          from = seq + 1
        }
      }
      for (const author of authors) await next(author, 0)
      const ops: StoreWrite[] = []
      let removed = 0
      let removedBytes = 0
      let more = false
      for (let guard = 0; guard < stats.count + 1; guard++) {
        let first: StoredMessage | undefined
        for (const m of heads.values()) if (first === undefined || m.order < first.order) first = m
        if (!over(first)) break
        if (removed >= max) {
          more = true
          break
        }
        const m = first!
        for (const c of [...corruptBelow.get(m.author)!, { key: msgKey(topic, m.author, m.seq), bytes: m.bytes.length }]) {
          ops.push({ type: 'del', key: c.key })
          count--
          bytes -= c.bytes
          removed++
          removedBytes += c.bytes
        }
        ops.push({ type: 'put', key: ['oldest', topic, m.author], value: seqValue(m.seq + 1) })
        oldest.set(m.author, m.seq + 1)
        await next(m.author, m.seq)
      }
      if (removed === 0) return { removed, bytes: 0, more, oldest }
      ops.push({ type: 'put', key: ['stats', topic], value: json({ ...stats, count: Math.max(0, count), bytes: Math.max(0, bytes) }) })
      await this.adapter.write(ops)
      return { removed, bytes: removedBytes, more, oldest }
    })
  }

  // ---- helpers ------------------------------------------------------------

  async #read (key: StoreKey): Promise<Uint8Array | undefined> {
    const raw = await this.adapter.get(key)
    return raw === undefined ? undefined : this.#open(key, raw)
  }

  #open (key: StoreKey, raw: Uint8Array): Uint8Array | undefined {
    const content = openRecord(raw)
    if (content === undefined) this.#corrupt({ key, reason: 'checksum' })
    return content
  }

  async #readSeq (key: StoreKey): Promise<number> {
    const raw = await this.adapter.get(key)
    if (raw === undefined) return 0
    const seq = decodeSeq(raw)
    if (seq === undefined) {
      this.#corrupt({ key, reason: 'checksum' })
      return 0
    }
    return seq
  }

  /** A version vector stored as one row per author under `prefix`; corrupt rows are reported and read as absent. */
  async #vector (prefix: StoreKey): Promise<VersionVector> {
    const entries: Array<[AuthorId, number]> = []
    for (const e of await this.adapter.range(prefix)) {
      const seq = decodeSeq(e.value)
      if (seq === undefined) this.#corrupt({ key: e.key, reason: 'checksum' })
      else entries.push([e.key[prefix.length]!, seq])
    }
    return clockFrom(entries)
  }

  #queue<T> (topic: string, task: () => Promise<T>): Promise<T> {
    const prev = this.#queues.get(topic) ?? Promise.resolve()
    const run = prev.then(task, task)
    const settled = run.then(() => undefined, () => undefined)
    this.#queues.set(topic, settled)
    void settled.then(() => {
      if (this.#queues.get(topic) === settled) this.#queues.delete(topic)
    })
    return run
  }
}

function deliveredOps (topic: string, entries: ReadonlyArray<{ author: AuthorId, seq: number }>, consumer: string): StoreWrite[] {
  const top = new Map<AuthorId, number>()
  for (const e of entries) top.set(e.author, Math.max(e.seq, top.get(e.author) ?? 0))
  return [...top].map(([author, seq]) => ({ type: 'put', key: ['delivered', topic, consumer, author], value: seqValue(seq) }))
}

function msgKey (topic: string, author: AuthorId, seq: number): StoreKey {
  return ['msg', topic, author, seqKey(seq)]
}

function outboxKey (topic: string, author: AuthorId, seq: number): StoreKey {
  return ['outbox', topic, author, seqKey(seq)]
}

function grow (stats: TopicStats, added: readonly StoredMessage[]): TopicStats {
  let bytes = stats.bytes
  for (const m of added) bytes += m.bytes.length
  return { nextOrder: stats.nextOrder + added.length, count: stats.count + added.length, bytes }
}

function seqValue (seq: number): Uint8Array {
  const out: number[] = []
  writeVarint(seq, out)
  return sealRecord(Uint8Array.from(out))
}

function decodeSeq (raw: Uint8Array): number | undefined {
  const content = openRecord(raw)
  if (content === undefined) return undefined
  const at = { pos: 0 }
  const seq = readVarint(content, at)
  return at.pos === content.length ? seq : undefined
}

function encodeMessage (m: StoredMessage): Uint8Array {
  const head: number[] = []
  writeVarint(m.order, head)
  writeVarint(m.receivedAt, head)
  const record = new Uint8Array(4 + head.length + m.bytes.length)
  record.set(head, 4)
  record.set(m.bytes, 4 + head.length)
  return sealInPlace(record)
}

function decodeMessage (raw: Uint8Array, author: AuthorId, seq: number): StoredMessage | undefined {
  const content = openRecord(raw)
  if (content === undefined) return undefined
  const at = { pos: 0 }
  const order = readVarint(content, at)
  const receivedAt = readVarint(content, at)
  if (order === undefined || receivedAt === undefined) return undefined
  return { author, seq, order, receivedAt, bytes: content.slice(at.pos) }
}

/** The envelope bytes a message record held, read past its failed checksum (for the topic's byte count only). */
function roughMessageBytes (raw: Uint8Array): number {
  const content = raw.subarray(Math.min(4, raw.length))
  const at = { pos: 0 }
  return readVarint(content, at) === undefined || readVarint(content, at) === undefined ? content.length : content.length - at.pos
}

function json (value: unknown): Uint8Array {
  return sealRecord(utf8(JSON.stringify(value)))
}

function safeJson<T> (text: string): T | undefined {
  try {
    return JSON.parse(text) as T
  } catch {
    return undefined
  }
}

function parseJson<T> (raw: Uint8Array, key?: StoreKey, onCorrupt?: (c: CorruptRecord) => void): T | undefined {
  const content = openRecord(raw)
  const text = content === undefined ? undefined : fromUtf8(content)
  const value = text === undefined ? undefined : safeJson<T>(text)
  if (value === undefined && key !== undefined) onCorrupt?.({ key, reason: content === undefined ? 'checksum' : 'format' })
  return value
}
