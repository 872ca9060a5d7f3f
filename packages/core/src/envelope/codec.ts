/**
 * Envelope encoding and decoding, without cryptography. Decoding turns any
 * input into either a fully validated structure or one typed error; nothing
 * else escapes, and size limits are checked before anything is allocated.
 */
import { MaxLengthError } from 'protons-runtime'
import {
  AUTHOR_TAG_BYTES, DEFAULT_MAX_DEPS, DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_MAX_PAYLOAD_BYTES, MAX_CONTENT_TYPE_BYTES,
  MAX_BATCH_DEPTH, MAX_NETWORK_BYTES, MAX_SEQ, MAX_TOPIC_BYTES, PUBLIC_KEY_BYTES, WIRE_VERSION
} from '../constants.ts'
import {
  AuthorMismatchError, InvalidArgumentError, MalformedEnvelopeError, OversizeEnvelopeError, SeqOutOfRangeError,
  TooManyDepsError, UnsupportedVersionError
} from '../errors.ts'
import { fromHex, toHex, utf8 } from '../util/bytes.ts'
import { Body } from './pb/envelope.ts'
import { decodeOuter, encodeOuter, varintSize } from './outer.ts'
import type { OuterFields } from './outer.ts'
import { checkBodyWireTypes } from './wire-types.ts'
import type { CausalContext, DepRef, EnvelopeInput, EnvelopeLimits } from './envelope.ts'

/** Limits with every default filled in. */
export interface ResolvedLimits {
  readonly maxEnvelopeBytes: number
  readonly maxPayloadBytes: number
  readonly maxDeps: number
}

export function resolveLimits (limits: EnvelopeLimits = {}): ResolvedLimits {
  return {
    maxEnvelopeBytes: limits.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
    maxPayloadBytes: limits.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    maxDeps: limits.maxDeps ?? DEFAULT_MAX_DEPS
  }
}

/** Where a body sits in a signed batch (envelope/batch.ts). */
export interface BatchPosition {
  /** Sibling hashes from the leaf up, 32 bytes each. */
  readonly path: Uint8Array
  readonly index: number
}

/** An envelope split into its parts, validated, signature not yet checked. */
export interface DecodedEnvelope {
  readonly body: Uint8Array
  readonly signature: Uint8Array
  /** Set when the signature covers a batch, not this body alone. */
  readonly batch: BatchPosition | undefined
  readonly version: number
  readonly network: string
  readonly topic: string
  readonly authorKey: Uint8Array
  readonly seq: number
  readonly time: number
  readonly context: CausalContext
  readonly payload: Uint8Array
  readonly contentType: string
}

/** Encodes the body an author signs. Throws InvalidArgumentError (or the matching typed error) for input the decoder would refuse. */
export function encodeBody (input: EnvelopeInput, authorKey: Uint8Array, limits: EnvelopeLimits = {}): Uint8Array {
  const l = resolveLimits(limits)
  if (authorKey.length !== PUBLIC_KEY_BYTES) throw new InvalidArgumentError('author key must have 32 bytes')
  checkText(input.network, MAX_NETWORK_BYTES, 'network', false, InvalidArgumentError)
  checkText(input.topic, MAX_TOPIC_BYTES, 'topic', true, InvalidArgumentError)
  checkText(input.contentType ?? '', MAX_CONTENT_TYPE_BYTES, 'content type', false, InvalidArgumentError)
  checkSeq(input.seq, 'seq')
  if (!Number.isSafeInteger(input.time) || input.time < 0) throw new InvalidArgumentError('time must be a non-negative safe integer (ms)')
  if (input.payload.length > l.maxPayloadBytes) {
    throw new OversizeEnvelopeError(`payload has ${input.payload.length} bytes, the limit is ${l.maxPayloadBytes}`)
  }
  const deps = input.context.deps
  if (deps.length > l.maxDeps) throw new TooManyDepsError(`${deps.length} dependencies, the limit is ${l.maxDeps}`)
  const tags = new Uint8Array(deps.length * AUTHOR_TAG_BYTES)
  const seen = new Set<string>()
  deps.forEach((dep, i) => {
    const lower = dep.tag.toLowerCase() // a tag in two cases is one author
    if (seen.has(lower)) throw new InvalidArgumentError(`dependency tag ${dep.tag} listed twice`)
    seen.add(lower)
    let tag: Uint8Array
    try {
      tag = fromHex(dep.tag)
    } catch (err) {
      throw new InvalidArgumentError(`bad dependency tag ${dep.tag}`, { cause: err })
    }
    if (tag.length !== AUTHOR_TAG_BYTES) throw new InvalidArgumentError(`bad dependency tag ${dep.tag}`)
    checkSeq(dep.seq, 'dependency seq')
    tags.set(tag, i * AUTHOR_TAG_BYTES)
  })
  return Body.encode({
    version: WIRE_VERSION,
    network: input.network,
    topic: input.topic,
    author: Uint8Array.from(authorKey),
    seq: BigInt(input.seq),
    time: BigInt(input.time),
    fullContext: input.context.full,
    depTags: tags,
    depSeqs: deps.map(d => BigInt(d.seq)),
    payload: Uint8Array.from(input.payload),
    contentType: input.contentType ?? ''
  })
}

/** Frames a body and its signature (and, for a batch-signed body, its place in the batch) as an Envelope. */
export function encodeEnvelope (body: Uint8Array, signature: Uint8Array, batch?: BatchPosition): Uint8Array {
  return encodeOuter(body, signature, batch?.path ?? NO_PATH, batch?.index ?? 0)
}

const NO_PATH = new Uint8Array(0)

/** Decodes and validates an envelope from untrusted bytes. Throws only the typed errors of errors.ts. */
export function decodeEnvelope (bytes: Uint8Array, limits: EnvelopeLimits = {}): DecodedEnvelope {
  const l = resolveLimits(limits)
  if (bytes.length > l.maxEnvelopeBytes) {
    throw new OversizeEnvelopeError(`envelope has ${bytes.length} bytes, the limit is ${l.maxEnvelopeBytes}`)
  }
  // One framing per (body, signature, batch): the id (hash of the bytes) then names one message, not one of many encodings.
  const outer = decodeOuter(bytes)
  const batch = decodeBatchPosition(outer)
  checkBodyWireTypes(outer.body)
  let body: Body
  try {
    body = Body.decode(outer.body, { limits: { depSeqs: l.maxDeps } })
  } catch (err) {
    if (err instanceof MaxLengthError || (err as Error)?.name === 'MaxLengthError') {
      throw new TooManyDepsError(`more than ${l.maxDeps} dependencies`, { cause: err })
    }
    throw new MalformedEnvelopeError('envelope body is not valid protobuf', { cause: err })
  }
  if (body.version !== WIRE_VERSION) throw new UnsupportedVersionError(`wire version ${body.version}, this code reads ${WIRE_VERSION}`)
  checkText(body.network, MAX_NETWORK_BYTES, 'network', false, MalformedEnvelopeError)
  checkText(body.topic, MAX_TOPIC_BYTES, 'topic', true, MalformedEnvelopeError)
  checkText(body.contentType, MAX_CONTENT_TYPE_BYTES, 'content type', false, MalformedEnvelopeError)
  if (body.author.length !== PUBLIC_KEY_BYTES) {
    throw new AuthorMismatchError(`author must be a 32-byte Ed25519 key, got ${body.author.length} bytes`)
  }
  const seq = toSafeNumber(body.seq, 'seq')
  if (seq < 1) throw new SeqOutOfRangeError('seq starts at 1')
  if (body.time > BigInt(MAX_SEQ)) throw new MalformedEnvelopeError('time is above 2^53 - 1')
  if (body.payload.length > l.maxPayloadBytes) {
    throw new OversizeEnvelopeError(`payload has ${body.payload.length} bytes, the limit is ${l.maxPayloadBytes}`)
  }
  return {
    body: outer.body,
    signature: outer.signature,
    batch,
    version: body.version,
    network: body.network,
    topic: body.topic,
    authorKey: body.author,
    seq,
    time: Number(body.time),
    context: decodeContext(body, l.maxDeps),
    payload: body.payload,
    contentType: body.contentType
  }
}

function decodeBatchPosition (outer: OuterFields): BatchPosition | undefined {
  const path = outer.batchPath
  if (path.length === 0) {
    if (outer.batchIndex !== 0) throw new MalformedEnvelopeError('batch index without a batch path')
    return undefined
  }
  if (path.length % 32 !== 0 || path.length > MAX_BATCH_DEPTH * 32) {
    throw new MalformedEnvelopeError(`batch path of ${path.length} bytes: 1 to ${MAX_BATCH_DEPTH} hashes of 32 bytes`)
  }
  if (outer.batchIndex >= 2 ** (path.length / 32)) throw new MalformedEnvelopeError(`batch index ${outer.batchIndex} is outside a tree of depth ${path.length / 32}`)
  return { path, index: outer.batchIndex }
}

function decodeContext (body: Body, maxDeps: number): CausalContext {
  if (body.depTags.length % AUTHOR_TAG_BYTES !== 0) throw new MalformedEnvelopeError('dependency tags are not a multiple of 8 bytes')
  const n = body.depTags.length / AUTHOR_TAG_BYTES
  if (n > maxDeps) throw new TooManyDepsError(`${n} dependencies, the limit is ${maxDeps}`)
  if (n !== body.depSeqs.length) throw new MalformedEnvelopeError(`${n} dependency tags but ${body.depSeqs.length} seqs`)
  const own = toHex(body.author.subarray(0, AUTHOR_TAG_BYTES))
  const deps: DepRef[] = []
  const seen = new Set<string>()
  for (let i = 0; i < n; i++) {
    const tag = toHex(body.depTags.subarray(i * AUTHOR_TAG_BYTES, (i + 1) * AUTHOR_TAG_BYTES))
    if (tag === own) throw new MalformedEnvelopeError('a message may not list its own author as a dependency')
    if (seen.has(tag)) throw new MalformedEnvelopeError(`dependency tag ${tag} listed twice`)
    seen.add(tag)
    const seq = toSafeNumber(body.depSeqs[i]!, 'dependency seq')
    if (seq < 1) throw new SeqOutOfRangeError('dependency seq starts at 1')
    deps.push({ tag, seq })
  }
  return { full: body.fullContext, deps }
}

function toSafeNumber (value: bigint, what: string): number {
  if (value > BigInt(MAX_SEQ)) throw new SeqOutOfRangeError(`${what} ${value} is above 2^53 - 1`)
  return Number(value)
}

function checkSeq (seq: number, what: string): void {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new InvalidArgumentError(`${what} must be an integer from 1 to 2^53 - 1, got ${seq}`)
}

function checkText (
  text: string, maxBytes: number, what: string, required: boolean,
  ErrorClass: new (message: string) => Error
): void {
  if (required && text.length === 0) throw new ErrorClass(`${what} is empty`)
  if (text.length * 3 <= maxBytes) return // a UTF-16 code unit takes at most 3 bytes in UTF-8
  const size = utf8(text).length
  if (size > maxBytes) throw new ErrorClass(`${what} has ${size} bytes, the limit is ${maxBytes}`)
}

/**
 * Bytes the causal context takes inside an encoded body: the full-context
 * flag, the tag field and the seq fields, with their protobuf tags and lengths.
 */
export function contextWireBytes (context: CausalContext): number {
  let size = context.full ? 2 : 0
  const n = context.deps.length
  if (n > 0) size += 1 + varintSize(n * AUTHOR_TAG_BYTES) + n * AUTHOR_TAG_BYTES
  for (const dep of context.deps) size += 1 + varintSize(dep.seq)
  return size
}
