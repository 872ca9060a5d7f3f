/**
 * Store keys as SQLite BLOBs whose byte order (memcmp) is the store's key
 * order: each element is UTF-8 with 0x00 escaped as 0x01 0x01 and 0x01 as
 * 0x01 0x02, and elements are joined by 0x00, which sorts below any escaped
 * byte. So a key sorts before its extensions, and all extensions of a prefix
 * lie between `prefix 0x00` and `prefix 0x01`.
 * (UTF-8 orders by code point; JavaScript strings by UTF-16 unit. The two
 * differ only between U+E000..U+FFFF and characters above U+FFFF.)
 */
import type { StoreKey } from '@weft/core'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const NEEDS_ESCAPE = /[\u0000\u0001]/

export function encodeKey (key: StoreKey): Uint8Array {
  // Fast path: no element holds U+0000 or U+0001, whose UTF-8 bytes are the only ones needing escapes.
  if (!key.some(part => NEEDS_ESCAPE.test(part))) return encoder.encode(key.join('\u0000'))
  const parts = key.map(part => encoder.encode(part))
  let size = Math.max(0, parts.length - 1)
  for (const p of parts) {
    size += p.length
    for (const b of p) if (b < 2) size++
  }
  const out = new Uint8Array(size)
  let at = 0
  parts.forEach((p, i) => {
    if (i > 0) out[at++] = 0
    for (const b of p) {
      if (b < 2) {
        out[at++] = 1
        out[at++] = b + 1
      } else {
        out[at++] = b
      }
    }
  })
  return out
}

export function decodeKey (bytes: Uint8Array): string[] {
  const parts: string[] = []
  let cur: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 0) {
      parts.push(decoder.decode(Uint8Array.from(cur)))
      cur = []
    } else if (b === 1) {
      cur.push(bytes[++i] === 1 ? 0 : 1)
    } else {
      cur.push(b)
    }
  }
  parts.push(decoder.decode(Uint8Array.from(cur)))
  return parts
}

/** [low, high): the encoded keys that strictly extend `prefix`. */
export function prefixBounds (prefix: StoreKey): [Uint8Array, Uint8Array] {
  const base = encodeKey(prefix)
  const low = new Uint8Array(base.length + (prefix.length > 0 ? 1 : 0))
  low.set(base)
  const high = Uint8Array.from(low)
  if (prefix.length > 0) {
    high[high.length - 1] = 1
  } else {
    // every key: from the empty blob to 0xff…
    return [new Uint8Array(0), new Uint8Array([0xff, 0xff, 0xff, 0xff])]
  }
  return [low, high]
}
