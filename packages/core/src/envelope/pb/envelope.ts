import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Envelope {
  body: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  batchPath: Uint8Array<ArrayBuffer>
  batchIndex: number
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.body)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if ((obj.batchPath != null && obj.batchPath.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.batchPath)
        }

        if ((obj.batchIndex != null && obj.batchIndex !== 0)) {
          w.uint32(32)
          w.uint32(obj.batchIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          batchPath: uint8ArrayAlloc(0),
          batchIndex: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            case 3: {
              obj.batchPath = reader.bytes()
              break
            }
            case 4: {
              obj.batchIndex = reader.uint32()
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
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.batchPath`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.batchIndex`,
                value: reader.uint32()
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

  export interface EnvelopeBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeBatchPathFieldEvent {
    field: '$.batchPath'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeBatchIndexFieldEvent {
    field: '$.batchIndex'
    value: number
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeBodyFieldEvent | EnvelopeSignatureFieldEvent | EnvelopeBatchPathFieldEvent | EnvelopeBatchIndexFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface Body {
  version: number
  network: string
  topic: string
  author: Uint8Array<ArrayBuffer>
  seq: bigint
  time: bigint
  fullContext: boolean
  depTags: Uint8Array<ArrayBuffer>
  depSeqs: bigint[]
  payload: Uint8Array<ArrayBuffer>
  contentType: string
}

export namespace Body {
  let _codec: Codec<Body>

  export const codec = (): Codec<Body> => {
    if (_codec == null) {
      _codec = message<Body>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(18)
          w.string(obj.network)
        }

        if ((obj.topic != null && obj.topic !== '')) {
          w.uint32(26)
          w.string(obj.topic)
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.author)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(40)
          w.uint64(obj.seq)
        }

        if ((obj.time != null && obj.time !== 0n)) {
          w.uint32(48)
          w.uint64(obj.time)
        }

        if ((obj.fullContext != null && obj.fullContext !== false)) {
          w.uint32(56)
          w.bool(obj.fullContext)
        }

        if ((obj.depTags != null && obj.depTags.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.depTags)
        }

        if (obj.depSeqs != null && obj.depSeqs.length > 0) {
          for (const value of obj.depSeqs) {
            w.uint32(72)
            w.uint64(value)
          }
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.payload)
        }

        if ((obj.contentType != null && obj.contentType !== '')) {
          w.uint32(90)
          w.string(obj.contentType)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          network: '',
          topic: '',
          author: uint8ArrayAlloc(0),
          seq: 0n,
          time: 0n,
          fullContext: false,
          depTags: uint8ArrayAlloc(0),
          depSeqs: [],
          payload: uint8ArrayAlloc(0),
          contentType: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.network = reader.string()
              break
            }
            case 3: {
              obj.topic = reader.string()
              break
            }
            case 4: {
              obj.author = reader.bytes()
              break
            }
            case 5: {
              obj.seq = reader.uint64()
              break
            }
            case 6: {
              obj.time = reader.uint64()
              break
            }
            case 7: {
              obj.fullContext = reader.bool()
              break
            }
            case 8: {
              obj.depTags = reader.bytes()
              break
            }
            case 9: {
              if (opts.limits?.depSeqs != null && obj.depSeqs.length === opts.limits.depSeqs) {
                throw new MaxLengthError('Decode error - repeated field "depSeqs" had too many elements')
              }

              obj.depSeqs.push(reader.uint64())
              break
            }
            case 10: {
              obj.payload = reader.bytes()
              break
            }
            case 11: {
              obj.contentType = reader.string()
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
          depSeqs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.topic`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.time`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.fullContext`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.depTags`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              if (opts.limits?.depSeqs != null && obj.depSeqs === opts.limits.depSeqs) {
                throw new MaxLengthError('Streaming decode error - repeated field "depSeqs" had too many elements')
              }

              yield {
                field: `${prefix}.depSeqs[]`,
                index: obj.depSeqs,
                value: reader.uint64()
              }

              obj.depSeqs++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.contentType`,
                value: reader.string()
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

  export interface BodyVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface BodyNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface BodyTopicFieldEvent {
    field: '$.topic'
    value: string
  }

  export interface BodyAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BodySeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface BodyTimeFieldEvent {
    field: '$.time'
    value: bigint
  }

  export interface BodyFullContextFieldEvent {
    field: '$.fullContext'
    value: boolean
  }

  export interface BodyDepTagsFieldEvent {
    field: '$.depTags'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BodyDepSeqsFieldEvent {
    field: '$.depSeqs[]'
    index: number
    value: bigint
  }

  export interface BodyPayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BodyContentTypeFieldEvent {
    field: '$.contentType'
    value: string
  }

  export function encode (obj: Partial<Body>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Body.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Body>): Body {
    return decodeMessage(buf, Body.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Body>): Generator<BodyVersionFieldEvent | BodyNetworkFieldEvent | BodyTopicFieldEvent | BodyAuthorFieldEvent | BodySeqFieldEvent | BodyTimeFieldEvent | BodyFullContextFieldEvent | BodyDepTagsFieldEvent | BodyDepSeqsFieldEvent | BodyPayloadFieldEvent | BodyContentTypeFieldEvent> {
    return streamMessage(buf, Body.codec(), opts)
  }
}
