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
import { MalformedEnvelopeError, equalBytes } from '@weft/core'
import { encodingLength } from 'uint8-varint'
import { Bundle } from './pb/bundle.ts'

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
    else if (group.length > 1) out.push(Bundle.encode({ envelopes: group as Array<Uint8Array<ArrayBuffer>> }))
    group = []
    bytes = 0
  }
  for (const env of envelopes) {
    const size = 1 + encodingLength(env.byteLength) + env.byteLength
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
 * that is not valid protobuf, not canonical (as the envelope codec, it must
 * re-encode to the same bytes: field 3 only, minimal lengths), over the limits,
 * or of fewer than 2 envelopes.
 */
export function unpackGossip (data: Uint8Array): Uint8Array[] {
  if (!isBundle(data)) return [data]
  if (data.byteLength > GOSSIP_BUNDLE_MAX_BYTES) throw new MalformedEnvelopeError(`gossip bundle of ${data.byteLength} bytes, the limit is ${GOSSIP_BUNDLE_MAX_BYTES}`)
  let bundle: Bundle
  try {
    bundle = Bundle.decode(data, { limits: { envelopes: GOSSIP_BUNDLE_MAX_ENVELOPES } })
  } catch (err) {
    throw new MalformedEnvelopeError(`gossip bundle is not valid protobuf or holds more than ${GOSSIP_BUNDLE_MAX_ENVELOPES} envelopes`, { cause: err })
  }
  if (!equalBytes(Bundle.encode(bundle), data)) throw new MalformedEnvelopeError('gossip bundle framing is not canonical (another field, or a length not a minimal varint)')
  if (bundle.envelopes.length < 2) throw new MalformedEnvelopeError('gossip bundle of fewer than 2 envelopes')
  return bundle.envelopes
}
