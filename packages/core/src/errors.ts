/**
 * Every rejection of the core is one of these classes. Each has a stable
 * `name`: compare by name (`err.name === 'BadSignatureError'`), not with
 * `instanceof`, which breaks when two copies of the package are bundled.
 */

/** The bytes are not a well-formed envelope (bad protobuf, missing or ill-sized field, non-canonical framing). */
export class MalformedEnvelopeError extends Error {
  static override name = 'MalformedEnvelopeError'
  constructor (message = 'Malformed envelope', options?: ErrorOptions) {
    super(message, options)
    this.name = 'MalformedEnvelopeError'
  }
}

/** The envelope, or its payload, is larger than the configured limit. */
export class OversizeEnvelopeError extends Error {
  static override name = 'OversizeEnvelopeError'
  constructor (message = 'Envelope too large', options?: ErrorOptions) {
    super(message, options)
    this.name = 'OversizeEnvelopeError'
  }
}

/** The envelope's wire version is not one this code understands. */
export class UnsupportedVersionError extends Error {
  static override name = 'UnsupportedVersionError'
  constructor (message = 'Unsupported envelope version', options?: ErrorOptions) {
    super(message, options)
    this.name = 'UnsupportedVersionError'
  }
}

/** The envelope belongs to another deployment (network id). */
export class WrongNetworkError extends Error {
  static override name = 'WrongNetworkError'
  constructor (message = 'Envelope is from another network', options?: ErrorOptions) {
    super(message, options)
    this.name = 'WrongNetworkError'
  }
}

/** The envelope names another topic than the one it arrived on (cross-topic replay). */
export class WrongTopicError extends Error {
  static override name = 'WrongTopicError'
  constructor (message = 'Envelope is for another topic', options?: ErrorOptions) {
    super(message, options)
    this.name = 'WrongTopicError'
  }
}

/** The signature does not verify against the author's key. */
export class BadSignatureError extends Error {
  static override name = 'BadSignatureError'
  constructor (message = 'Bad signature', options?: ErrorOptions) {
    super(message, options)
    this.name = 'BadSignatureError'
  }
}

/** The author field is not a usable Ed25519 key, or not the author the caller required (a forged author, or a signer that is not the author). */
export class AuthorMismatchError extends Error {
  static override name = 'AuthorMismatchError'
  constructor (message = 'Author does not match the key', options?: ErrorOptions) {
    super(message, options)
    this.name = 'AuthorMismatchError'
  }
}

/** A seq (or time) is 0, above 2^53 - 1, or too far ahead of what was delivered from that author. */
export class SeqOutOfRangeError extends Error {
  static override name = 'SeqOutOfRangeError'
  constructor (message = 'Sequence number out of range', options?: ErrorOptions) {
    super(message, options)
    this.name = 'SeqOutOfRangeError'
  }
}

/** The causal context lists more entries than allowed. */
export class TooManyDepsError extends Error {
  static override name = 'TooManyDepsError'
  constructor (message = 'Too many dependencies', options?: ErrorOptions) {
    super(message, options)
    this.name = 'TooManyDepsError'
  }
}

/** Two different validly signed envelopes share one (author, topic, seq). */
export class EquivocationError extends Error {
  static override name = 'EquivocationError'
  constructor (message = 'Equivocation: two messages with the same author and seq', options?: ErrorOptions) {
    super(message, options)
    this.name = 'EquivocationError'
  }
}

/** A caller passed an argument the core cannot use (a programming error, not network input). */
export class InvalidArgumentError extends Error {
  static override name = 'InvalidArgumentError'
  constructor (message = 'Invalid argument', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidArgumentError'
  }
}

/** The outbox window is full and the caller asked not to wait. */
export class OutboxFullError extends Error {
  static override name = 'OutboxFullError'
  constructor (message = 'Outbox window is full', options?: ErrorOptions) {
    super(message, options)
    this.name = 'OutboxFullError'
  }
}

/** The name of every error that rejects an envelope from the network. */
export type RejectionName =
  | 'MalformedEnvelopeError'
  | 'OversizeEnvelopeError'
  | 'UnsupportedVersionError'
  | 'WrongNetworkError'
  | 'WrongTopicError'
  | 'BadSignatureError'
  | 'AuthorMismatchError'
  | 'SeqOutOfRangeError'
  | 'TooManyDepsError'
  | 'EquivocationError'

const REJECTIONS: ReadonlySet<string> = new Set<RejectionName>([
  'MalformedEnvelopeError', 'OversizeEnvelopeError', 'UnsupportedVersionError', 'WrongNetworkError',
  'WrongTopicError', 'BadSignatureError', 'AuthorMismatchError', 'SeqOutOfRangeError', 'TooManyDepsError',
  'EquivocationError'
])

/** True when `err` is one of the typed rejections above (matched by name). */
export function isRejection (err: unknown): err is Error & { name: RejectionName } {
  return err instanceof Error && REJECTIONS.has(err.name)
}

/** The store is out of space (disk full, quota exceeded, or the configured size cap). Nothing of the failed write was stored. */
export class StorageFullError extends Error {
  static override name = 'StorageFullError'
  constructor (message = 'Storage is full', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StorageFullError'
  }
}

/** A conditional store write found another value than expected (another writer got there first); nothing was written. */
export class WriteConflictError extends Error {
  static override name = 'WriteConflictError'
  constructor (message = 'Conflicting write', options?: ErrorOptions) {
    super(message, options)
    this.name = 'WriteConflictError'
  }
}

/** The store does not know where an author's seqs stand (a key it did not create, on a new or wiped store): learn the frontier from peers first. */
export class AuthorNotEstablishedError extends Error {
  static override name = 'AuthorNotEstablishedError'
  constructor (message = 'Author not established in this store', options?: ErrorOptions) {
    super(message, options)
    this.name = 'AuthorNotEstablishedError'
  }
}

/** The store failed for another reason (I/O error, closed, blocked). */
export class StoreError extends Error {
  static override name = 'StoreError'
  constructor (message = 'Store error', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreError'
  }
}

/**
 * The store is gone from under the app: the browser cleared or evicted the origin's storage
 * (RELIABILITY.md row 32). Nothing can be read or written through it any more.
 */
export class StoreLostError extends StoreError {
  static override name = 'StoreLostError'
  constructor (message = 'Store lost', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreLostError'
  }
}
