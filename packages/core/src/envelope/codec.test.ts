import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { varint } from '@weft/test-suites/varint'
import { describe, expect, it } from 'vitest'
import { Body, Envelope as EnvelopePb } from './pb/envelope.ts'
import { decodeEnvelope, encodeBody, encodeEnvelope, contextWireBytes } from './codec.ts'
import { openEnvelope, sealEnvelope, signingBytes } from './seal.ts'
import { nobleSigner } from '../crypto/noble.ts'
import { isRejection } from '../errors.ts'
import { authorIdFromKey } from '../util/author.ts'
import { equalBytes, fromHex, toHex, utf8 } from '../util/bytes.ts'
import { NETWORK, TOPIC, crypto, seedOf } from '../testing/authors.ts'
import type { EnvelopeInput } from './envelope.ts'

const signer = nobleSigner(seedOf(1))
const other = nobleSigner(seedOf(2))
const open = (bytes: Uint8Array, extra: object = {}): Promise<unknown> =>
  openEnvelope(bytes, { crypto, network: NETWORK, topic: TOPIC, ...extra })

const base: EnvelopeInput = {
  network: NETWORK,
  topic: TOPIC,
  seq: 3,
  time: 1_700_000_000_000,
  context: { full: false, deps: [{ tag: '0102030405060708', seq: 9 }] },
  payload: utf8('payload'),
  contentType: 'text/plain'
}

/** Re-signs a hand-made body, so that only the property under test is wrong. */
async function signedBody (fields: Partial<Body>): Promise<Uint8Array> {
  const good = Body.decode(encodeBody(base, signer.publicKey))
  const body = Body.encode({ ...good, ...fields })
  return encodeEnvelope(body, await signer.sign(signingBytes(body)))
}

async function rejection (p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    expect(isRejection(err)).toBe(true)
    return (err as Error).name
  }
  throw new Error('expected a rejection')
}

describe('envelope codec', () => {
  it('round-trips any valid input (property)', async () => {
    // tags in either case: an envelope names them in lowercase hex, as its receivers decode them
    const tag = fc.tuple(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.boolean()).map(([b, upper]) => upper ? toHex(b).toUpperCase() : toHex(b))
    await fc.assert(fc.asyncProperty(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.uniqueArray(fc.record({ tag, seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }), { selector: d => d.tag.toLowerCase(), maxLength: 20 }),
      fc.boolean(),
      fc.uint8Array({ maxLength: 2048 }),
      fc.string({ maxLength: 30 }),
      async (topic, seq, time, deps, full, payload, contentType) => {
        const ownTag = toHex(signer.publicKey.subarray(0, 8))
        const input = { network: NETWORK, topic, seq, time, context: { full, deps: deps.filter(d => d.tag.toLowerCase() !== ownTag) }, payload, contentType }
        const env = await sealEnvelope(input, signer, crypto)
        const back = await openEnvelope(env.bytes, { crypto, network: NETWORK, topic })
        expect(back).toEqual(env)
        expect(back).toMatchObject({ topic, seq, time, contentType, author: authorIdFromKey(signer.publicKey) })
        expect(back.context).toEqual({ full, deps: input.context.deps.map(d => ({ tag: d.tag.toLowerCase(), seq: d.seq })) })
        expect(toHex(back.payload)).toBe(toHex(payload))
      }
    ), { numRuns: 200 })
  })

  it('matches the golden vectors in docs/golden/envelope-v1.json', async () => {
    const doc = JSON.parse(readFileSync(new URL('../../../../docs/golden/envelope-v1.json', import.meta.url), 'utf8')) as {
      vectors: Array<{ seed: string, publicKey: string, author: string, envelope: string, id: string, input: { network: string, topic: string, seq: number, time: number, full: boolean, deps: Array<{ tag: string, seq: number }>, payloadHex: string, contentType: string } }>
    }
    expect(doc.vectors.length).toBeGreaterThanOrEqual(3)
    for (const v of doc.vectors) {
      const s = nobleSigner(fromHex(v.seed))
      expect(toHex(s.publicKey)).toBe(v.publicKey)
      const sealed = await sealEnvelope({
        network: v.input.network, topic: v.input.topic, seq: v.input.seq, time: v.input.time,
        context: { full: v.input.full, deps: v.input.deps }, payload: fromHex(v.input.payloadHex), contentType: v.input.contentType
      }, s, crypto)
      expect(toHex(sealed.bytes)).toBe(v.envelope)
      expect(sealed.id).toBe(v.id)
      const opened = await openEnvelope(fromHex(v.envelope), { crypto, network: v.input.network })
      expect(opened).toMatchObject({ id: v.id, author: v.author, topic: v.input.topic, seq: v.input.seq, time: v.input.time, contentType: v.input.contentType })
      expect(opened.context).toEqual({ full: v.input.full, deps: v.input.deps })
      expect(toHex(opened.payload)).toBe(v.input.payloadHex)
    }
  })

  describe('rejections are typed', () => {
    it('malformed protobuf', async () => {
      expect(await rejection(open(Uint8Array.of(0x0a, 0xff)))).toBe('MalformedEnvelopeError') // length past the end
      expect(await rejection(open(Uint8Array.of(0x08)))).toBe('MalformedEnvelopeError') // truncated varint
      expect(await rejection(open(Uint8Array.of(0x00, 0x01)))).toBe('MalformedEnvelopeError') // field 0
      expect(await rejection(open(new Uint8Array(0)))).toBe('MalformedEnvelopeError')
    })

    it('wrong wire types (RELIABILITY.md row 1)', async () => {
      expect(await rejection(open(Uint8Array.of(0x08, 0x05)))).toBe('MalformedEnvelopeError') // body as a varint
      expect(await rejection(open(Uint8Array.of(0x0d, 1, 2, 3, 4)))).toBe('MalformedEnvelopeError') // body as a fixed32
      expect(await rejection(open(Uint8Array.of(0x0b, 0x0c)))).toBe('MalformedEnvelopeError') // a group (wire types 3, 4)
      // signed bodies with a known field in the wrong wire type
      const good = encodeBody(base, signer.publicKey)
      for (const extra of [[0x2a, 0x01, 0x07], [0x12, 0x03, 0x61, 0x62, 0x63].map((b, i) => i === 0 ? 0x10 : b), [0x2d, 1, 2, 3, 4]]) {
        const body = new Uint8Array([...good, ...extra]) // seq length-delimited; network as a varint; seq as fixed32
        const bytes = encodeEnvelope(body, await signer.sign(signingBytes(body)))
        expect(await rejection(open(bytes)), extra.join(',')).toBe('MalformedEnvelopeError')
      }
    })

    it('non-canonical framing (unknown outer field, reordered fields)', async () => {
      const env = await sealEnvelope(base, signer, crypto)
      const extra = new Uint8Array([...env.bytes, 0x18, 0x01])
      expect(await rejection(open(extra))).toBe('MalformedEnvelopeError')
      const pb = EnvelopePb.decode(env.bytes)
      const sigFirst = new Uint8Array([0x12, 64, ...pb.signature, 0x0a, ...varint(pb.body.length), ...pb.body])
      expect(await rejection(open(sigFirst))).toBe('MalformedEnvelopeError')
    })

    it('an unknown body field is kept and signed, not dropped', async () => {
      const good = encodeBody(base, signer.publicKey)
      const body = new Uint8Array([...good, 0xf8, 0x01, 0x05]) // field 31, varint 5
      const bytes = encodeEnvelope(body, await signer.sign(signingBytes(body)))
      const env = await openEnvelope(bytes, { crypto, network: NETWORK, topic: TOPIC })
      expect(toHex(env.body)).toBe(toHex(body))
      const stripped = encodeEnvelope(good, EnvelopePb.decode(bytes).signature)
      expect(await rejection(open(stripped))).toBe('BadSignatureError')
    })

    it('oversize envelope and payload', async () => {
      expect(await rejection(open(new Uint8Array(100_000)))).toBe('OversizeEnvelopeError')
      const env = await sealEnvelope({ ...base, payload: new Uint8Array(2000) }, signer, crypto)
      expect(await rejection(open(env.bytes, { limits: { maxPayloadBytes: 1999 } }))).toBe('OversizeEnvelopeError')
      expect(await rejection(open(env.bytes, { limits: { maxEnvelopeBytes: 1000 } }))).toBe('OversizeEnvelopeError')
      await expect(sealEnvelope({ ...base, payload: new Uint8Array(64 * 1024 + 1) }, signer, crypto)).rejects.toHaveProperty('name', 'OversizeEnvelopeError')
      // a payload under its cap in an envelope over the envelope cap is refused when sealed, as receivers would refuse it
      await expect(sealEnvelope({ ...base, payload: new Uint8Array(2000) }, signer, crypto, { maxEnvelopeBytes: 1000 })).rejects.toHaveProperty('name', 'OversizeEnvelopeError')
    })

    it('bad signature: bit flip, other bytes, wrong length', async () => {
      const env = await sealEnvelope(base, signer, crypto)
      const pb = EnvelopePb.decode(env.bytes)
      const flipped = Uint8Array.from(pb.signature)
      flipped[10]! ^= 1
      expect(await rejection(open(encodeEnvelope(pb.body, flipped)))).toBe('BadSignatureError')
      const otherSig = await signer.sign(signingBytes(utf8('something else')))
      expect(await rejection(open(encodeEnvelope(pb.body, otherSig)))).toBe('BadSignatureError')
      const noPrefix = await signer.sign(pb.body)
      expect(await rejection(open(encodeEnvelope(pb.body, noPrefix)))).toBe('BadSignatureError')
      expect(await rejection(open(EnvelopePb.encode({ body: pb.body, signature: pb.signature.subarray(0, 63) })))).toBe('MalformedEnvelopeError')
    })

    it('forged author: names A, signed by B', async () => {
      const body = encodeBody(base, signer.publicKey)
      const forged = encodeEnvelope(body, await other.sign(signingBytes(body)))
      expect(await rejection(open(forged))).toBe('BadSignatureError')
    })

    it('author field that is not an Ed25519 key, or not the expected author', async () => {
      expect(await rejection(open(await signedBody({ author: new Uint8Array(33) })))).toBe('AuthorMismatchError')
      const env = await sealEnvelope(base, signer, crypto)
      expect(await rejection(open(env.bytes, { author: authorIdFromKey(other.publicKey) }))).toBe('AuthorMismatchError')
      await expect(open(env.bytes, { author: authorIdFromKey(signer.publicKey) })).resolves.toBeDefined()
    })

    it('wrong network, wrong topic (cross-network and cross-topic replay)', async () => {
      const env = await sealEnvelope(base, signer, crypto)
      expect(await rejection(openEnvelope(env.bytes, { crypto, network: 'another' }))).toBe('WrongNetworkError')
      expect(await rejection(open(env.bytes, { topic: 'other-room' }))).toBe('WrongTopicError')
    })

    it('unsupported version', async () => {
      expect(await rejection(open(await signedBody({ version: 2 })))).toBe('UnsupportedVersionError')
      expect(await rejection(open(await signedBody({ version: 0 })))).toBe('UnsupportedVersionError')
    })

    it('seq out of range: 0, 2^53, 2^64 - 1; dependency seq 0 and 2^53', async () => {
      expect(await rejection(open(await signedBody({ seq: 0n })))).toBe('SeqOutOfRangeError')
      expect(await rejection(open(await signedBody({ seq: 2n ** 53n })))).toBe('SeqOutOfRangeError')
      expect(await rejection(open(await signedBody({ seq: 2n ** 64n - 1n })))).toBe('SeqOutOfRangeError')
      await expect(open(await signedBody({ seq: 2n ** 53n - 1n }))).resolves.toMatchObject({ seq: Number.MAX_SAFE_INTEGER })
      expect(await rejection(open(await signedBody({ depSeqs: [0n] })))).toBe('SeqOutOfRangeError')
      expect(await rejection(open(await signedBody({ depSeqs: [2n ** 53n] })))).toBe('SeqOutOfRangeError')
      for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
        await expect(sealEnvelope({ ...base, seq: bad }, signer, crypto)).rejects.toHaveProperty('name', 'InvalidArgumentError')
      }
    })

    it('too many dependencies, refused before the list is built', async () => {
      const n = 2000
      const body = await signedBody({ depTags: new Uint8Array(n * 8).map((_, i) => i % 251), depSeqs: Array.from({ length: n }, () => 1n) })
      expect(await rejection(open(body, { limits: { maxEnvelopeBytes: 1 << 20 } }))).toBe('TooManyDepsError')
      const onlySeqs = await signedBody({ depTags: new Uint8Array(8), depSeqs: Array.from({ length: 1025 }, () => 1n) })
      expect(await rejection(open(onlySeqs))).toBe('TooManyDepsError')
    })

    it('inconsistent or self-referencing dependencies', async () => {
      expect(await rejection(open(await signedBody({ depTags: new Uint8Array(7) })))).toBe('MalformedEnvelopeError')
      expect(await rejection(open(await signedBody({ depTags: new Uint8Array(16), depSeqs: [1n] })))).toBe('MalformedEnvelopeError')
      expect(await rejection(open(await signedBody({ depTags: new Uint8Array(16), depSeqs: [1n, 2n] })))).toBe('MalformedEnvelopeError')
      const own = signer.publicKey.subarray(0, 8)
      expect(await rejection(open(await signedBody({ depTags: Uint8Array.from(own), depSeqs: [1n] })))).toBe('MalformedEnvelopeError')
    })

    it('empty topic, oversize topic, network and content type', async () => {
      expect(await rejection(openEnvelope(await signedBody({ topic: '' }), { crypto, network: NETWORK }))).toBe('MalformedEnvelopeError')
      expect(await rejection(openEnvelope(await signedBody({ topic: 'x'.repeat(257) }), { crypto, network: NETWORK }))).toBe('MalformedEnvelopeError')
      expect(await rejection(open(await signedBody({ network: 'n'.repeat(65) })))).toBe('MalformedEnvelopeError')
      expect(await rejection(open(await signedBody({ contentType: 'c'.repeat(129) })))).toBe('MalformedEnvelopeError')
    })
  })

  it('random bytes give a typed error and nothing else (fuzz)', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
      let error: unknown
      try {
        await open(bytes)
      } catch (err) {
        error = err
      }
      expect(error, 'random bytes were accepted').toBeDefined()
      expect(isRejection(error)).toBe(true)
    }), { numRuns: 3000 })
  })

  it('mutated valid envelopes are accepted unchanged or rejected with a typed error (fuzz)', async () => {
    const env = await sealEnvelope(base, signer, crypto)
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.nat(env.bytes.length - 1),
      async (flips, cut) => {
        const bytes = Uint8Array.from(env.bytes)
        for (const [at, mask] of flips) bytes[at % bytes.length]! ^= mask
        for (const candidate of [bytes, env.bytes.subarray(0, cut)]) {
          let error: unknown
          try {
            await open(candidate)
          } catch (err) {
            error = err
          }
          if (equalBytes(candidate, env.bytes)) {
            expect(error).toBeUndefined() // two flips of one byte with one mask undo each other
            continue
          }
          expect(error, `mutated envelope accepted: ${toHex(candidate)}`).toBeDefined()
          expect(isRejection(error)).toBe(true)
        }
      }
    ), { numRuns: 1000, seed: 0xc0dec, examples: [[[[0, 1], [0, 1]], 0]] })
  })

  it('an opened envelope owns its bytes: reusing the chunk it was read from changes nothing, and does not stay alive through it', async () => {
    const env = await sealEnvelope({ ...base, payload: utf8('kept') }, signer, crypto)
    // as a stream hands it over: a view into a larger chunk
    const chunk = new Uint8Array(env.bytes.length + 1000)
    chunk.set(env.bytes, 500)
    const opened = await openEnvelope(chunk.subarray(500, 500 + env.bytes.length), { crypto, network: NETWORK })
    chunk.fill(0)
    expect(opened.id).toBe(env.id)
    expect(opened.bytes).toEqual(env.bytes)
    expect(new TextDecoder().decode(opened.payload)).toBe('kept')
    for (const view of [opened.bytes, opened.body, opened.payload, opened.signature, opened.authorKey]) {
      expect(view.buffer.byteLength).toBe(env.bytes.length)
    }
    // a whole buffer is taken as it is
    const whole = Uint8Array.from(env.bytes)
    expect((await openEnvelope(whole, { crypto, network: NETWORK })).bytes).toBe(whole)
  })

  it('counts the causal context bytes as encoded', () => {
    const context = { full: false, deps: [{ tag: '0102030405060708', seq: 300 }, { tag: '1102030405060708', seq: 5 }] }
    const withDeps = encodeBody({ ...base, context }, signer.publicKey)
    const without = encodeBody({ ...base, context: { full: false, deps: [] } }, signer.publicKey)
    expect(contextWireBytes(context)).toBe(withDeps.length - without.length)
    const full = { full: true, deps: context.deps }
    expect(contextWireBytes(full)).toBe(encodeBody({ ...base, context: full }, signer.publicKey).length - without.length)
  })
})

it('decodeEnvelope alone validates without crypto', () => {
  expect(() => decodeEnvelope(Uint8Array.of(1, 2, 3))).toThrow(expect.objectContaining({ name: 'MalformedEnvelopeError' }))
})
