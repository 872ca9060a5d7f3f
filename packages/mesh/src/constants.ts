/** Limits and defaults of the mesh, each with the reason for it. */

/** The sync protocol id. */
export const SYNC_PROTOCOL = '/weft/sync/1.0.0'

/** Largest sync frame read; a longer length header resets the stream before anything is buffered (RELIABILITY.md row 3). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024

/** A sync frame must be complete this long after its first byte arrived, or the stream is reset (a slow trickle holding a stream slot, RELIABILITY.md row 3). 4 MiB in 60 s is 70 KB/s. */
export const FRAME_DEADLINE_MS = 60_000

/** Most messages one Want may ask for, and one reply may carry. */
export const MAX_WANT_MESSAGES = 2048
/** Most bytes of envelopes one reply carries; the rest is asked for again. */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024
/** Envelopes per Batch frame, at most. */
export const BATCH_FRAME_MESSAGES = 64
/**
 * Bytes of envelopes per Batch frame, at most (one envelope alone may exceed it): far below
 * MAX_FRAME_BYTES, which 64 envelopes of 64 KiB would pass (the reader would reset the stream).
 */
export const BATCH_FRAME_BYTES = 1024 * 1024

/**
 * A want whose last Batch has not come after this long is given up: that peer is not asked
 * for the topic again until its frontier moves (RELIABILITY.md row 25, withholding). The
 * other neighbours are asked on their own, so a withholding peer delays nothing they hold.
 * Well under 2 × the dependency timeout.
 */
export const WANT_TIMEOUT_MS = 10_000
/** A peer whose reply was empty although its frontier promised more (withheld, pruned, or rate-limited), or never came, is not asked for that topic again until its frontier moves or this long passed. */
export const STALL_MS = 30_000
/** Timed-out and repair wants per session whose replies are still taken; older ones count as unasked. */
export const MAX_DETACHED_WANTS = 16

/** Corrupt message records per topic waiting to be fetched again from peers; past it the oldest is forgotten (reported, not repaired). */
export const MAX_DAMAGED_PER_TOPIC = 1024
/** Peers asked at once for what a topic lacks, and for one corrupt record (RELIABILITY.md row 12 asks for at most 3). */
export const REPAIR_ASK_PEERS = 3

/**
 * Batch frames that answer no want in flight, tolerated per session: their envelopes are
 * dropped unverified; one more ends the peer's stream with a ProtocolError (row 24). A frame
 * that carries more than its want asked for ends it at once.
 */
export const MAX_UNASKED_FRAMES = 4

/** Wants served per peer per second (token bucket), and the burst allowed. Past it a Want is refused (an empty last Batch). */
export const WANT_RATE_PER_S = 50
export const WANT_BURST = 100

/** A custody ack for a peer's own messages goes to it this soon (its publish window waits on it), gathering what comes meanwhile. */
export const HAVE_DEBOUNCE_MS = 2
/**
 * Other frontier news (messages of other authors stored here) waits up to this long, gathered
 * into one Have per peer: at low rates one Have per stored message per peer was most of the
 * sync frames. A peer that missed a message by gossip pulls it PULL_GRACE_MS after the Have.
 */
export const HAVE_LAZY_MS = 100

/**
 * While stored messages wait undelivered on what they depend on (a corrupt record, a message a
 * crash lost), live deliveries go through a replay of the log at most this often (Topic#replaySoon).
 */
export const REPLAY_BEHIND_MS = 100
/** …doubling up to this while those replays deliver nothing (a dependency no peer has yet). */
export const REPLAY_BEHIND_MAX_MS = 10_000

/** A gap seen on gossip waits this long for the missing message before it is asked for. */
export const REPAIR_DELAY_MS = 150
/**
 * A neighbour's frontier update (Have) that shows messages I lack waits this long before I
 * ask for them: they are usually on their way by gossip, and asking at once fetches every
 * message a second time from every neighbour. A Hello (a new session) is answered at once.
 */
export const PULL_GRACE_MS = 250

/** Messages handed to the store in one write (group commit), at most. */
export const STORE_BATCH = 256

/** Received messages stored per write, at most: smaller than a window, so acks flow back while the rest of the window is still being verified and the publisher refills early. */
export const RECEIVE_BATCH = 64

/** In-flight (published, not yet acked by every active subscriber) messages per topic before publish waits. */
export const DEFAULT_WINDOW = 256

/** A subscriber that acked nothing for this long stops holding back the publisher; it catches up by sync. */
export const SLOW_PEER_GRACE_MS = 10_000

/** Outbox checks for due retries at least this often. */
export const OUTBOX_TICK_MS = 250

/**
 * Messages re-sent by gossip in one outbox round, at most (the oldest first). The rest stay
 * due and go one tick later, so a backlog (a publisher that was alone for a while) is re-sent
 * at ~1,000 msg/s per topic while connected peers pull it by sync, instead of all at once
 * alongside sync (which doubled the bytes of a 10,000-message catch-up).
 */
export const RESEND_ROUND = 256

/**
 * A topic with a retention (`PeerInit.retention`) drops what is past it this often, at most
 * PRUNE_BATCH messages per go; while more is past it, the next go follows at the next outbox
 * tick. So a topic overshoots its limits by what arrives in this interval, at most.
 */
export const PRUNE_INTERVAL_MS = 10_000
export const PRUNE_BATCH = 4_096

/**
 * The browser preset's receive caches per topic (PeerInit.caches): a quarter of the core's defaults
 * (16,384 ids, 16,384 delivered pairs, 4,096 clocks), about 1 MB per topic full with 13 authors
 * instead of 4 (docs/MESH.md "Memory"). A tab takes less traffic than a relay, and a miss costs a
 * little work: a verification, a store read, a few more causal heads on the wire.
 */
export const BROWSER_CACHES = { seenIds: 4_096, recentDelivered: 4_096, clockCache: 1_024 } as const

/** stop() waits this long at most for queued store writes and deliveries of a topic. */
export const STOP_GRACE_MS = 3_000

/** Acked outbox entries are removed from the store in one write at most this often. */
export const ACK_PERSIST_MS = 100

/** Authors (per topic) whose gossip rate is tracked when `authorRate` is set; past it the least recently seen is forgotten. */
export const MAX_RATE_BUCKETS = 10_000

/** Topics whose frontier is kept per connected peer; frontiers for more are ignored. */
export const MAX_REMOTE_TOPICS = 1024

/** Authors per topic frontier kept from one peer; entries past it are ignored. */
export const MAX_FRONTIER_AUTHORS = 100_000

/** Topic names starting with this are weft's own (presence), not application topics. */
export const RESERVED_TOPIC_PREFIX = '_weft/'

/**
 * Equivocation proofs in one sync frame, at most (each is two envelopes, up to 176 KiB). A
 * frame with more, or with a proof that does not verify, ends the peer's stream (ProtocolError):
 * an honest peer never sends either.
 */
export const MAX_PROOFS_PER_FRAME = 16

/** Equivocation proofs kept per topic (found here or told by peers). Past it new ones are still checked and reported, but neither stored nor passed on. */
export const MAX_PROOFS_PER_TOPIC = 1024

/** Authors whose head id a topic reads from the store when it opens, for the heads its frontiers name (fork detection); past it, an author's head is named once one of its messages is stored here. */
export const MAX_OPEN_HEADS = 4096

/** Store reads a full frontier (Hello) may cost for fork detection: heads of authors past it are not checked. */
export const MAX_FORK_READS = 256

/**
 * A store write of received messages that failed (a full disk, a quota) is tried again after
 * this long, doubling up to STORE_RETRY_MAX_MS. Until it succeeds the messages wait in memory,
 * nothing is delivered past them and no custody ack goes out for them, so publishers' windows
 * fill and they slow down; each failure is reported as an `error` event.
 */
export const STORE_RETRY_MS = 1_000
export const STORE_RETRY_MAX_MS = 30_000

/**
 * Received messages waiting for their store write, per topic, at most (the default of
 * `PeerInit.maxUnstored`). While the store cannot write (a full disk) and other peers ack the
 * publishers, gossip goes on arriving: past this many, a topic takes nothing more from gossip or
 * sync and asks for nothing. What it did not take it has not seen, so once its writes drain to
 * half of this it pulls the rest from its peers by sync, in order, once.
 */
export const MAX_UNSTORED = 4_096
