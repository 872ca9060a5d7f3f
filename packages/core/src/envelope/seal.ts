/**
 * Signing and opening envelopes: the only place the core meets cryptography.
 */
import { SIGNING_PREFIX } from '../constants.ts'
import { AuthorMismatchError, BadSignatureError, WrongNetworkError, WrongTopicError } from '../errors.ts'
import { authorIdFromKey, tagOfKey } from '../util/author.ts'
import type { AuthorId } from '../util/author.ts'
import { concatBytes, equalBytes, toHex, utf8 } from '../util/bytes.ts'
import { decodeEnvelope, encodeBody, encodeEnvelope } from './codec.ts'
import type { DecodedEnvelope } from './codec.ts'
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
  const signature = await signer.sign(signingBytes(body))
  const bytes = encodeEnvelope(body, signature)
  return toEnvelope(decodeEnvelope(bytes, limits), bytes, envelopeId(bytes, crypto))
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
}

/**
 * Decodes, validates and verifies untrusted bytes. Resolves to the envelope or
 * rejects with one of the typed errors of errors.ts; never anything else.
 */
export async function openEnvelope (bytes: Uint8Array, options: OpenOptions): Promise<Envelope> {
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
  let valid: boolean
  try {
    valid = await options.crypto.verify(decoded.authorKey, signingBytes(decoded.body), decoded.signature)
  } catch (err) {
    throw new BadSignatureError('signature could not be checked', { cause: err })
  }
  if (!valid) throw new BadSignatureError(`signature does not verify for author ${author}`)
  return toEnvelope(decoded, bytes, envelopeId(bytes, options.crypto), author)
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
