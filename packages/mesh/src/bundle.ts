/**
 * Gossip bundles: several envelopes of one topic in one gossipsub message.
 *
 * gossipsub costs about as much per message as weft's own receive path
 * (message id, seen cache, validation call, RPC framing; PERF-NOTES.md), so a
 * publish batch goes out as a few bundles instead of one message per envelope.
 *
 * Wire (docs/PROTOCOL.md, "Gossip data"): a bundle is the protobuf
 * `message Bundle { repeated bytes envelopes = 3; }`, written canonically: only
 * field 3, each length a minimal varint. Its first byte is 0x1a, an Envelope's is
 * 0x0a (field 1), so a receiver tells the two apart by the first byte. A bundle's
 * gossipsub message id is the SHA-256 of its bytes; a lone envelope still goes
 * out as itself, with the envelope id as its message id.
 */
import { MalformedEnvelopeError } from '@weft/core'

/** Bytes of one bundle at most (its envelopes and their framing). An envelope larger than this goes out alone. */
export const GOSSIP_BUNDLE_MAX_BYTES = 64 * 1024

/** Envelopes in one bundle at most; a received bundle with more is rejected whole (MalformedEnvelopeError). */
export const GOSSIP_BUNDLE_MAX_ENVELOPES = 64

const BUNDLE_TAG = 0x1a // field 3, length-delimited

/** True when gossip data is a bundle (else it must be one envelope). */
export function isBundle (data: Uint8Array): boolean {
  return data[0] === BUNDLE_TAG
}

/**
 * Packs envelopes, in order, into as few gossip messages as the limits allow:
 * consecutive ones share a bundle; one that is alone in its group goes out as itself.
 */
export function packGossip (envelopes: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = []
  let group: Uint8Array[] = []
  let bytes = 0
  const flush = (): void => {
    if (group.length === 1) out.push(group[0]!)
    else if (group.length > 1) out.push(encodeBundle(group, bytes))
    group = []
    bytes = 0
  }
  for (const env of envelopes) {
    const size = 1 + varintSize(env.byteLength) + env.byteLength
    if (group.length === GOSSIP_BUNDLE_MAX_ENVELOPES || bytes + size > GOSSIP_BUNDLE_MAX_BYTES) flush()
    group.push(env)
    bytes += size
  }
  flush()
  return out
}

/**
 * The envelopes in one piece of gossip data: a bundle's, in order, or the data
 * itself when it is not a bundle. Throws MalformedEnvelopeError for a bundle
 * that is empty, not canonical, truncated, or over the limits.
 */
export function unpackGossip (data: Uint8Array): Uint8Array[] {
  if (!isBundle(data)) return [data]
  if (data.byteLength > GOSSIP_BUNDLE_MAX_BYTES) throw new MalformedEnvelopeError(`gossip bundle of ${data.byteLength} bytes, the limit is ${GOSSIP_BUNDLE_MAX_BYTES}`)
  const out: Uint8Array[] = []
  let at = 0
  while (at < data.byteLength) {
    if (data[at] !== BUNDLE_TAG) throw new MalformedEnvelopeError(`gossip bundle: byte ${at} is 0x${data[at]!.toString(16)}, not field 3`)
    if (out.length === GOSSIP_BUNDLE_MAX_ENVELOPES) throw new MalformedEnvelopeError(`gossip bundle of more than ${GOSSIP_BUNDLE_MAX_ENVELOPES} envelopes`)
    const { value: length, size } = readVarint(data, at + 1)
    at += 1 + size
    if (length > data.byteLength - at) throw new MalformedEnvelopeError('gossip bundle truncated')
    out.push(data.subarray(at, at + length))
    at += length
  }
  if (out.length < 2) throw new MalformedEnvelopeError('gossip bundle of fewer than 2 envelopes')
  return out
}

function encodeBundle (envelopes: readonly Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes)
  let at = 0
  for (const env of envelopes) {
    out[at++] = BUNDLE_TAG
    let n = env.byteLength
    while (n >= 0x80) {
      out[at++] = (n & 0x7f) | 0x80
      n >>>= 7
    }
    out[at++] = n
    out.set(env, at)
    at += env.byteLength
  }
  return out
}

function varintSize (n: number): number {
  let size = 1
  while (n >= 0x80) {
    n >>>= 7
    size++
  }
  return size
}

/** A minimal varint of at most 4 bytes (lengths under 2^28; the bundle cap is far below). */
function readVarint (data: Uint8Array, at: number): { value: number, size: number } {
  let value = 0
  for (let i = 0; i < 4; i++) {
    const byte = data[at + i]
    if (byte === undefined) throw new MalformedEnvelopeError('gossip bundle truncated')
    value |= (byte & 0x7f) << (7 * i)
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) throw new MalformedEnvelopeError('gossip bundle: a length is not a minimal varint')
      return { value, size: i + 1 }
    }
  }
  throw new MalformedEnvelopeError('gossip bundle: a length of more than 4 bytes')
}
