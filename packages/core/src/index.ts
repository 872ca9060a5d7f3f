/**
 * @packageDocumentation
 *
 * weft's pure core: the envelope codec, vector clocks, the causal buffer,
 * inbox and outbox state, sync planning and equivocation proofs. It does no
 * I/O: no network, no storage, no timers, no clock reads, no randomness. Time
 * (`now`) and randomness (`random`) are passed in, and results come back as
 * data (what to deliver, what is missing, when to retry).
 *
 * @example
 * ```ts
 * import { Inbox, authorIdFromKey, nobleCrypto, nobleSigner, openEnvelope, sealEnvelope } from '@weft/core'
 *
 * const crypto = nobleCrypto()
 * const alice = nobleSigner(new Uint8Array(32).fill(1)) // use a random seed
 * const inbox = new Inbox()
 * const me = authorIdFromKey(alice.publicKey)
 * const env = await sealEnvelope({
 *   network: 'demo', topic: 'chat', seq: 1, time: Date.now(),
 *   context: inbox.contextFor(me), payload: new TextEncoder().encode('hi')
 * }, alice, crypto)
 * const received = await openEnvelope(env.bytes, { crypto, network: 'demo', topic: 'chat' })
 * inbox.receive(received, Date.now()).deliverable // [received]
 * ```
 */

export {
  WIRE_VERSION, SIGNING_PREFIX, BATCH_SIGNING_PREFIX, MAX_BATCH_DEPTH, AUTHOR_TAG_BYTES, MAX_SEQ, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_DEPS, MAX_TOPIC_BYTES, MAX_NETWORK_BYTES, MAX_CONTENT_TYPE_BYTES, DEFAULT_MAX_SEQ_GAP,
  DEFAULT_BUFFER_MAX_MESSAGES, DEFAULT_BUFFER_MAX_BYTES, DEFAULT_BUFFER_MAX_PER_AUTHOR, DEFAULT_DEPENDENCY_TIMEOUT_MS,
  DEFAULT_QUARANTINE_MAX_MESSAGES, DEFAULT_QUARANTINE_MAX_BYTES,
  DEFAULT_SEEN_IDS, DEFAULT_RECENT_DELIVERED, DEFAULT_CLOCK_CACHE, DEFAULT_ACK_QUORUM, DEFAULT_OUTBOX_WINDOW,
  DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, DEFAULT_OUTBOX_TTL_MS, DEFAULT_SYNC_BATCH_MESSAGES
} from './constants.ts'
export {
  MalformedEnvelopeError, OversizeEnvelopeError, UnsupportedVersionError, WrongNetworkError, WrongTopicError,
  BadSignatureError, AuthorMismatchError, SeqOutOfRangeError, TooManyDepsError, EquivocationError,
  InvalidArgumentError, OutboxFullError, StorageFullError, WriteConflictError, AuthorNotEstablishedError, StoreError, StoreLostError,
  isRejection
} from './errors.ts'
export type { RejectionName } from './errors.ts'

export type { CryptoSuite, Signer } from './crypto/crypto.ts'
export { nobleCrypto, nobleSigner } from './crypto/noble.ts'

export type { Envelope, EnvelopeInput, EnvelopeLimits, CausalContext, DepRef } from './envelope/envelope.ts'
export { encodeBody, encodeEnvelope, decodeEnvelope, contextWireBytes } from './envelope/codec.ts'
export type { DecodedEnvelope, BatchPosition } from './envelope/codec.ts'
export { sealEnvelope, sealBatch, openEnvelope, envelopeId, signingBytes, sameMessage } from './envelope/seal.ts'
export { VerifiedBatches, batchRoot, batchSigningBytes, buildBatch } from './envelope/batch.ts'
export type { OpenOptions } from './envelope/seal.ts'

export {
  EMPTY_CLOCK, clockGet, clockFrom, clockWith, mergeClocks, dominates, compareClocks, clockToObject, clockFromObject
} from './clock/vector-clock.ts'
export type { VectorClock, VersionVector, ClockOrder } from './clock/vector-clock.ts'

export { CausalBuffer } from './causal/causal-buffer.ts'
export type { CausalBufferInit, AddResult, Expired, Missing, SeqRange, WaitingFor } from './causal/causal-buffer.ts'
export { CausalHistory } from './causal/causal-history.ts'
export type { CausalHistoryInit } from './causal/causal-history.ts'

export { Inbox } from './inbox/inbox.ts'
export type { InboxInit, ReceiveResult } from './inbox/inbox.ts'

export { Outbox } from './outbox/outbox.ts'
export type { OutboxEntry, OutboxInit, OutboxState } from './outbox/outbox.ts'
export { retryDelay } from './outbox/retry.ts'
export type { RetryPolicy } from './outbox/retry.ts'

export { planSync, batchRanges, rangeSize, inRanges } from './sync/sync-planner.ts'
export type { SyncPlan, SyncSide } from './sync/sync-planner.ts'

export { proveEquivocation, verifyEquivocationProof } from './equivocation/equivocation.ts'
export type { EquivocationProof } from './equivocation/equivocation.ts'

export type { StoreAdapter, StoreKey, StoreEntry, StoreWrite, RangeOptions } from './store/store-adapter.ts'
export { compareKeys, hasPrefix, inRange, seqKey } from './store/store-adapter.ts'
export { MemoryStore } from './store/memory-store.ts'
export type { MemoryStoreInit } from './store/memory-store.ts'
export { WeftStore, STORE_SCHEMA } from './store/weft-store.ts'
export type {
  WeftStoreInit, StoreMeta, StoredMessage, CorruptRecord, Retention, PruneOptions, TopicStats, AuthorOrigin
} from './store/weft-store.ts'
export { crc32, sealRecord, openRecord } from './store/record.ts'

export { authorIdFromKey, authorKeyFromId, tagOfKey, tagOfAuthor } from './util/author.ts'
export type { AuthorId, AuthorTag } from './util/author.ts'
export { toHex, fromHex, utf8, fromUtf8, equalBytes } from './util/bytes.ts'
