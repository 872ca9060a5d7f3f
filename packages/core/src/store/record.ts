/**
 * Every value WeftStore writes is sealed with a CRC-32 of its content, so a
 * flipped bit or a truncated row is detected on read: the record is skipped
 * and reported, never delivered (and can be fetched again from peers).
 */
const TABLE = (() => {
  const t = new Int32Array(256 * 4)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!
  }
  return t
})()

/** CRC-32 (IEEE 802.3), slicing by 4. */
export function crc32 (data: Uint8Array): number {
  let c = -1
  let i = 0
  const t = TABLE
  for (const end = data.length - 3; i < end; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[c >>> 24]!
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ -1) >>> 0
}

/** `crc32(content)` as 4 big-endian bytes, then the content. */
export function sealRecord (content: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(content.length + 4)
  out.set(content, 4)
  return sealInPlace(out)
}

/** Writes the checksum of `record[4..]` into its first 4 bytes (for callers that build the content in place). */
export function sealInPlace (record: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const crc = crc32(record.subarray(4))
  record[0] = crc >>> 24
  record[1] = (crc >>> 16) & 0xff
  record[2] = (crc >>> 8) & 0xff
  record[3] = crc & 0xff
  return record
}

/** The content of a sealed record, or undefined when it is corrupt (checksum mismatch or truncated). */
export function openRecord (record: Uint8Array): Uint8Array | undefined {
  if (record.length < 4) return undefined
  const crc = ((record[0]! << 24) | (record[1]! << 16) | (record[2]! << 8) | record[3]!) >>> 0
  const content = record.subarray(4)
  return crc32(content) === crc ? content : undefined
}

/** Unsigned LEB128 varint of a safe integer. */
export function writeVarint (value: number, out: number[]): void {
  while (value >= 128) {
    out.push((value % 128) | 128)
    value = Math.floor(value / 128)
  }
  out.push(value)
}

/** Reads a varint at `at.pos`, advancing it; undefined when truncated or above 2^53. */
export function readVarint (bytes: Uint8Array, at: { pos: number }): number | undefined {
  let value = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    if (at.pos >= bytes.length) return undefined
    const b = bytes[at.pos++]!
    value += (b & 127) * scale
    if (b < 128) return Number.isSafeInteger(value) ? value : undefined
    scale *= 128
  }
  return undefined
}
