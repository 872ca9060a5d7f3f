/**
 * Signing and opening envelopes: the only place the core meets cryptography.
 */
import { DEFAULT_MAX_ENVELOPE_BYTES, MAX_BATCH_DEPTH, SIGNING_PREFIX, WIRE_VERSION } from '../constants.ts'
import { AuthorMismatchError, BadSignatureError, OversizeEnvelopeError, WrongNetworkError, WrongTopicError } from '../errors.ts'
import { authorIdFromKey, tagOfKey } from '../util/author.ts'
import type { AuthorId } from '../util/author.ts'
import { concatBytes, equalBytes, toHex, utf8 } from '../util/bytes.ts'
import { batchRoot, batchSigningBytes, buildBatch } from './batch.ts'
import type { VerifiedBatches } from './batch.ts'
import { decodeEnvelope, encodeBody, encodeEnvelope, resolveLimits } from './codec.ts'
import { decodeOuter } from './outer.ts'
import { fieldView } from './wire-types.ts'
import type { BatchPosition, DecodedEnvelope } from './codec.ts'
import type { CryptoSuite, Signer } from '../crypto/crypto.ts'
import type { Envelope, EnvelopeInput, EnvelopeLimits } from './envelope.ts'

const PREFIX = utf8(SIGNING_PREFIX)

/** The bytes an author signs: the domain prefix, then the body. */
export function signingBytes (body: Uint8Array): Uint8Array {
  return concatBytes(PREFIX, body)
}

/** The message id of encoded envelope bytes (hex SHA-256), computable before any verification. */
export function envelopeId (bytes: Uint8Array, crypto: CryptoSuite): string {
  return toHex(crypto.sha256(bytes))
}

/** Encodes and signs a message. */
export async function sealEnvelope (
  input: EnvelopeInput, signer: Signer, crypto: CryptoSuite, limits?: EnvelopeLimits
): Promise<Envelope> {
  const body = encodeBody(input, signer.publicKey, limits)
  return frame(input, body, await signer.sign(signingBytes(body)), undefined, crypto, limits)
}

/**
 * The Envelope of a body its author just encoded from `input` (encodeBody checked every field)
 * and signed, alone or in a batch at `batch`. Its fields are the input's and views into the
 * new bytes: the body is not decoded again (the codec's round-trip property test holds
 * encodeBody and decodeEnvelope to each other).
 */
function frame (input: EnvelopeInput, body: Uint8Array, signature: Uint8Array, batch: BatchPosition | undefined, crypto: CryptoSuite, limits?: EnvelopeLimits): Envelope {
  const bytes = encodeEnvelope(body, signature, batch)
  const max = resolveLimits(limits).maxEnvelopeBytes
  if (bytes.length > max) throw new OversizeEnvelopeError(`envelope has ${bytes.length} bytes, the limit is ${max}`) // receivers would refuse it
  const outer = decodeOuter(bytes)
  const decoded: DecodedEnvelope = {
    body: outer.body,
    signature: outer.signature,
    batch: batch === undefined ? undefined : { path: outer.batchPath, index: outer.batchIndex },
    version: WIRE_VERSION,
    network: input.network,
    topic: input.topic,
    authorKey: fieldView(outer.body, BODY_AUTHOR_FIELD),
    seq: input.seq,
    time: input.time,
    context: { full: input.context.full, deps: input.context.deps.map(d => ({ tag: d.tag.toLowerCase(), seq: d.seq })) },
    payload: fieldView(outer.body, BODY_PAYLOAD_FIELD),
    contentType: input.contentType ?? ''
  }
  return toEnvelope(decoded, bytes, envelopeId(bytes, crypto))
}

/** Body field numbers (pb/envelope.proto). */
const BODY_AUTHOR_FIELD = 4
const BODY_PAYLOAD_FIELD = 10

/**
 * Encodes and signs a publish batch, in order: up to 16 messages share one batch
 * signature (batch.ts), a batch of one is signed alone. Each envelope proves
 * itself on its own; together they cost one signature per 16.
 */
export async function sealBatch (
  inputs: readonly EnvelopeInput[], signer: Signer, crypto: CryptoSuite, limits?: EnvelopeLimits
): Promise<Envelope[]> {
  const out: Envelope[] = []
  const size = 2 ** MAX_BATCH_DEPTH
  for (let from = 0; from < inputs.length; from += size) {
    const group = inputs.slice(from, from + size)
    if (group.length === 1) {
      out.push(await sealEnvelope(group[0]!, signer, crypto, limits))
      continue
    }
    const bodies = group.map(input => encodeBody(input, signer.publicKey, limits))
    const { root, paths } = buildBatch(bodies, crypto)
    const signature = await signer.sign(batchSigningBytes(root))
    for (const [index, body] of bodies.entries()) out.push(frame(group[index]!, body, signature, { path: paths[index]!, index }, crypto, limits))
  }
  return out
}

/** What an envelope from the network must match. */
export interface OpenOptions {
  crypto: CryptoSuite
  /** The deployment's network id; envelopes of another are refused with WrongNetworkError. */
  network: string
  /** If set, the topic the envelope arrived on; another topic is refused with WrongTopicError. */
  topic?: string
  /** If set, the author that must have written it (AuthorMismatchError otherwise). */
  author?: AuthorId
  limits?: EnvelopeLimits
  /** Batch signatures already checked: a hit costs the path's hashes, no signature check. Share one per peer. */
  verifiedBatches?: VerifiedBatches
}

/**
 * Decodes, validates and verifies untrusted bytes. Resolves to the envelope or
 * rejects with one of the typed errors of errors.ts; never anything else.
 */
export async function openEnvelope (input: Uint8Array, options: OpenOptions): Promise<Envelope> {
  const bytes = ownBytes(input, options.limits?.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES)
  const decoded = decodeEnvelope(bytes, options.limits)
  if (decoded.network !== options.network) {
    throw new WrongNetworkError(`envelope is for network "${decoded.network}", this peer is on "${options.network}"`)
  }
  if (options.topic !== undefined && decoded.topic !== options.topic) {
    throw new WrongTopicError(`envelope is for topic "${decoded.topic}", it arrived on "${options.topic}"`)
  }
  const author = authorIdFromKey(decoded.authorKey)
  if (options.author !== undefined && options.author !== author) {
    throw new AuthorMismatchError(`envelope is by ${author}, expected ${options.author}`)
  }
  if (decoded.batch === undefined) {
    await verify(options.crypto, decoded.authorKey, signingBytes(decoded.body), decoded.signature, author)
  } else {
    const root = batchRoot(decoded.body, decoded.batch.path, decoded.batch.index, options.crypto)
    const check = async (): Promise<void> => { await verify(options.crypto, decoded.authorKey, batchSigningBytes(root), decoded.signature, author) }
    if (options.verifiedBatches === undefined) await check()
    else await options.verifiedBatches.once(decoded.authorKey, root, decoded.signature, check)
  }
  return toEnvelope(decoded, bytes, envelopeId(bytes, options.crypto), author)
}

/**
 * Bytes read from a stream or an RPC are a view into the whole chunk they came in; an envelope
 * kept past it (in a cache, the causal buffer, the application's hands) would keep the whole
 * chunk alive (measured in a browser tab: about 58 KB held per cached batch signature). An opened
 * envelope owns its bytes: a view is copied once, up to the envelope size limit (past it decoding refuses it anyway).
 */
function ownBytes (bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes
  return bytes.length <= max ? bytes.slice() : bytes
}

async function verify (crypto: CryptoSuite, key: Uint8Array, data: Uint8Array, signature: Uint8Array, author: AuthorId): Promise<void> {
  let valid: boolean
  try {
    valid = await crypto.verify(key, data, signature)
  } catch (err) {
    throw new BadSignatureError('signature could not be checked', { cause: err })
  }
  if (!valid) throw new BadSignatureError(`signature does not verify for author ${author}`)
}

function toEnvelope (d: DecodedEnvelope, bytes: Uint8Array, id: string, author = authorIdFromKey(d.authorKey)): Envelope {
  return {
    id,
    bytes,
    body: d.body,
    signature: d.signature,
    version: d.version,
    network: d.network,
    topic: d.topic,
    author,
    authorKey: d.authorKey,
    authorTag: tagOfKey(d.authorKey),
    seq: d.seq,
    time: d.time,
    context: d.context,
    payload: d.payload,
    contentType: d.contentType
  }
}

/** True when two envelopes carry the same signed body (the same message, whatever the framing). */
export function sameMessage (a: Envelope, b: Envelope): boolean {
  return equalBytes(a.body, b.body)
}
