/**
 * Every limit of the core, with its default and the reason for it. Options
 * (`*Init` interfaces) override them; nothing grows without one of these bounds.
 */

/** Wire version written and accepted (docs/PROTOCOL.md). */
export const WIRE_VERSION = 1

/** Domain separation: the author signs `SIGNING_PREFIX || body`, so a weft signature can never be replayed as a libp2p record or handshake signature made with the same key. */
export const SIGNING_PREFIX = 'weft-envelope:'

/** Domain separation for batch signatures: the author signs `BATCH_SIGNING_PREFIX || root` (envelope/batch.ts). */
export const BATCH_SIGNING_PREFIX = 'weft-batch:'

/** Depth of a batch signature's Merkle tree at most: one signature covers up to 2^4 = 16 messages, each carrying 4 × 32 bytes of path. */
export const MAX_BATCH_DEPTH = 4

/** Bytes of an author key kept in a dependency reference. 64 bits: forging a key with a given tag costs ~2^64 key generations. */
export const AUTHOR_TAG_BYTES = 8

/** Ed25519 public keys and signatures. */
export const PUBLIC_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64

/** Sequence numbers and times are JS numbers; anything above is refused rather than rounded. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER

/** Largest payload accepted, by author and receiver alike (RELIABILITY.md row 2 proposes 64 KiB). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024

/** Largest encoded envelope: the payload cap plus room for the header and a full causal context of DEFAULT_MAX_DEPS entries. */
export const DEFAULT_MAX_ENVELOPE_BYTES = DEFAULT_MAX_PAYLOAD_BYTES + 24 * 1024

/** Most dependency entries in one envelope. Heads are a handful; a full clock lists every author, so this also caps authors per full context. Checked before any list is allocated. */
export const DEFAULT_MAX_DEPS = 1024

/** Topic names are UTF-8, at most this many bytes. */
export const MAX_TOPIC_BYTES = 256
/** Network ids are UTF-8, at most this many bytes. */
export const MAX_NETWORK_BYTES = 64
/** Content types are UTF-8, at most this many bytes. */
export const MAX_CONTENT_TYPE_BYTES = 128

/** A message whose seq is more than this far above the author's delivered frontier is refused without buffering (RELIABILITY.md row 9). */
export const DEFAULT_MAX_SEQ_GAP = 10_000

/** Causal buffer: messages held in total. Past it, a message that cannot be delivered at once is refused with `buffer-full`; repair fetches it again later. */
export const DEFAULT_BUFFER_MAX_MESSAGES = 10_000
/** Causal buffer: bytes held in total (encoded envelopes). */
export const DEFAULT_BUFFER_MAX_BYTES = 64 * 1024 * 1024
/** Causal buffer: messages held per author, so one author cannot fill the buffer for everyone. */
export const DEFAULT_BUFFER_MAX_PER_AUTHOR = 2_000
/** How long a message may wait for its dependencies before it is quarantined with reason `dependency-timeout` (T_dep in RELIABILITY.md). */
export const DEFAULT_DEPENDENCY_TIMEOUT_MS = 30_000
/**
 * Quarantine: messages that waited `DEFAULT_DEPENDENCY_TIMEOUT_MS` are kept aside, not repaired,
 * and released if their dependency comes after all. Past this many, the oldest is forgotten
 * (reason `quarantine-full`; a copy of it is then taken again like a new message).
 */
export const DEFAULT_QUARANTINE_MAX_MESSAGES = 1_000
/** Quarantine: bytes kept (encoded envelopes); past it, the oldest is forgotten as above. */
export const DEFAULT_QUARANTINE_MAX_BYTES = 16 * 1024 * 1024

/** Ids remembered to drop duplicates before any decoding or verification work. */
export const DEFAULT_SEEN_IDS = 16_384
/** Recently delivered (author, seq) → id pairs kept to spot equivocation without a store read. */
export const DEFAULT_RECENT_DELIVERED = 16_384

/** Clocks of non-latest messages kept to compute causal heads exactly; past it the core under-approximates (safe, a few more bytes of context). */
export const DEFAULT_CLOCK_CACHE = 4_096

/** Outbox: distinct peers that must confirm custody. */
export const DEFAULT_ACK_QUORUM = 1
/** Outbox: messages published but not yet acked, per topic. Past it `publish` waits (or rejects if asked). */
export const DEFAULT_OUTBOX_WINDOW = 256
/** Outbox: first retry delay. */
export const DEFAULT_RETRY_BASE_MS = 1_000
/** Outbox: retry delays double up to this cap. */
export const DEFAULT_RETRY_MAX_MS = 60_000
/** Outbox: an unacked message expires (and is listed as expired) after this long. A week covers a laptop closed over a weekend. */
export const DEFAULT_OUTBOX_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** Sync: most messages one batch may carry. */
export const DEFAULT_SYNC_BATCH_MESSAGES = 256
