/**
 * WeftPeer: a libp2p node carrying weft. It wires gossipsub (validator,
 * message ids, scoring) and the sync protocol to topics, tracks sessions with
 * connected peers, and runs the outbox timer. `createPeer` is the only way
 * to make one.
 */
import { TypedEventEmitter } from 'main-event'
import { DEFAULT_DEPENDENCY_TIMEOUT_MS, MalformedEnvelopeError, VerifiedBatches, clockGet, isRejection, nobleCrypto, openEnvelope, toHex } from '@weft/core'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import {
  BATCH_FRAME_BYTES, BATCH_FRAME_MESSAGES, DEFAULT_WINDOW, HAVE_DEBOUNCE_MS, HAVE_LAZY_MS, MAX_DETACHED_WANTS, MAX_DAMAGED_PER_TOPIC, MAX_FRAME_BYTES, MAX_FORK_READS, MAX_FRONTIER_AUTHORS, MAX_PROOFS_PER_FRAME, MAX_RATE_BUCKETS, MAX_REPLY_BYTES, MAX_UNASKED_FRAMES, MAX_UNSTORED, MAX_WANT_MESSAGES,
  OUTBOX_TICK_MS, PRUNE_INTERVAL_MS, PULL_GRACE_MS, REPAIR_ASK_PEERS, RESERVED_TOPIC_PREFIX, SYNC_PROTOCOL, WANT_TIMEOUT_MS
} from './constants.ts'
import { MisconfiguredNodeError, PeerStoppedError, ProtocolError, ReservedTopicError } from './errors.ts'
import { readInLogOrder } from './log-reader.ts'
import { readFrames } from './sync/framing.ts'
import { packEnvelopes, unpackEnvelopes } from './sync/packing.ts'
import { HEAD_BYTES, fromEntries, frontier } from './sync/frontier.ts'
import { RateLimiter } from './rate-limit.ts'
import { checkRetention } from './retention.ts'
import { Session } from './sync/session.ts'
import { WantCaps } from './sync/want-cap.ts'
import { unpackGossip } from './bundle.ts'
import { scoreTopic } from './gossip.ts'
import { Topic } from './topic.ts'
import type { ConnectionState, MeshEvents } from './events.ts'
import type { RateLimit } from './rate-limit.ts'
import type { InboxCaches, TopicContext } from './topic.ts'
import type { Batch, Entry, Frontier, SyncFrame, Want } from './sync/pb/sync.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Connection, Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import type { CorruptRecord, CryptoSuite, Envelope, EnvelopeLimits, EquivocationProof, Retention, StoreLostError, RetryPolicy, SeqRange, Signer, WeftStore } from '@weft/core'

/** Milliseconds on a clock that never jumps, for durations, timeouts and rates (the wall clock is only for stamps and TTLs). */
const monotonic = (): number => performance.now()

export interface PeerInit {
  /** A started or unstarted libp2p node with a gossipsub service at `services.pubsub`, configured with `weftGossipsub()` (StrictNoSign). */
  libp2p: Libp2p<{ pubsub: GossipSub }>
  /** The store: identity, logs, frontiers, outbox. */
  store: WeftStore
  /** Deployment id: peers of another network are ignored, their messages refused. */
  network: string
  /** Signs as the node's identity: its public key must be the libp2p peer id's (see `libp2pSigner`). */
  signer: Signer
  /** @default nobleCrypto() (the Node preset passes the faster nodeCrypto()) */
  crypto?: CryptoSuite
  /** Distinct peers that must confirm custody before `acked` resolves. @default 1 */
  ackQuorum?: number
  /** Messages in flight per topic (published, not yet held by every active subscriber) before publish waits. @default 256 */
  window?: number
  /** Unacked messages kept per topic; past it publish waits (or rejects). @default 100,000 */
  outboxLimit?: number
  /**
   * Received messages waiting for their store write per topic (a full disk); past it the topic
   * takes nothing more until they drain, then pulls the rest by sync. @default 4,096 (MAX_UNSTORED)
   */
  maxUnstored?: number
  /** Unacked messages expire (and are listed) after this long. @default 7 days */
  ttlMs?: number
  retry?: RetryPolicy
  limits?: EnvelopeLimits
  /**
   * For a key this store did not create (brought by the app, or a wiped store):
   * `true` declares it brand new, so its seqs start at 1; otherwise publishing
   * waits until a connected peer told this peer its frontier. @default false
   */
  newIdentity?: boolean
  /** Close the store when the peer stops (the presets own their store). @default false */
  closeStore?: boolean
  /**
   * Per author and topic, the gossip messages taken per second (RELIABILITY.md row 18, a flood
   * from one valid identity). Past it a valid message is Ignored: not taken from gossip and not
   * forwarded, without penalty for the forwarder. It is not lost: peers that hold it announce it,
   * and it comes by sync at the pace this peer asks. Own messages and sync replies are not
   * counted. Set it on peers that face untrusted publishers (a public relay); a limit below what
   * honest authors publish moves their traffic from gossip to sync, which is slower.
   * @default no limit
   */
  authorRate?: RateLimit
  /**
   * How much history every topic keeps (DESIGN.md "Retention"): past any of these limits the
   * oldest messages leave the store, checked every PRUNE_INTERVAL_MS (10 s). Never an unacked
   * message of this peer, and never one a subscriber of this peer has not finished (once the topic
   * has had one here). Peers are told the new oldest seqs, and a peer that lacks what is gone
   * starts after it. `peer.topic(name, { retention })` sets one topic's own. A limit that is not a
   * whole number (count, bytes ≥ 0, age ≥ 1 ms) throws RangeError. @default none: all history kept
   * (or what an earlier run stored for the topic)
   */
  retention?: Retention
  /** @internal How often a topic with a retention prunes (tests). @default PRUNE_INTERVAL_MS */
  pruneIntervalMs?: number
  /**
   * How long a received message may wait for what it depends on (repair asked meanwhile) before
   * it is quarantined: `dependency:gave-up`, no more repair, kept aside (at most 1,000 messages
   * and 16 MiB per topic, the oldest forgotten past that) and delivered if what it waits for
   * comes after all. Not a whole number ≥ 1 throws RangeError. @default 30,000 (T_dep)
   */
  dependencyTimeoutMs?: number
  /**
   * Per topic, the receive path's caches (core's InboxInit): ids seen (duplicates dropped before
   * any verification), recently delivered (author, seq) → id (equivocation spotted without a store
   * read) and clocks of older messages (exact causal heads). Full, they cost about 4 MB per topic
   * with 13 authors (docs/MESH.md "Memory"); smaller ones cost a little work, never correctness.
   * @default 16,384 / 16,384 / 4,096 (the browser preset: BROWSER_CACHES)
   */
  caches?: InboxCaches
  /**
   * @internal Test hook on the gossip receive path (after validation): drop a message, hand it
   * to the topic twice, or hand it over after a delay (so later messages overtake it).
   */
  gossipFault?: () => GossipFault | undefined
}

/** @internal What `PeerInit.gossipFault` does to one received gossip message. */
export type GossipFault = 'drop' | 'duplicate' | { delayMs: number }

export interface TopicOptions {
  /** This topic's history limits, instead of `PeerInit.retention`; stored with the topic. */
  retention?: Retention
}

export interface TopicHandle {
  readonly name: string
  /** The history limits in force (empty: all history kept). */
  readonly retention: Topic['retention']
  publish: Topic['publish']
  subscribe: Topic['subscribe']
  readonly held: Topic['held']
  readonly delivered: Topic['delivered']
  readonly outbox: Topic['outbox']
  readonly expired: Topic['expired']
  readonly buffered: Topic['buffered']
  /** Messages that waited too long for a dependency, kept aside (`dependency:gave-up`). */
  readonly quarantined: Topic['quarantined']
  /** Received messages waiting for their store write (maxUnstored), and how many were not taken. */
  readonly unstored: Topic['unstored']
  readonly inFlight: number
}

/** Counters of the sync protocol, for metrics. */
export interface SyncStats {
  /** Frontier updates sent (custody acks included). */
  havesSent: number
  /** Wants sent, and wants served to others. */
  wantsSent: number
  wantsServed: number
  /** Envelopes received in sync batches, and sent in them. */
  batchEnvelopes: number
  envelopesServed: number
  /** Wants given up after WANT_TIMEOUT_MS without their last Batch (withheld). */
  wantsTimedOut: number
  /** Envelopes dropped unverified: in Batch frames that answered no want, or past what the want asked for. */
  unaskedEnvelopes: number
  /** Valid gossip messages Ignored (not taken, not forwarded) past their author's rate limit. */
  gossipRateLimited: number
  /** Valid gossip messages Ignored (not taken, not forwarded) because this peer already stores them: replays (rows 7, 8). */
  gossipReplays: number
}

export class WeftPeer extends TypedEventEmitter<MeshEvents> {
  /** Sync protocol counters. */
  readonly stats: SyncStats = { havesSent: 0, wantsSent: 0, wantsServed: 0, batchEnvelopes: 0, envelopesServed: 0, wantsTimedOut: 0, unaskedEnvelopes: 0, gossipRateLimited: 0, gossipReplays: 0 }
  readonly libp2p: Libp2p<{ pubsub: GossipSub }>
  readonly store: WeftStore
  readonly network: string
  /** My author id: the libp2p peer id. */
  readonly me: string
  readonly #init: PeerInit
  readonly #crypto: CryptoSuite
  readonly #verifiedBatches = new VerifiedBatches()
  /** Per remote peer, how many messages a want asks of it: lowered when its connections end before a frame could cross (row 35). */
  readonly #wantCaps = new WantCaps(MAX_WANT_MESSAGES, MAX_RATE_BUCKETS)
  readonly #signer: Signer
  readonly #topics = new Map<string, Promise<Topic>>()
  readonly #opened = new Map<string, Topic>()
  readonly #sessions = new Map<string, Session>()
  /** Per-author gossip rate limit (`PeerInit.authorRate`), when set. */
  readonly #authorRate: RateLimiter | undefined
  /** Per topic, corrupt message records waiting for a sound copy from a peer. */
  readonly #damaged = new Map<string, Map<string, { author: string, seq: number, asked: Set<string> }>>()
  /** Timers of the gossipFault test hook's delayed messages. */
  readonly #faultTimers = new Set<ReturnType<typeof setTimeout>>()
  /** Gossip messages accepted by the validator, by message id: their new envelopes, for the message event. */
  readonly #validated = new Map<string, Envelope[]>()
  readonly #abort = new AbortController()
  #tick: ReturnType<typeof setTimeout> | undefined
  #state: ConnectionState = 'offline'
  #established: Promise<void>
  #establish: (() => void) | undefined
  #started = false
  #stopped = false
  #wantIds = 0
  readonly #listeners: Array<() => void> = []

  constructor (init: PeerInit) {
    super()
    const pubsub = init.libp2p.services.pubsub
    if (pubsub === undefined) throw new MisconfiguredNodeError('the libp2p node has no gossipsub service at services.pubsub')
    if (pubsub.globalSignaturePolicy !== 'StrictNoSign') {
      throw new MisconfiguredNodeError('gossipsub must use StrictNoSign: weft envelopes carry their author\'s signature (use weftGossipsub())')
    }
    this.libp2p = init.libp2p
    this.store = init.store
    this.network = init.network
    this.me = init.libp2p.peerId.toString()
    this.#init = init.retention === undefined ? init : { ...init, retention: checkRetention(init.retention) }
    for (const [name, size] of Object.entries(init.caches ?? {})) {
      if (size !== undefined && !(Number.isSafeInteger(size) && size >= 1)) throw new RangeError(`caches.${name} must be a whole number ≥ 1, got ${String(size)}`)
    }
    const tDep = init.dependencyTimeoutMs
    if (tDep !== undefined && !(Number.isSafeInteger(tDep) && tDep >= 1)) throw new RangeError(`dependencyTimeoutMs must be a whole number ≥ 1, got ${String(tDep)}`)
    this.#authorRate = init.authorRate === undefined ? undefined : new RateLimiter(init.authorRate, MAX_RATE_BUCKETS)
    this.#crypto = init.crypto ?? nobleCrypto()
    this.#signer = init.signer
    if (toHexKey(init.signer.publicKey) !== toHexKey(init.libp2p.peerId.publicKey?.raw)) {
      throw new MisconfiguredNodeError('the signer is not the libp2p node\'s identity key')
    }
    this.#established = Promise.resolve()
  }

  get connectionState (): ConnectionState {
    return this.#state
  }

  #offline = false

  /** True while the peer keeps itself offline (see `setOffline`). */
  get offline (): boolean {
    return this.#offline
  }

  /**
   * Cuts every connection and stops redialling (true), or allows them again
   * (false). Publishing keeps working offline: messages wait in the outbox.
   */
  async setOffline (offline: boolean): Promise<void> {
    this.#offline = offline
    if (offline) {
      await Promise.all(this.libp2p.getConnections().map(c => c.close().catch(() => c.abort(new Error('offline')))))
    }
    this.dispatchEvent(new CustomEvent('connection:state', { detail: { state: offline ? 'offline' : this.#state } }))
  }

  /** Connected weft peers (sync sessions). */
  get sessionCount (): number {
    return this.#sessions.size
  }

  /** Names of the topics opened. */
  get topicNames (): string[] {
    return [...this.#opened.keys()]
  }

  /** Starts libp2p (if needed), the sync protocol and the outbox timer. Safe twice. */
  async start (): Promise<void> {
    if (this.#started) return
    this.#started = true
    this.store.adapter.onLost?.(error => { void this.#storeLost(error) })
    if (await this.store.authorOrigin(this.me) === undefined) {
      if (this.#init.newIdentity === true) await this.store.establishAuthor(this.me, {})
      else this.#established = new Promise(resolve => { this.#establish = resolve })
    }
    const pubsub = this.libp2p.services.pubsub
    const onMessage = (evt: CustomEvent<{ msgId: string, propagationSource: PeerId, msg: { topic: string } }>): void => {
      const envs = this.#validated.get(evt.detail.msgId)
      this.#validated.delete(evt.detail.msgId)
      if (envs === undefined) return
      const from = evt.detail.propagationSource.toString()
      const ingest = (): void => {
        const t = this.#opened.get(evt.detail.msg.topic)
        for (const env of envs) t?.ingest(env, from)
      }
      const fault = this.#init.gossipFault?.()
      if (fault === undefined) {
        ingest()
      } else if (fault === 'duplicate') {
        ingest()
        ingest()
      } else if (fault !== 'drop') {
        const timer = setTimeout(() => {
          this.#faultTimers.delete(timer)
          ingest()
        }, fault.delayMs)
        this.#faultTimers.add(timer)
      }
    }
    pubsub.addEventListener('gossipsub:message', onMessage as never)
    this.#listeners.push(() => pubsub.removeEventListener('gossipsub:message', onMessage as never))
    this.#listeners.push(this.store.watchCorrupt(record => { this.#onCorrupt(record) }))
    const onConnect = (evt: CustomEvent<PeerId>): void => {
      if (this.#offline) {
        void this.libp2p.hangUp(evt.detail).catch(() => undefined)
        return
      }
      void this.#openSession(evt.detail)
    }
    const onDisconnect = (evt: CustomEvent<PeerId>): void => { this.#closeSession(evt.detail.toString()) }
    const onConnectionChange = (): void => { this.#updateState() }
    this.libp2p.addEventListener('peer:connect', onConnect)
    this.libp2p.addEventListener('peer:disconnect', onDisconnect)
    this.libp2p.addEventListener('connection:open', onConnectionChange)
    this.libp2p.addEventListener('connection:close', onConnectionChange)
    this.#listeners.push(() => {
      this.libp2p.removeEventListener('peer:connect', onConnect)
      this.libp2p.removeEventListener('peer:disconnect', onDisconnect)
      this.libp2p.removeEventListener('connection:open', onConnectionChange)
      this.libp2p.removeEventListener('connection:close', onConnectionChange)
    })
    await this.libp2p.handle(SYNC_PROTOCOL, (stream, connection) => { void this.#inbound(stream, connection) }, { maxInboundStreams: 4, maxOutboundStreams: 4 })
    if (this.libp2p.status !== 'started') await this.libp2p.start()
    for (const peer of this.libp2p.getPeers()) void this.#openSession(peer)
    this.#updateState()
    this.#scheduleTick(OUTBOX_TICK_MS)
  }

  /** Opens a topic (subscribing to it on gossipsub) and returns its handle; `options` apply also to a topic already open. */
  async topic (name: string, options: TopicOptions = {}): Promise<TopicHandle> {
    if (this.#stopped) throw new PeerStoppedError()
    if (name.startsWith(RESERVED_TOPIC_PREFIX)) throw new ReservedTopicError(`topic names starting with "${RESERVED_TOPIC_PREFIX}" are weft's own: "${name}"`)
    if (options.retention !== undefined) checkRetention(options.retention)
    let opening = this.#topics.get(name)
    if (opening === undefined) {
      opening = this.#openTopic(name)
      this.#topics.set(name, opening)
    }
    const t = await opening
    if (options.retention !== undefined) await t.setRetention(options.retention)
    return {
      name,
      get retention () { return t.retention },
      publish: (data, options) => t.publish(data, options),
      subscribe: handler => t.subscribe(handler),
      get held () { return t.held },
      get delivered () { return t.delivered },
      get outbox () { return t.outbox },
      get expired () { return t.expired },
      get buffered () { return t.buffered },
      get quarantined () { return t.quarantined },
      get unstored () { return t.unstored },
      get inFlight () { return t.inFlight }
    }
  }

  async #openTopic (name: string): Promise<Topic> {
    const topic = await Topic.open(name, this.#context())
    this.#opened.set(name, topic)
    const pubsub = this.libp2p.services.pubsub
    pubsub.topicValidators.set(name, async (from, msg) => await this.#validate(name, from, msg.data))
    scoreTopic(pubsub, name)
    pubsub.subscribe(name)
    for (const s of this.#sessions.values()) {
      await s.send({ have: { topics: [frontier(name, topic.held, topic.oldest, true)] } })
      topic.pull(s)
    }
    return topic
  }

  /**
   * gossipsub's validator, for one envelope or one bundle of them (bundle.ts): Accept when
   * every envelope is valid and one at least is new here (they are kept for the message
   * event); Reject anything invalid (the sender's score drops); Ignore replays of what is
   * stored here and what is over an author's rate.
   */
  async #validate (topic: string, from: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    try {
      const opts = { crypto: this.#crypto, network: this.network, topic, limits: this.#init.limits, verifiedBatches: this.#verifiedBatches }
      const envs: Envelope[] = []
      for (const bytes of unpackGossip(data)) {
        const env = await openEnvelope(bytes, opts)
        const last = envs[envs.length - 1]
        if (last !== undefined && (env.author !== last.author || env.seq <= last.seq)) {
          throw new MalformedEnvelopeError('a gossip bundle holds one author\'s envelopes in increasing seq')
        }
        envs.push(env)
      }
      const t = this.#opened.get(topic)
      const fresh: Envelope[] = []
      for (const env of envs) if (await t?.holds(env) !== true) fresh.push(env)
      this.stats.gossipReplays += envs.length - fresh.length
      if (fresh.length === 0) return TopicValidatorResult.Ignore
      // charged after the signature check: a forger cannot spend an honest author's tokens
      if (this.#authorRate?.take(`${topic}\n${envs[0]!.author}`, monotonic(), fresh.length) === false) {
        this.stats.gossipRateLimited += fresh.length
        return TopicValidatorResult.Ignore
      }
      const id = envs.length === 1 ? envs[0]!.id : toHex(this.#crypto.sha256(data))
      this.#validated.set(id, fresh)
      if (this.#validated.size > 10_000) this.#validated.delete(this.#validated.keys().next().value!)
      return TopicValidatorResult.Accept
    } catch (err) {
      if (!isRejection(err)) throw err
      this.dispatchEvent(new CustomEvent('message:rejected', { detail: { topic, from: from.toString(), reason: err.name } }))
      return TopicValidatorResult.Reject
    }
  }

  #context (): TopicContext {
    return {
      me: this.me,
      signer: this.#signer,
      crypto: this.#crypto,
      verifiedBatches: this.#verifiedBatches,
      network: this.network,
      store: this.store,
      limits: this.#init.limits,
      ackQuorum: this.#init.ackQuorum ?? 1,
      window: this.#init.window ?? DEFAULT_WINDOW,
      outboxLimit: this.#init.outboxLimit ?? 100_000,
      maxUnstored: this.#init.maxUnstored ?? MAX_UNSTORED,
      ttlMs: this.#init.ttlMs,
      retry: this.#init.retry,
      retention: this.#init.retention,
      caches: this.#init.caches,
      pruneIntervalMs: this.#init.pruneIntervalMs ?? PRUNE_INTERVAL_MS,
      dependencyTimeoutMs: this.#init.dependencyTimeoutMs ?? DEFAULT_DEPENDENCY_TIMEOUT_MS,
      now: Date.now,
      monotonic,
      random: Math.random,
      established: () => this.#established,
      gossip: async (topic, bytes) => { await this.libp2p.services.pubsub.publish(topic, bytes) },
      sessions: () => this.#sessions.values(),
      announce: (topic, entries) => this.#announce(topic, entries),
      want: (session, topic, ranges) => this.#want(session, topic, ranges),
      spreadProof: (topic, proof, except) => { this.#spreadProof(topic, proof, except) },
      emit: (type, detail) => { this.dispatchEvent(new CustomEvent(type, { detail }) as never) }
    }
  }

  // ---- sessions -----------------------------------------------------------

  async #openSession (peer: PeerId): Promise<void> {
    const remote = peer.toString()
    if (this.#sessions.has(remote) || this.#stopped) return
    let stream: Stream
    try {
      stream = await this.libp2p.dialProtocol(peer, SYNC_PROTOCOL, { signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(10_000)]) })
    } catch {
      return // not a weft peer (a plain gossipsub router, a relay without weft), or gone
    }
    if (this.#sessions.has(remote) || this.#stopped) {
      stream.abort(new Error('duplicate session'))
      return
    }
    const session = new Session(remote, stream, monotonic())
    this.#sessions.set(remote, session)
    stream.addEventListener('close', () => { if (this.#sessions.get(remote) === session) this.#closeSession(remote) })
    const topics = [...this.#opened.values()].map(t => frontier(t.name, t.held, t.oldest, true, t.heads))
    await session.send({ hello: { network: this.network, topics } })
    // the equivocations known here, so that a peer that kept the other message learns of it too
    for (const t of this.#opened.values()) {
      if (t.proofCount === 0) continue
      for (const proof of await this.store.proofs(t.name)) {
        if (session.closed) return
        await session.send(proofFrame(t.name, proof))
      }
    }
  }

  /**
   * Fork detection (RELIABILITY.md row 13): a full frontier names, per author, the id of the
   * message at its held seq. Where this peer holds another message at that seq, the author
   * equivocated while the two were apart: that message is asked for, and its arrival (in
   * `#batch`) proves it. At most MAX_FORK_READS store reads per frontier.
   */
  async #checkForks (session: Session, topic: Topic, entries: readonly Entry[]): Promise<void> {
    const ranges: SeqRange[] = []
    let reads = 0
    for (const e of entries.slice(0, MAX_FRONTIER_AUTHORS)) {
      if (e.head.length !== HEAD_BYTES || e.seq < 1n || e.seq > BigInt(Number.MAX_SAFE_INTEGER)) continue
      const seq = Number(e.seq)
      if (seq > topic.heldOf(e.author)) continue
      const mine = topic.headId(e.author, seq) ?? (reads++ < MAX_FORK_READS ? await topic.idAt(e.author, seq) : undefined)
      if (mine === undefined || mine.startsWith(toHex(e.head))) continue
      ranges.push({ author: e.author, from: seq, to: seq })
    }
    if (ranges.length === 0 || session.closed) return
    const asked = ranges.slice(0, MAX_WANT_MESSAGES)
    this.#detach(session, this.#sendWant(session, topic.name, asked, asked.length), topic.name, 0)
  }

  /** Passes an equivocation proof on to every connected peer but the one it came from. */
  #spreadProof (topic: string, proof: EquivocationProof, except?: string): void {
    for (const s of this.#sessions.values()) {
      if (s.remote === except || s.closed) continue
      void s.send(proofFrame(topic, proof)).catch(() => undefined)
    }
  }

  /** Equivocation proofs a peer sent (RELIABILITY.md row 13): each verified; one that proves nothing ends the stream. */
  async #proofs (session: Session, name: string, proofs: Array<{ first: Uint8Array, second: Uint8Array }>): Promise<void> {
    if (proofs.length > MAX_PROOFS_PER_FRAME) throw new ProtocolError(`${proofs.length} equivocation proofs in one frame, the limit is ${MAX_PROOFS_PER_FRAME}`)
    const topic = this.#opened.get(name)
    if (topic === undefined) return
    for (const p of proofs) {
      try {
        await topic.learn(p.first, p.second, session.remote)
      } catch (err) {
        if (!isRejection(err) && (err as Error)?.name !== 'InvalidArgumentError') throw err
        this.dispatchEvent(new CustomEvent('message:rejected', { detail: { topic: name, from: session.remote, reason: `InvalidProof` } }))
        throw new ProtocolError(`an equivocation proof that proves nothing: ${(err as Error).message}`)
      }
    }
  }

  #closeSession (remote: string): void {
    const s = this.#sessions.get(remote)
    if (s === undefined) return
    this.#sessions.delete(remote)
    s.closed = true
    // a want that got nothing before its connection ended: maybe its first frame could not cross the link
    if ([...s.wants.keys()].some(topic => (s.received.get(topic) ?? 0) === 0)) this.#wantCaps.cut(remote, monotonic())
    if (s.haveTimer !== undefined) clearTimeout(s.haveTimer)
    for (const t of s.pullTimers.values()) clearTimeout(t)
    for (const t of s.wantTimers.values()) clearTimeout(t)
    s.stream.abort(new Error('session closed'))
    for (const t of this.#opened.values()) {
      t.wake()
      t.pullAll() // its want, if any, no longer counts: another peer may be asked
    }
  }

  async #inbound (stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    try {
      await readFrames(stream, frame => this.#onFrame(remote, frame))
    } catch (err) {
      stream.abort(err as Error)
      // a broken frame is hostile input; a stream reset when a peer goes away is not
      if ((err as Error).name === 'ProtocolError') {
        this.dispatchEvent(new CustomEvent('message:rejected', { detail: { topic: '', from: remote, reason: 'ProtocolError' } }))
      }
    }
  }

  async #onFrame (remote: string, frame: SyncFrame): Promise<void> {
    // Frames can arrive on the remote's stream before my own stream to it is open.
    let session = this.#sessions.get(remote)
    if (session === undefined) {
      await this.#openSession(peerIdFromString(remote))
      session = this.#sessions.get(remote)
      if (session === undefined) return
    }
    const now = monotonic() // durations and rates: never the wall clock, which may jump (chaos C6)
    if (frame.hello !== undefined) {
      if (frame.hello.network !== this.network) {
        this.#closeSession(remote)
        return
      }
      await this.#frontiers(session, frame.hello.topics, now)
    }
    if (frame.have !== undefined) await this.#frontiers(session, frame.have.topics, now)
    if (frame.want !== undefined) await this.#serve(session, frame.want, now)
    if (frame.batch !== undefined) await this.#batch(session, frame.batch)
    if (frame.proofs !== undefined) await this.#proofs(session, frame.proofs.topic, frame.proofs.proofs)
  }

  async #frontiers (session: Session, topics: Frontier[], now: number): Promise<void> {
    const learned: Record<string, number> = {}
    for (const f of topics.slice(0, 1024)) {
      const held = fromEntries(f.held)
      const { after } = session.update(f.topic, held, fromEntries(f.oldest), f.full, this.me, now)
      learned[f.topic] = clockGet(held, this.me)
      const topic = this.#opened.get(f.topic)
      if (topic === undefined) continue
      this.#askRepair(session, f.topic)
      if (after > 0) await topic.acked(session.remote, after)
      if (f.full) await this.#checkForks(session, topic, f.held)
      if (f.full) topic.pull(session)
      else if (!session.pullTimers.has(f.topic)) {
        // what this Have shows is most likely on its way by gossip: look again after the grace
        session.pullTimers.set(f.topic, setTimeout(() => {
          session.pullTimers.delete(f.topic)
          if (!session.closed) topic.pull(session)
        }, PULL_GRACE_MS))
      }
    }
    if (this.#establish !== undefined) {
      // A key this store did not create: continue above what this peer holds of me.
      const establish = this.#establish
      this.#establish = undefined
      await this.store.establishAuthor(this.me, learned)
      for (const [name, topic] of this.#opened) topic.adopt(learned[name] ?? 0)
      establish()
    }
  }

  /** Sends a Want for `ranges` on `session`; returns its id. */
  #sendWant (session: Session, topic: string, ranges: SeqRange[], maxMessages: number): number {
    const id = ++this.#wantIds
    this.stats.wantsSent++
    void session.send({
      want: { topic, id, maxMessages, packed: true, ranges: ranges.map(r => ({ author: r.author, from: BigInt(r.from), to: BigInt(r.to) })) }
    })
    return id
  }

  /** The topic's want in flight on `session`: asks for `ranges`, and gives up after WANT_TIMEOUT_MS. */
  #want (session: Session, topic: string, ranges: SeqRange[]): void {
    const id = this.#sendWant(session, topic, ranges, this.#wantCaps.of(session.remote))
    session.wants.set(topic, id)
    session.wantTimers.set(topic, setTimeout(() => {
      session.wantTimers.delete(topic)
      if (session.wants.get(topic) !== id) return
      // withheld: give up, and leave this peer alone for the topic until its frontier moves
      this.stats.wantsTimedOut++
      this.#detach(session, id, topic, session.received.get(topic) ?? 0)
      session.wants.delete(topic)
      session.received.delete(topic)
      session.stall(topic, monotonic())
      this.#opened.get(topic)?.pullAll() // ask someone else
    }, WANT_TIMEOUT_MS))
  }

  /** Serves a want from the store, in log order, bounded in count and bytes, rate-limited per peer. */
  async #serve (session: Session, want: Want, now: number): Promise<void> {
    const topic = this.#opened.get(want.topic)
    if (topic === undefined || !session.takeToken(now)) {
      await session.send({ batch: { topic: want.topic, wantId: want.id, envelopes: [], packed: [], last: true } })
      return
    }
    this.stats.wantsServed++
    const ranges: SeqRange[] = want.ranges.slice(0, 1024).flatMap(r => {
      const from = Number(r.from)
      const to = Math.min(Number(r.to), topic.heldOf(r.author))
      return Number.isSafeInteger(from) && from >= 1 && from <= to ? [{ author: r.author, from, to }] : []
    })
    topic.fetching(ranges)
    const max = Math.min(want.maxMessages > 0 ? want.maxMessages : MAX_WANT_MESSAGES, MAX_WANT_MESSAGES)
    let bytes = 0
    let frame: Array<Uint8Array<ArrayBuffer>> = []
    let frameBytes = 0
    const send = async (last: boolean): Promise<void> => {
      const batch = { topic: want.topic, wantId: want.id, last }
      await session.send({ batch: want.packed ? { ...batch, envelopes: [], packed: packEnvelopes(frame) as Array<Uint8Array<ArrayBuffer>> } : { ...batch, envelopes: frame, packed: [] } })
    }
    outer: for await (const chunk of readInLogOrder(this.store, want.topic, ranges, BATCH_FRAME_MESSAGES, max)) {
      for (const m of chunk) {
        if (frame.length > 0 && frameBytes + m.bytes.length > BATCH_FRAME_BYTES) {
          await send(false)
          frame = []
          frameBytes = 0
        }
        this.stats.envelopesServed++
        frame.push(m.bytes as Uint8Array<ArrayBuffer>)
        frameBytes += m.bytes.length
        bytes += m.bytes.length
        if (frame.length >= BATCH_FRAME_MESSAGES) {
          await send(false)
          frame = []
          frameBytes = 0
        }
        if (bytes >= MAX_REPLY_BYTES) break outer
      }
    }
    await send(true)
  }

  /**
   * Envelopes from a sync reply: each verified like gossip, then ingested. Only what a want in
   * flight asked for is taken (RELIABILITY.md row 24): a frame that answers no want is dropped
   * unverified (past MAX_UNASKED_FRAMES the stream ends), and one that carries more than the
   * want asked for ends the stream. A packed frame is rebuilt (`unpackEnvelopes`) only once
   * it passed those checks.
   */
  async #batch (session: Session, batch: Batch): Promise<void> {
    const { topic: name, last, wantId } = batch
    if (batch.envelopes.length > 0 && batch.packed.length > 0) throw new ProtocolError('a sync batch with both plain and packed envelopes')
    const packed = batch.packed.length > 0
    let envelopes: Uint8Array[] = packed ? batch.packed : batch.envelopes
    const topic = this.#opened.get(name)
    if (topic === undefined) return
    const current = session.wants.get(name) === wantId
    const detached = session.detached.get(wantId)
    if (!current && detached?.topic !== name) {
      this.stats.unaskedEnvelopes += envelopes.length
      if (envelopes.length > 0) this.dispatchEvent(new CustomEvent('message:rejected', { detail: { topic: name, from: session.remote, reason: 'UnaskedBatch' } }))
      if (++session.unaskedFrames > MAX_UNASKED_FRAMES) throw new ProtocolError(`${session.unaskedFrames} sync batches that answered no want`)
      return
    }
    const received = (current ? session.received.get(name) ?? 0 : detached!.received) + envelopes.length
    if (received > MAX_WANT_MESSAGES) {
      this.stats.unaskedEnvelopes += envelopes.length
      throw new ProtocolError(`a sync reply of ${received} messages to a want of at most ${MAX_WANT_MESSAGES}`)
    }
    if (current) session.received.set(name, received)
    else detached!.received = received
    if (packed) envelopes = unpackEnvelopes(envelopes, MAX_FRAME_BYTES)
    this.stats.batchEnvelopes += envelopes.length
    // verify the frame's envelopes together (on the thread pool where the crypto allows), then ingest in order
    const opened = await Promise.allSettled(envelopes.map(bytes =>
      openEnvelope(bytes, { crypto: this.#crypto, network: this.network, topic: name, limits: this.#init.limits, verifiedBatches: this.#verifiedBatches })))
    for (const r of opened) {
      if (r.status === 'fulfilled') {
        if (this.#damaged.get(name)?.has(`${r.value.author}/${r.value.seq}`) === true) await this.#repair(topic, r.value)
        else if (r.value.seq <= topic.heldOf(r.value.author)) await topic.checkHeld(r.value) // a fork check's reply, or a copy
        else topic.ingest(r.value, session.remote)
        continue
      }
      if (!isRejection(r.reason)) throw r.reason
      this.dispatchEvent(new CustomEvent('message:rejected', { detail: { topic: name, from: session.remote, reason: r.reason.name } }))
    }
    if (!last) return
    if (!current) {
      session.detached.delete(wantId)
      return
    }
    // the want may have timed out while its envelopes were verified
    if (session.wants.get(name) !== wantId) {
      session.detached.delete(wantId)
      return
    }
    session.wants.delete(name)
    session.received.delete(name)
    clearTimeout(session.wantTimers.get(name))
    session.wantTimers.delete(name)
    if (received === 0) session.stall(name, monotonic()) // withheld, pruned or rate-limited: wait for its frontier to move
    else this.#wantCaps.answered(session.remote, monotonic())
    topic.pullAll() // this one again if it sent something, or another peer: at most REPAIR_ASK_PEERS are asked at once
  }

  /** Keeps taking replies to want `id` although it is not the topic's want in flight. */
  #detach (session: Session, id: number, topic: string, received: number): void {
    session.detached.set(id, { topic, received })
    if (session.detached.size > MAX_DETACHED_WANTS) session.detached.delete(session.detached.keys().next().value!)
  }

  // ---- corrupt records (RELIABILITY.md row 30) ------------------------------

  /** A record failed its checksum: reported; a message record is fetched again from peers that hold it. */
  #onCorrupt (record: CorruptRecord): void {
    const [kind, topic, author, seqKey] = record.key
    const seq = Number(seqKey)
    const isMessage = kind === 'msg' && topic !== undefined && author !== undefined && Number.isSafeInteger(seq)
    const report = (): void => {
      this.dispatchEvent(new CustomEvent('store:corrupt', { detail: { key: [...record.key], reason: record.reason, ...(isMessage ? { topic, author, seq } : {}) } }))
    }
    if (!isMessage || !this.#opened.has(topic)) {
      report()
      return
    }
    let damaged = this.#damaged.get(topic)
    if (damaged === undefined) this.#damaged.set(topic, damaged = new Map())
    const key = `${author}/${seq}`
    if (damaged.has(key)) return // reported once, until repaired
    report()
    damaged.set(key, { author, seq, asked: new Set() })
    if (damaged.size > MAX_DAMAGED_PER_TOPIC) damaged.delete(damaged.keys().next().value!)
    for (const session of this.#sessions.values()) this.#askRepair(session, topic)
  }

  /** Asks `session` for the corrupt records of `topic` it holds and was not asked for yet (each record from at most REPAIR_ASK_PEERS peers). */
  #askRepair (session: Session, topic: string): void {
    const damaged = this.#damaged.get(topic)
    const remote = session.topics.get(topic)
    if (damaged === undefined || remote === undefined || session.closed) return
    const ranges: SeqRange[] = []
    for (const d of damaged.values()) {
      if (d.asked.has(session.remote) || d.asked.size >= REPAIR_ASK_PEERS) continue
      if ((remote.held.get(d.author) ?? 0) < d.seq || (remote.oldest.get(d.author) ?? 1) > d.seq) continue
      d.asked.add(session.remote)
      ranges.push({ author: d.author, from: d.seq, to: d.seq })
    }
    if (ranges.length === 0) return
    const asked = ranges.slice(0, MAX_WANT_MESSAGES)
    this.#detach(session, this.#sendWant(session, topic, asked, asked.length), topic, 0)
  }

  /** Writes a verified copy of a corrupt record back, then lets the topic deliver what waited behind it. */
  async #repair (topic: Topic, env: Envelope): Promise<void> {
    const key = `${env.author}/${env.seq}`
    const damaged = this.#damaged.get(topic.name)
    if (damaged?.has(key) !== true) return
    damaged.delete(key)
    try {
      if (await this.store.repairMessage(env)) {
        this.dispatchEvent(new CustomEvent('store:repaired', { detail: { topic: topic.name, author: env.author, seq: env.seq } }))
      }
    } catch (err) {
      this.dispatchEvent(new CustomEvent('error', { detail: { topic: topic.name, error: err as Error } }))
      return
    }
    topic.resume()
  }

  /** Queues frontier entries for every session; sent together after a short debounce. */
  #announce (topic: string, entries: Iterable<readonly [string, number]>): void {
    const list = [...entries]
    if (list.length === 0) return
    for (const s of this.#sessions.values()) {
      let pending = s.pendingHave.get(topic)
      if (pending === undefined) {
        pending = new Map()
        s.pendingHave.set(topic, pending)
      }
      for (const [a, seq] of list) pending.set(a, Math.max(seq, pending.get(a) ?? 0))
      // the peer's own messages: a custody ack, at once; anything else can wait to be gathered
      const ms = list.some(([a]) => a === s.remote) ? HAVE_DEBOUNCE_MS : HAVE_LAZY_MS
      const at = monotonic() + ms
      if (s.haveTimer !== undefined && s.haveAt <= at) continue
      clearTimeout(s.haveTimer)
      s.haveAt = at
      s.haveTimer = setTimeout(() => {
        s.haveTimer = undefined
        const topics = [...s.pendingHave].map(([t, m]) => frontier(t, m, new Map(), false))
        s.pendingHave.clear()
        this.stats.havesSent++
        void s.send({ have: { topics } })
      }, ms)
    }
  }

  // ---- outbox timer, state, stop -----------------------------------------

  #scheduleTick (ms: number): void {
    if (this.#stopped) return
    this.#tick = setTimeout(() => { void this.#runTick() }, Math.max(10, Math.min(ms, OUTBOX_TICK_MS)))
  }

  async #runTick (): Promise<void> {
    let next = Date.now() + OUTBOX_TICK_MS // the outbox's due times are wall clock (persisted); the delay is clamped to a tick
    for (const t of this.#opened.values()) {
      try {
        const at = await t.retry()
        if (at !== undefined) next = Math.min(next, at)
        if (await t.prune()) {
          // peers learn the new oldest seqs, so that none asks for what is gone
          for (const s of this.#sessions.values()) void s.send({ have: { topics: [frontier(t.name, t.held, t.oldest, true)] } })
        }
      } catch (err) {
        this.dispatchEvent(new CustomEvent('error', { detail: { topic: t.name, error: err as Error } }))
      }
    }
    this.#scheduleTick(next - Date.now())
  }

  #updateState (): void {
    const conns = this.libp2p.getConnections()
    const state: ConnectionState = conns.length === 0 ? 'offline' : conns.some(c => c.limits === undefined) ? 'direct' : 'relayed'
    if (state === this.#state) return
    this.#state = state
    this.dispatchEvent(new CustomEvent('connection:state', { detail: { state } }))
  }

  /** Finishes queued writes, then stops topics, sessions, timers and libp2p. Safe twice. */
  /**
   * The store vanished (the browser cleared or evicted the site's storage): nothing can be kept
   * any more, so the peer says which of its messages no peer confirmed, and stops.
   */
  async #storeLost (error: StoreLostError): Promise<void> {
    if (this.#stopped) return
    const unconfirmed = [...this.#opened.values()].flatMap(t => t.outbox.map(e => ({ topic: t.name, id: e.id, seq: e.seq })))
    this.dispatchEvent(new CustomEvent('store:lost', { detail: { error, unconfirmed } }))
    await this.stop()
  }

  async stop (): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.dispatchEvent(new CustomEvent('stopping'))
    if (this.#tick !== undefined) clearTimeout(this.#tick)
    this.#abort.abort(new PeerStoppedError())
    for (const t of this.#opened.values()) await t.stop()
    for (const remote of [...this.#sessions.keys()]) this.#closeSession(remote)
    for (const off of this.#listeners) off()
    for (const t of this.#faultTimers) clearTimeout(t)
    this.#faultTimers.clear()
    await this.libp2p.unhandle(SYNC_PROTOCOL).catch(() => undefined)
    await this.libp2p.stop()
    this.#establish?.()
    if (this.#init.closeStore === true) await this.store.close()
  }
}

/** Creates a weft peer on a libp2p node and starts it. */
export async function createPeer (init: PeerInit): Promise<WeftPeer> {
  const peer = new WeftPeer(init)
  await peer.start()
  return peer
}

/** A Signer from a libp2p Ed25519 private key (the one the node was created with). */
export function libp2pSigner (privateKey: PrivateKey): Signer {
  if (privateKey.type !== 'Ed25519') throw new MisconfiguredNodeError('weft authors sign with Ed25519 keys')
  return { publicKey: privateKey.publicKey.raw, sign: (d) => privateKey.sign(d) }
}

function toHexKey (key: Uint8Array | undefined): string {
  return key === undefined ? '' : Array.from(key, b => b.toString(16).padStart(2, '0')).join('')
}

/** One equivocation proof as a sync frame (one per frame: a proof may be 176 KiB). */
function proofFrame (topic: string, proof: EquivocationProof): SyncFrame {
  return { proofs: { topic, proofs: [{ first: proof.first as Uint8Array<ArrayBuffer>, second: proof.second as Uint8Array<ArrayBuffer> }] } }
}
