/**
 * Checks the wire type of every field of an encoded Body before it is decoded. The generated
 * decoder reads a known field by its declared type whatever wire type the bytes carry (a
 * `network` sent as a varint would be read as a string), so a body with a field in the wrong
 * wire type is refused here (RELIABILITY.md row 1). Unknown fields may use any wire type but
 * groups (3, 4), which protobuf 3 does not have. Pure; throws MalformedEnvelopeError.
 */
import { MalformedEnvelopeError } from '../errors.ts'

const VARINT = 0
const I64 = 1
const LEN = 2
const I32 = 5

/** Body field number → its wire type (docs/PROTOCOL.md, "Body"; dep_seqs is not packed). */
const BODY_WIRE_TYPES: ReadonlyMap<number, number> = new Map([
  [1, VARINT], [2, LEN], [3, LEN], [4, LEN], [5, VARINT], [6, VARINT], [7, VARINT],
  [8, LEN], [9, VARINT], [10, LEN], [11, LEN]
])

export function checkBodyWireTypes (bytes: Uint8Array): void {
  walkFields(bytes, (field, wire) => {
    const expected = BODY_WIRE_TYPES.get(field)
    if (expected !== undefined && wire !== expected) throw new MalformedEnvelopeError(`body: field ${field} has wire type ${wire}, not ${expected}`)
  })
}

/**
 * The contents of length-delimited field `field` of a well-formed body, as a view (its last
 * occurrence, as a decoder keeps), or an empty view if absent. For bodies this code just
 * encoded: it finds the payload and author without decoding the rest.
 */
export function fieldView (bytes: Uint8Array, field: number): Uint8Array {
  let view = bytes.subarray(0, 0)
  walkFields(bytes, (f, wire, start, end) => { if (f === field && wire === LEN) view = bytes.subarray(start, end) })
  return view
}

/** Calls `visit` for each field in order with its number, wire type and (for LEN) content bounds. Throws MalformedEnvelopeError on bad framing. */
function walkFields (bytes: Uint8Array, visit: (field: number, wire: number, start: number, end: number) => void): void {
  let pos = 0
  const varint = (): number => {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new MalformedEnvelopeError('body: truncated varint')
      const b = bytes[pos++]!
      value += (b & 0x7f) * scale
      if (b < 0x80) return value
      scale *= 128
    }
    throw new MalformedEnvelopeError('body: varint longer than 10 bytes')
  }
  while (pos < bytes.length) {
    const tag = varint()
    const field = Math.floor(tag / 8)
    const wire = tag % 8
    if (field === 0) throw new MalformedEnvelopeError('body: field number 0')
    let start = pos
    if (wire === VARINT) varint()
    else if (wire === I64) pos += 8
    else if (wire === I32) pos += 4
    else if (wire === LEN) {
      const length = varint() // read first: `pos += varint()` would add to the old pos
      start = pos
      pos += length
    }
    else throw new MalformedEnvelopeError(`body: wire type ${wire} (groups are not protobuf 3)`)
    if (pos > bytes.length) throw new MalformedEnvelopeError(`body: field ${field} runs past the end`)
    visit(field, wire, start, pos)
  }
}
