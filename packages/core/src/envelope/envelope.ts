/**
 * The envelope as the rest of weft sees it once decoded and verified.
 * Wire layout: pb/envelope.proto; prose spec: docs/PROTOCOL.md.
 */
import type { AuthorId, AuthorTag } from '../util/author.ts'

/** One causal dependency: "the author tagged `tag` had delivered up to `seq`". */
export interface DepRef {
  readonly tag: AuthorTag
  readonly seq: number
}

/**
 * The causal context of a message, as written on the wire. With `full` false
 * (the default) `deps` holds the heads since the author's previous message in
 * the topic; with `full` true it holds the author's whole vector clock (minus
 * its own entry, which is always `seq - 1`).
 */
export interface CausalContext {
  readonly full: boolean
  readonly deps: readonly DepRef[]
}

/** What an author writes; `sealEnvelope` adds the author key and signature. */
export interface EnvelopeInput {
  readonly network: string
  readonly topic: string
  readonly seq: number
  /** Wall clock in ms since the Unix epoch: informational (display, TTL), never ordering. */
  readonly time: number
  readonly context: CausalContext
  readonly payload: Uint8Array
  /** Optional MIME type of the payload. */
  readonly contentType?: string
}

/** A decoded, verified envelope. */
export interface Envelope {
  /** Hex SHA-256 of `bytes`: the message id, also gossipsub's message id. */
  readonly id: string
  /** The encoded envelope exactly as received or written. */
  readonly bytes: Uint8Array
  /** The signed body, byte for byte (a view into `bytes`). */
  readonly body: Uint8Array
  readonly signature: Uint8Array
  readonly version: number
  readonly network: string
  readonly topic: string
  readonly author: AuthorId
  readonly authorKey: Uint8Array
  readonly authorTag: AuthorTag
  readonly seq: number
  readonly time: number
  readonly context: CausalContext
  readonly payload: Uint8Array
  readonly contentType: string
}

/** Size limits applied when decoding (and encoding). */
export interface EnvelopeLimits {
  /** @default DEFAULT_MAX_ENVELOPE_BYTES (88 KiB) */
  maxEnvelopeBytes?: number
  /** @default DEFAULT_MAX_PAYLOAD_BYTES (64 KiB) */
  maxPayloadBytes?: number
  /** @default DEFAULT_MAX_DEPS (1024) */
  maxDeps?: number
}
