/**
 * Packed sync replies: the envelopes of one `Batch` frame front-coded against each other.
 *
 * Envelopes of one topic repeat most of their first bytes: the body starts with the version,
 * the network, the topic and the author's 32-byte key, then the seq. A reply in log order holds
 * runs of one author and a few authors interleaved, so each envelope is sent as the bytes it
 * does not share with one of the 16 envelopes before it in the frame (docs/PROTOCOL.md, "Packed
 * replies"). The receiver rebuilds every envelope byte for byte before it decodes and verifies
 * it, exactly as a plain one: packing saves bytes on the wire, never a check.
 *
 * An item: the envelope's head (`0x0a` and the body length, a varint, copied as they are), then
 * a varint `back` (0: no reference, else the item `back` places earlier), then, when `back` > 0,
 * a varint `shared`: that many bytes after the head come from the referenced envelope's bytes
 * after its head; then the rest.
 */
import { ProtocolError } from '../errors.ts'

/** Earlier envelopes of the frame an item may refer to, at most. */
export const PACK_WINDOW = 16

/** Bytes compared with each earlier envelope, at most: the shared part is the body's first fields. */
const MAX_SHARED_SCAN = 512

/** Where the body starts: after `0x0a` and its varint length; undefined when `bytes` has no such head. */
function headLength (bytes: Uint8Array): number | undefined {
  if (bytes[0] !== 0x0a) return undefined
  for (let i = 1; i < Math.min(bytes.length, 6); i++) {
    if (bytes[i]! < 0x80) return i + 1
  }
  return undefined
}

function varint (n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
}

function readVarint (bytes: Uint8Array, at: number): { value: number, next: number } {
  let value = 0
  let scale = 1
  for (let i = at; i < Math.min(bytes.length, at + 4); i++) {
    const b = bytes[i]!
    value += (b & 0x7f) * scale
    if (b < 0x80) return { value, next: i + 1 }
    scale *= 128
  }
  throw new ProtocolError('a packed sync envelope with a truncated or over-long varint')
}

/**
 * Front-codes `envelopes` for one Batch frame. Each must be an encoded Envelope as stored (the
 * canonical framing starts with field 1, so with the head); anything else is a TypeError.
 */
export function packEnvelopes (envelopes: readonly Uint8Array[]): Uint8Array[] {
  const tails: Uint8Array[] = []
  return envelopes.map(env => {
    const head = headLength(env)
    if (head === undefined) throw new TypeError('packEnvelopes takes encoded envelopes (0x0a and a body length first)')
    const tail = env.subarray(head)
    let back = 0
    let shared = 0
    for (let b = 1; b <= Math.min(PACK_WINDOW, tails.length); b++) {
      const other = tails[tails.length - b]!
      const limit = Math.min(other.length, tail.length, MAX_SHARED_SCAN)
      let n = 0
      while (n < limit && other[n] === tail[n]) n++
      if (n > shared) {
        shared = n
        back = b
      }
    }
    tails.push(tail)
    const prefix: number[] = []
    varint(back, prefix)
    if (back > 0) varint(shared, prefix)
    const item = new Uint8Array(head + prefix.length + tail.length - shared)
    item.set(env.subarray(0, head))
    item.set(prefix, head)
    item.set(tail.subarray(shared), head + prefix.length)
    return item
  })
}

/**
 * Rebuilds the envelopes of a packed frame. Throws ProtocolError for an item without an
 * envelope head, a reference outside the frame or the window, a shared length past the
 * referenced envelope, or a frame that rebuilds to more than `maxBytes` in all (so a few
 * bytes on the wire never cost more memory than a plain frame could).
 */
export function unpackEnvelopes (items: readonly Uint8Array[], maxBytes: number): Array<Uint8Array<ArrayBuffer>> {
  const tails: Uint8Array[] = []
  const out: Array<Uint8Array<ArrayBuffer>> = []
  let total = 0
  for (const item of items) {
    const head = headLength(item)
    if (head === undefined) throw new ProtocolError('a packed sync envelope without an envelope head')
    const b = readVarint(item, head)
    let at = b.next
    let shared = 0
    let ref: Uint8Array | undefined
    if (b.value > 0) {
      if (b.value > PACK_WINDOW || b.value > tails.length) throw new ProtocolError(`a packed sync envelope refers ${b.value} back, in a frame of ${tails.length} before it (window ${PACK_WINDOW})`)
      ref = tails[tails.length - b.value]!
      const s = readVarint(item, at)
      shared = s.value
      at = s.next
      if (shared > ref.length) throw new ProtocolError(`a packed sync envelope shares ${shared} bytes of one that has ${ref.length}`)
    }
    const rest = item.length - at
    total += head + shared + rest
    if (total > maxBytes) throw new ProtocolError(`a packed sync frame that rebuilds to more than ${maxBytes} bytes`)
    const env = new Uint8Array(head + shared + rest)
    env.set(item.subarray(0, head))
    if (ref !== undefined) env.set(ref.subarray(0, shared), head)
    env.set(item.subarray(at), head + shared)
    tails.push(env.subarray(head))
    out.push(env)
  }
  return out
}
