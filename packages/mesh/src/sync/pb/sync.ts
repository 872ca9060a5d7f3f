import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Entry {
  author: string
  seq: bigint
  head: Uint8Array<ArrayBuffer>
}

export namespace Entry {
  let _codec: Codec<Entry>

  export const codec = (): Codec<Entry> => {
    if (_codec == null) {
      _codec = message<Entry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.author != null && obj.author !== '')) {
          w.uint32(10)
          w.string(obj.author)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(16)
          w.uint64(obj.seq)
        }

        if ((obj.head != null && obj.head.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.head)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          author: '',
          seq: 0n,
          head: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.author = reader.string()
              break
            }
            case 2: {
              obj.seq = reader.uint64()
              break
            }
            case 3: {
              obj.head = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.author`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.head`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EntryAuthorFieldEvent {
    field: '$.author'
    value: string
  }

  export interface EntrySeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface EntryHeadFieldEvent {
    field: '$.head'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Entry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Entry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Entry {
    return decodeMessage(buf, Entry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Generator<EntryAuthorFieldEvent | EntrySeqFieldEvent | EntryHeadFieldEvent> {
    return streamMessage(buf, Entry.codec(), opts)
  }
}

export interface Frontier {
  topic: string
  held: Entry[]
  oldest: Entry[]
  full: boolean
}

export namespace Frontier {
  let _codec: Codec<Frontier>

  export const codec = (): Codec<Frontier> => {
    if (_codec == null) {
      _codec = message<Frontier>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.topic != null && obj.topic !== '')) {
          w.uint32(10)
          w.string(obj.topic)
        }

        if (obj.held != null && obj.held.length > 0) {
          for (const value of obj.held) {
            w.uint32(18)
            Entry.codec().encode(value, w)
          }
        }

        if (obj.oldest != null && obj.oldest.length > 0) {
          for (const value of obj.oldest) {
            w.uint32(26)
            Entry.codec().encode(value, w)
          }
        }

        if ((obj.full != null && obj.full !== false)) {
          w.uint32(32)
          w.bool(obj.full)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          topic: '',
          held: [],
          oldest: [],
          full: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.topic = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.held != null && obj.held.length === opts.limits.held) {
                throw new MaxLengthError('Decode error - repeated field "held" had too many elements')
              }

              obj.held.push(Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.held$
              }))
              break
            }
            case 3: {
              if (opts.limits?.oldest != null && obj.oldest.length === opts.limits.oldest) {
                throw new MaxLengthError('Decode error - repeated field "oldest" had too many elements')
              }

              obj.oldest.push(Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.oldest$
              }))
              break
            }
            case 4: {
              obj.full = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          held: 0,
          oldest: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.topic`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.held != null && obj.held === opts.limits.held) {
                throw new MaxLengthError('Streaming decode error - repeated field "held" had too many elements')
              }

              for (const evt of Entry.codec().stream(reader, reader.uint32(), `${prefix}.held[]`, {
                limits: opts.limits?.held$
              })) {
                yield {
                  ...evt,
                  index: obj.held
                }
              }

              obj.held++

              break
            }
            case 3: {
              if (opts.limits?.oldest != null && obj.oldest === opts.limits.oldest) {
                throw new MaxLengthError('Streaming decode error - repeated field "oldest" had too many elements')
              }

              for (const evt of Entry.codec().stream(reader, reader.uint32(), `${prefix}.oldest[]`, {
                limits: opts.limits?.oldest$
              })) {
                yield {
                  ...evt,
                  index: obj.oldest
                }
              }

              obj.oldest++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.full`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FrontierTopicFieldEvent {
    field: '$.topic'
    value: string
  }

  export interface FrontierHeldAuthorFieldEvent {
    field: '$.held[].author'
    value: string
    index: number
  }

  export interface FrontierHeldSeqFieldEvent {
    field: '$.held[].seq'
    value: bigint
    index: number
  }

  export interface FrontierHeldHeadFieldEvent {
    field: '$.held[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrontierOldestAuthorFieldEvent {
    field: '$.oldest[].author'
    value: string
    index: number
  }

  export interface FrontierOldestSeqFieldEvent {
    field: '$.oldest[].seq'
    value: bigint
    index: number
  }

  export interface FrontierOldestHeadFieldEvent {
    field: '$.oldest[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrontierFullFieldEvent {
    field: '$.full'
    value: boolean
  }

  export function encode (obj: Partial<Frontier>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frontier.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frontier>): Frontier {
    return decodeMessage(buf, Frontier.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frontier>): Generator<FrontierTopicFieldEvent | FrontierHeldAuthorFieldEvent | FrontierHeldSeqFieldEvent | FrontierHeldHeadFieldEvent | FrontierOldestAuthorFieldEvent | FrontierOldestSeqFieldEvent | FrontierOldestHeadFieldEvent | FrontierFullFieldEvent> {
    return streamMessage(buf, Frontier.codec(), opts)
  }
}

export interface Range {
  author: string
  from: bigint
  to: bigint
}

export namespace Range {
  let _codec: Codec<Range>

  export const codec = (): Codec<Range> => {
    if (_codec == null) {
      _codec = message<Range>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.author != null && obj.author !== '')) {
          w.uint32(10)
          w.string(obj.author)
        }

        if ((obj.from != null && obj.from !== 0n)) {
          w.uint32(16)
          w.uint64(obj.from)
        }

        if ((obj.to != null && obj.to !== 0n)) {
          w.uint32(24)
          w.uint64(obj.to)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          author: '',
          from: 0n,
          to: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.author = reader.string()
              break
            }
            case 2: {
              obj.from = reader.uint64()
              break
            }
            case 3: {
              obj.to = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.author`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.from`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.to`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RangeAuthorFieldEvent {
    field: '$.author'
    value: string
  }

  export interface RangeFromFieldEvent {
    field: '$.from'
    value: bigint
  }

  export interface RangeToFieldEvent {
    field: '$.to'
    value: bigint
  }

  export function encode (obj: Partial<Range>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Range.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Range>): Range {
    return decodeMessage(buf, Range.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Range>): Generator<RangeAuthorFieldEvent | RangeFromFieldEvent | RangeToFieldEvent> {
    return streamMessage(buf, Range.codec(), opts)
  }
}

export interface Hello {
  network: string
  topics: Frontier[]
}

export namespace Hello {
  let _codec: Codec<Hello>

  export const codec = (): Codec<Hello> => {
    if (_codec == null) {
      _codec = message<Hello>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(10)
          w.string(obj.network)
        }

        if (obj.topics != null && obj.topics.length > 0) {
          for (const value of obj.topics) {
            w.uint32(18)
            Frontier.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          network: '',
          topics: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.network = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.topics != null && obj.topics.length === opts.limits.topics) {
                throw new MaxLengthError('Decode error - repeated field "topics" had too many elements')
              }

              obj.topics.push(Frontier.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.topics$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          topics: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.topics != null && obj.topics === opts.limits.topics) {
                throw new MaxLengthError('Streaming decode error - repeated field "topics" had too many elements')
              }

              for (const evt of Frontier.codec().stream(reader, reader.uint32(), `${prefix}.topics[]`, {
                limits: opts.limits?.topics$
              })) {
                yield {
                  ...evt,
                  index: obj.topics
                }
              }

              obj.topics++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HelloNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface HelloTopicsTopicFieldEvent {
    field: '$.topics[].topic'
    value: string
    index: number
  }

  export interface HelloTopicsHeldAuthorFieldEvent {
    field: '$.topics[].held[].author'
    value: string
    index: number
  }

  export interface HelloTopicsHeldSeqFieldEvent {
    field: '$.topics[].held[].seq'
    value: bigint
    index: number
  }

  export interface HelloTopicsHeldHeadFieldEvent {
    field: '$.topics[].held[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HelloTopicsOldestAuthorFieldEvent {
    field: '$.topics[].oldest[].author'
    value: string
    index: number
  }

  export interface HelloTopicsOldestSeqFieldEvent {
    field: '$.topics[].oldest[].seq'
    value: bigint
    index: number
  }

  export interface HelloTopicsOldestHeadFieldEvent {
    field: '$.topics[].oldest[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HelloTopicsFullFieldEvent {
    field: '$.topics[].full'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Hello>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Hello.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Hello {
    return decodeMessage(buf, Hello.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Generator<HelloNetworkFieldEvent | HelloTopicsTopicFieldEvent | HelloTopicsHeldAuthorFieldEvent | HelloTopicsHeldSeqFieldEvent | HelloTopicsHeldHeadFieldEvent | HelloTopicsOldestAuthorFieldEvent | HelloTopicsOldestSeqFieldEvent | HelloTopicsOldestHeadFieldEvent | HelloTopicsFullFieldEvent> {
    return streamMessage(buf, Hello.codec(), opts)
  }
}

export interface Want {
  topic: string
  id: number
  ranges: Range[]
  maxMessages: number
  packed: boolean
}

export namespace Want {
  let _codec: Codec<Want>

  export const codec = (): Codec<Want> => {
    if (_codec == null) {
      _codec = message<Want>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.topic != null && obj.topic !== '')) {
          w.uint32(10)
          w.string(obj.topic)
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(16)
          w.uint32(obj.id)
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(26)
            Range.codec().encode(value, w)
          }
        }

        if ((obj.maxMessages != null && obj.maxMessages !== 0)) {
          w.uint32(32)
          w.uint32(obj.maxMessages)
        }

        if ((obj.packed != null && obj.packed !== false)) {
          w.uint32(40)
          w.bool(obj.packed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          topic: '',
          id: 0,
          ranges: [],
          maxMessages: 0,
          packed: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.topic = reader.string()
              break
            }
            case 2: {
              obj.id = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(Range.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            case 4: {
              obj.maxMessages = reader.uint32()
              break
            }
            case 5: {
              obj.packed = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ranges: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.topic`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of Range.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxMessages`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.packed`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WantTopicFieldEvent {
    field: '$.topic'
    value: string
  }

  export interface WantIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface WantRangesAuthorFieldEvent {
    field: '$.ranges[].author'
    value: string
    index: number
  }

  export interface WantRangesFromFieldEvent {
    field: '$.ranges[].from'
    value: bigint
    index: number
  }

  export interface WantRangesToFieldEvent {
    field: '$.ranges[].to'
    value: bigint
    index: number
  }

  export interface WantMaxMessagesFieldEvent {
    field: '$.maxMessages'
    value: number
  }

  export interface WantPackedFieldEvent {
    field: '$.packed'
    value: boolean
  }

  export function encode (obj: Partial<Want>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Want.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Want>): Want {
    return decodeMessage(buf, Want.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Want>): Generator<WantTopicFieldEvent | WantIdFieldEvent | WantRangesAuthorFieldEvent | WantRangesFromFieldEvent | WantRangesToFieldEvent | WantMaxMessagesFieldEvent | WantPackedFieldEvent> {
    return streamMessage(buf, Want.codec(), opts)
  }
}

export interface Batch {
  topic: string
  wantId: number
  envelopes: Uint8Array<ArrayBuffer>[]
  last: boolean
  packed: Uint8Array<ArrayBuffer>[]
}

export namespace Batch {
  let _codec: Codec<Batch>

  export const codec = (): Codec<Batch> => {
    if (_codec == null) {
      _codec = message<Batch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.topic != null && obj.topic !== '')) {
          w.uint32(10)
          w.string(obj.topic)
        }

        if ((obj.wantId != null && obj.wantId !== 0)) {
          w.uint32(16)
          w.uint32(obj.wantId)
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if ((obj.last != null && obj.last !== false)) {
          w.uint32(32)
          w.bool(obj.last)
        }

        if (obj.packed != null && obj.packed.length > 0) {
          for (const value of obj.packed) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          topic: '',
          wantId: 0,
          envelopes: [],
          last: false,
          packed: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.topic = reader.string()
              break
            }
            case 2: {
              obj.wantId = reader.uint32()
              break
            }
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(reader.bytes())
              break
            }
            case 4: {
              obj.last = reader.bool()
              break
            }
            case 5: {
              if (opts.limits?.packed != null && obj.packed.length === opts.limits.packed) {
                throw new MaxLengthError('Decode error - repeated field "packed" had too many elements')
              }

              obj.packed.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          envelopes: 0,
          packed: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.topic`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.wantId`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              yield {
                field: `${prefix}.envelopes[]`,
                index: obj.envelopes,
                value: reader.bytes()
              }

              obj.envelopes++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.last`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              if (opts.limits?.packed != null && obj.packed === opts.limits.packed) {
                throw new MaxLengthError('Streaming decode error - repeated field "packed" had too many elements')
              }

              yield {
                field: `${prefix}.packed[]`,
                index: obj.packed,
                value: reader.bytes()
              }

              obj.packed++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BatchTopicFieldEvent {
    field: '$.topic'
    value: string
  }

  export interface BatchWantIdFieldEvent {
    field: '$.wantId'
    value: number
  }

  export interface BatchEnvelopesFieldEvent {
    field: '$.envelopes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface BatchLastFieldEvent {
    field: '$.last'
    value: boolean
  }

  export interface BatchPackedFieldEvent {
    field: '$.packed[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Batch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Batch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Batch {
    return decodeMessage(buf, Batch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Generator<BatchTopicFieldEvent | BatchWantIdFieldEvent | BatchEnvelopesFieldEvent | BatchLastFieldEvent | BatchPackedFieldEvent> {
    return streamMessage(buf, Batch.codec(), opts)
  }
}

export interface Have {
  topics: Frontier[]
}

export namespace Have {
  let _codec: Codec<Have>

  export const codec = (): Codec<Have> => {
    if (_codec == null) {
      _codec = message<Have>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.topics != null && obj.topics.length > 0) {
          for (const value of obj.topics) {
            w.uint32(10)
            Frontier.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          topics: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.topics != null && obj.topics.length === opts.limits.topics) {
                throw new MaxLengthError('Decode error - repeated field "topics" had too many elements')
              }

              obj.topics.push(Frontier.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.topics$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          topics: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.topics != null && obj.topics === opts.limits.topics) {
                throw new MaxLengthError('Streaming decode error - repeated field "topics" had too many elements')
              }

              for (const evt of Frontier.codec().stream(reader, reader.uint32(), `${prefix}.topics[]`, {
                limits: opts.limits?.topics$
              })) {
                yield {
                  ...evt,
                  index: obj.topics
                }
              }

              obj.topics++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HaveTopicsTopicFieldEvent {
    field: '$.topics[].topic'
    value: string
    index: number
  }

  export interface HaveTopicsHeldAuthorFieldEvent {
    field: '$.topics[].held[].author'
    value: string
    index: number
  }

  export interface HaveTopicsHeldSeqFieldEvent {
    field: '$.topics[].held[].seq'
    value: bigint
    index: number
  }

  export interface HaveTopicsHeldHeadFieldEvent {
    field: '$.topics[].held[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HaveTopicsOldestAuthorFieldEvent {
    field: '$.topics[].oldest[].author'
    value: string
    index: number
  }

  export interface HaveTopicsOldestSeqFieldEvent {
    field: '$.topics[].oldest[].seq'
    value: bigint
    index: number
  }

  export interface HaveTopicsOldestHeadFieldEvent {
    field: '$.topics[].oldest[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HaveTopicsFullFieldEvent {
    field: '$.topics[].full'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Have>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Have.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Have>): Have {
    return decodeMessage(buf, Have.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Have>): Generator<HaveTopicsTopicFieldEvent | HaveTopicsHeldAuthorFieldEvent | HaveTopicsHeldSeqFieldEvent | HaveTopicsHeldHeadFieldEvent | HaveTopicsOldestAuthorFieldEvent | HaveTopicsOldestSeqFieldEvent | HaveTopicsOldestHeadFieldEvent | HaveTopicsFullFieldEvent> {
    return streamMessage(buf, Have.codec(), opts)
  }
}

export interface Proof {
  first: Uint8Array<ArrayBuffer>
  second: Uint8Array<ArrayBuffer>
}

export namespace Proof {
  let _codec: Codec<Proof>

  export const codec = (): Codec<Proof> => {
    if (_codec == null) {
      _codec = message<Proof>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.first != null && obj.first.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.first)
        }

        if ((obj.second != null && obj.second.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.second)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          first: uint8ArrayAlloc(0),
          second: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.first = reader.bytes()
              break
            }
            case 2: {
              obj.second = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.first`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.second`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProofFirstFieldEvent {
    field: '$.first'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProofSecondFieldEvent {
    field: '$.second'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Proof>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Proof.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proof>): Proof {
    return decodeMessage(buf, Proof.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proof>): Generator<ProofFirstFieldEvent | ProofSecondFieldEvent> {
    return streamMessage(buf, Proof.codec(), opts)
  }
}

export interface Proofs {
  topic: string
  proofs: Proof[]
}

export namespace Proofs {
  let _codec: Codec<Proofs>

  export const codec = (): Codec<Proofs> => {
    if (_codec == null) {
      _codec = message<Proofs>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.topic != null && obj.topic !== '')) {
          w.uint32(10)
          w.string(obj.topic)
        }

        if (obj.proofs != null && obj.proofs.length > 0) {
          for (const value of obj.proofs) {
            w.uint32(18)
            Proof.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          topic: '',
          proofs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.topic = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.proofs != null && obj.proofs.length === opts.limits.proofs) {
                throw new MaxLengthError('Decode error - repeated field "proofs" had too many elements')
              }

              obj.proofs.push(Proof.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.proofs$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          proofs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.topic`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.proofs != null && obj.proofs === opts.limits.proofs) {
                throw new MaxLengthError('Streaming decode error - repeated field "proofs" had too many elements')
              }

              for (const evt of Proof.codec().stream(reader, reader.uint32(), `${prefix}.proofs[]`, {
                limits: opts.limits?.proofs$
              })) {
                yield {
                  ...evt,
                  index: obj.proofs
                }
              }

              obj.proofs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProofsTopicFieldEvent {
    field: '$.topic'
    value: string
  }

  export interface ProofsProofsFirstFieldEvent {
    field: '$.proofs[].first'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ProofsProofsSecondFieldEvent {
    field: '$.proofs[].second'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<Proofs>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Proofs.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proofs>): Proofs {
    return decodeMessage(buf, Proofs.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Proofs>): Generator<ProofsTopicFieldEvent | ProofsProofsFirstFieldEvent | ProofsProofsSecondFieldEvent> {
    return streamMessage(buf, Proofs.codec(), opts)
  }
}

export interface SyncFrame {
  hello?: Hello
  want?: Want
  batch?: Batch
  have?: Have
  proofs?: Proofs
}

export namespace SyncFrame {
  let _codec: Codec<SyncFrame>

  export const codec = (): Codec<SyncFrame> => {
    if (_codec == null) {
      _codec = message<SyncFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.hello != null) {
          w.uint32(10)
          Hello.codec().encode(obj.hello, w)
        }

        if (obj.want != null) {
          w.uint32(18)
          Want.codec().encode(obj.want, w)
        }

        if (obj.batch != null) {
          w.uint32(26)
          Batch.codec().encode(obj.batch, w)
        }

        if (obj.have != null) {
          w.uint32(34)
          Have.codec().encode(obj.have, w)
        }

        if (obj.proofs != null) {
          w.uint32(42)
          Proofs.codec().encode(obj.proofs, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hello = Hello.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hello
              })
              break
            }
            case 2: {
              obj.want = Want.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.want
              })
              break
            }
            case 3: {
              obj.batch = Batch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.batch
              })
              break
            }
            case 4: {
              obj.have = Have.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.have
              })
              break
            }
            case 5: {
              obj.proofs = Proofs.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.proofs
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Hello.codec().stream(reader, reader.uint32(), `${prefix}.hello`, {
                limits: opts.limits?.hello
              })

              break
            }
            case 2: {
              yield * Want.codec().stream(reader, reader.uint32(), `${prefix}.want`, {
                limits: opts.limits?.want
              })

              break
            }
            case 3: {
              yield * Batch.codec().stream(reader, reader.uint32(), `${prefix}.batch`, {
                limits: opts.limits?.batch
              })

              break
            }
            case 4: {
              yield * Have.codec().stream(reader, reader.uint32(), `${prefix}.have`, {
                limits: opts.limits?.have
              })

              break
            }
            case 5: {
              yield * Proofs.codec().stream(reader, reader.uint32(), `${prefix}.proofs`, {
                limits: opts.limits?.proofs
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncFrameHelloNetworkFieldEvent {
    field: '$.hello.network'
    value: string
  }

  export interface SyncFrameHelloTopicsTopicFieldEvent {
    field: '$.hello.topics[].topic'
    value: string
    index: number
  }

  export interface SyncFrameHelloTopicsHeldAuthorFieldEvent {
    field: '$.hello.topics[].held[].author'
    value: string
    index: number
  }

  export interface SyncFrameHelloTopicsHeldSeqFieldEvent {
    field: '$.hello.topics[].held[].seq'
    value: bigint
    index: number
  }

  export interface SyncFrameHelloTopicsHeldHeadFieldEvent {
    field: '$.hello.topics[].held[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncFrameHelloTopicsOldestAuthorFieldEvent {
    field: '$.hello.topics[].oldest[].author'
    value: string
    index: number
  }

  export interface SyncFrameHelloTopicsOldestSeqFieldEvent {
    field: '$.hello.topics[].oldest[].seq'
    value: bigint
    index: number
  }

  export interface SyncFrameHelloTopicsOldestHeadFieldEvent {
    field: '$.hello.topics[].oldest[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncFrameHelloTopicsFullFieldEvent {
    field: '$.hello.topics[].full'
    value: boolean
    index: number
  }

  export interface SyncFrameWantTopicFieldEvent {
    field: '$.want.topic'
    value: string
  }

  export interface SyncFrameWantIdFieldEvent {
    field: '$.want.id'
    value: number
  }

  export interface SyncFrameWantRangesAuthorFieldEvent {
    field: '$.want.ranges[].author'
    value: string
    index: number
  }

  export interface SyncFrameWantRangesFromFieldEvent {
    field: '$.want.ranges[].from'
    value: bigint
    index: number
  }

  export interface SyncFrameWantRangesToFieldEvent {
    field: '$.want.ranges[].to'
    value: bigint
    index: number
  }

  export interface SyncFrameWantMaxMessagesFieldEvent {
    field: '$.want.maxMessages'
    value: number
  }

  export interface SyncFrameWantPackedFieldEvent {
    field: '$.want.packed'
    value: boolean
  }

  export interface SyncFrameBatchTopicFieldEvent {
    field: '$.batch.topic'
    value: string
  }

  export interface SyncFrameBatchWantIdFieldEvent {
    field: '$.batch.wantId'
    value: number
  }

  export interface SyncFrameBatchEnvelopesFieldEvent {
    field: '$.batch.envelopes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncFrameBatchLastFieldEvent {
    field: '$.batch.last'
    value: boolean
  }

  export interface SyncFrameBatchPackedFieldEvent {
    field: '$.batch.packed[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncFrameHaveTopicsTopicFieldEvent {
    field: '$.have.topics[].topic'
    value: string
    index: number
  }

  export interface SyncFrameHaveTopicsHeldAuthorFieldEvent {
    field: '$.have.topics[].held[].author'
    value: string
    index: number
  }

  export interface SyncFrameHaveTopicsHeldSeqFieldEvent {
    field: '$.have.topics[].held[].seq'
    value: bigint
    index: number
  }

  export interface SyncFrameHaveTopicsHeldHeadFieldEvent {
    field: '$.have.topics[].held[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncFrameHaveTopicsOldestAuthorFieldEvent {
    field: '$.have.topics[].oldest[].author'
    value: string
    index: number
  }

  export interface SyncFrameHaveTopicsOldestSeqFieldEvent {
    field: '$.have.topics[].oldest[].seq'
    value: bigint
    index: number
  }

  export interface SyncFrameHaveTopicsOldestHeadFieldEvent {
    field: '$.have.topics[].oldest[].head'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncFrameHaveTopicsFullFieldEvent {
    field: '$.have.topics[].full'
    value: boolean
    index: number
  }

  export interface SyncFrameProofsTopicFieldEvent {
    field: '$.proofs.topic'
    value: string
  }

  export interface SyncFrameProofsProofsFirstFieldEvent {
    field: '$.proofs.proofs[].first'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncFrameProofsProofsSecondFieldEvent {
    field: '$.proofs.proofs[].second'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<SyncFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncFrame>): SyncFrame {
    return decodeMessage(buf, SyncFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncFrame>): Generator<SyncFrameHelloNetworkFieldEvent | SyncFrameHelloTopicsTopicFieldEvent | SyncFrameHelloTopicsHeldAuthorFieldEvent | SyncFrameHelloTopicsHeldSeqFieldEvent | SyncFrameHelloTopicsHeldHeadFieldEvent | SyncFrameHelloTopicsOldestAuthorFieldEvent | SyncFrameHelloTopicsOldestSeqFieldEvent | SyncFrameHelloTopicsOldestHeadFieldEvent | SyncFrameHelloTopicsFullFieldEvent | SyncFrameWantTopicFieldEvent | SyncFrameWantIdFieldEvent | SyncFrameWantRangesAuthorFieldEvent | SyncFrameWantRangesFromFieldEvent | SyncFrameWantRangesToFieldEvent | SyncFrameWantMaxMessagesFieldEvent | SyncFrameWantPackedFieldEvent | SyncFrameBatchTopicFieldEvent | SyncFrameBatchWantIdFieldEvent | SyncFrameBatchEnvelopesFieldEvent | SyncFrameBatchLastFieldEvent | SyncFrameBatchPackedFieldEvent | SyncFrameHaveTopicsTopicFieldEvent | SyncFrameHaveTopicsHeldAuthorFieldEvent | SyncFrameHaveTopicsHeldSeqFieldEvent | SyncFrameHaveTopicsHeldHeadFieldEvent | SyncFrameHaveTopicsOldestAuthorFieldEvent | SyncFrameHaveTopicsOldestSeqFieldEvent | SyncFrameHaveTopicsOldestHeadFieldEvent | SyncFrameHaveTopicsFullFieldEvent | SyncFrameProofsTopicFieldEvent | SyncFrameProofsProofsFirstFieldEvent | SyncFrameProofsProofsSecondFieldEvent> {
    return streamMessage(buf, SyncFrame.codec(), opts)
  }
}
