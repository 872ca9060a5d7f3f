/**
 * The Envelope's outer framing (pb/envelope.proto, `message Envelope`), written
 * by hand. Only one encoding is valid: the fields in order (body, signature,
 * then batch path and index if set), each once, lengths and the index as
 * minimal varints, nothing after. The message id is the hash of these bytes,
 * so a second encoding of the same content would be a second message.
 *
 * This is what protons' generated code and a re-encode compare did before
 * (the generated `Envelope` stays the reference in the tests), at about a
 * tenth of the cost: no copies, no writer, no second encoding. Every
 * receiver runs it once per envelope, and every publisher once per message.
 */
import { SIGNATURE_BYTES } from '../constants.ts'
import { MalformedEnvelopeError } from '../errors.ts'

const BODY_TAG = 0x0a // field 1, length-delimited
const SIGNATURE_TAG = 0x12 // field 2, length-delimited
const PATH_TAG = 0x1a // field 3, length-delimited
const INDEX_TAG = 0x20 // field 4, varint
const MAX_INDEX = 0xffffffff

/** The outer fields, as views into the encoded bytes. */
export interface OuterFields {
  readonly body: Uint8Array
  readonly signature: Uint8Array
  /** Empty when the envelope is signed alone. */
  readonly batchPath: Uint8Array
  /** 0 when absent. */
  readonly batchIndex: number
}

/** The canonical encoding. `body` must not be empty and `signature` must have 64 bytes. */
export function encodeOuter (body: Uint8Array, signature: Uint8Array, batchPath: Uint8Array, batchIndex: number): Uint8Array {
  if (body.length === 0 || signature.length !== SIGNATURE_BYTES) throw new RangeError('an envelope has a body and a 64-byte signature')
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex > MAX_INDEX) throw new RangeError(`batch index ${batchIndex} is not a uint32`)
  const size = 1 + varintSize(body.length) + body.length + 2 + SIGNATURE_BYTES +
    (batchPath.length > 0 ? 1 + varintSize(batchPath.length) + batchPath.length : 0) +
    (batchIndex !== 0 ? 1 + varintSize(batchIndex) : 0)
  const out = new Uint8Array(size)
  let pos = 0
  out[pos++] = BODY_TAG
  pos = writeVarint(out, pos, body.length)
  out.set(body, pos)
  pos += body.length
  out[pos++] = SIGNATURE_TAG
  out[pos++] = SIGNATURE_BYTES
  out.set(signature, pos)
  pos += SIGNATURE_BYTES
  if (batchPath.length > 0) {
    out[pos++] = PATH_TAG
    pos = writeVarint(out, pos, batchPath.length)
    out.set(batchPath, pos)
    pos += batchPath.length
  }
  if (batchIndex !== 0) {
    out[pos++] = INDEX_TAG
    writeVarint(out, pos, batchIndex)
  }
  return out
}

/** Splits canonical outer framing into its fields. Throws MalformedEnvelopeError for anything else. */
export function decodeOuter (bytes: Uint8Array): OuterFields {
  const reader = new Reader(bytes)
  if (reader.byte('body') !== BODY_TAG) throw notCanonical('the body must come first')
  const body = reader.bytes('body')
  if (body.length === 0) throw new MalformedEnvelopeError('envelope has no body')
  if (reader.end() || reader.byte('signature') !== SIGNATURE_TAG) throw notCanonical('a signature must follow the body')
  const signature = reader.bytes('signature')
  if (signature.length !== SIGNATURE_BYTES) throw new MalformedEnvelopeError('signature must have 64 bytes')
  let batchPath = signature.subarray(0, 0)
  let batchIndex = 0
  if (!reader.end() && reader.peek() === PATH_TAG) {
    reader.byte('batch path')
    batchPath = reader.bytes('batch path')
    if (batchPath.length === 0) throw notCanonical('an empty batch path is written by leaving it out')
  }
  if (!reader.end() && reader.peek() === INDEX_TAG) {
    reader.byte('batch index')
    batchIndex = reader.varint('batch index')
    if (batchIndex === 0) throw notCanonical('a zero batch index is written by leaving it out')
    if (batchIndex > MAX_INDEX) throw new MalformedEnvelopeError('batch index is above 2^32 - 1')
  }
  if (!reader.end()) throw notCanonical('another field, a repeated one or one out of order')
  return { body, signature, batchPath, batchIndex }
}

function notCanonical (why: string): MalformedEnvelopeError {
  return new MalformedEnvelopeError(`envelope framing is not canonical: ${why}`)
}

class Reader {
  readonly #bytes: Uint8Array
  #pos = 0

  constructor (bytes: Uint8Array) {
    this.#bytes = bytes
  }

  end (): boolean {
    return this.#pos >= this.#bytes.length
  }

  peek (): number {
    return this.#bytes[this.#pos]!
  }

  byte (what: string): number {
    if (this.end()) throw new MalformedEnvelopeError(`envelope is truncated before its ${what}`)
    return this.#bytes[this.#pos++]!
  }

  /** A minimal varint of at most 5 bytes (up to 2^35 - 1, more than any length or index here). */
  varint (what: string): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 5; i++) {
      const b = this.byte(what)
      value += (b & 0x7f) * scale
      if (b < 0x80) {
        if (b === 0 && i > 0) throw notCanonical(`the ${what} is not a minimal varint`)
        return value
      }
      scale *= 128
    }
    throw new MalformedEnvelopeError(`envelope's ${what} has a varint longer than 5 bytes`)
  }

  bytes (what: string): Uint8Array {
    const length = this.varint(`${what} length`)
    if (length > this.#bytes.length - this.#pos) throw new MalformedEnvelopeError(`envelope's ${what} runs past its end`)
    const out = this.#bytes.subarray(this.#pos, this.#pos + length)
    this.#pos += length
    return out
  }
}

/** Bytes of the protobuf varint of a non-negative integer. */
export function varintSize (value: number): number {
  let n = 1
  while (value >= 0x80) {
    value = Math.floor(value / 0x80)
    n++
  }
  return n
}

function writeVarint (out: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value & 0x7f) | 0x80
    value = Math.floor(value / 0x80)
  }
  out[pos++] = value
  return pos
}
