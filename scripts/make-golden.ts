// Writes docs/golden/envelope-v1.json: fixed inputs signed with fixed seeds
// (Ed25519 is deterministic), with the exact bytes and id they must produce;
// docs/golden/batch-v1.json: a batch of three under one batch signature; and
// docs/golden/packed-v1.json: a packed sync frame of five of them.
// Run only after a deliberate wire change: `npm run build && node scripts/make-golden.ts`.
// The codec test checks the committed file against the code, both ways.
import { writeFileSync } from 'node:fs'
import { authorIdFromKey, batchRoot, decodeEnvelope, fromHex, nobleCrypto, nobleSigner, sealBatch, sealEnvelope, toHex, utf8 } from '@weft/core'

interface GoldenInput {
  network: string
  topic: string
  seq: number
  time: number
  full: boolean
  deps: Array<{ tag: string, seq: number }>
  payloadHex: string
  contentType: string
}

const cases: Array<{ name: string, seed: string, input: GoldenInput }> = [
  {
    name: 'first message, no dependencies',
    seed: '01'.repeat(32),
    input: { network: 'weft-golden', topic: 'chat', seq: 1, time: 1_764_000_000_000, full: false, deps: [], payloadHex: toHex(utf8('hello, weft')), contentType: 'text/plain' }
  },
  {
    name: 'heads: two dependencies',
    seed: '02'.repeat(32),
    input: { network: 'weft-golden', topic: 'chat', seq: 7, time: 1_764_000_001_000, full: false, deps: [{ tag: '0011223344556677', seq: 3 }, { tag: 'a0b1c2d3e4f50617', seq: 300 }], payloadHex: toHex(utf8('{"text":"reply"}')), contentType: 'application/json' }
  },
  {
    name: 'full context, binary payload, largest seq, non-ASCII topic',
    seed: '03'.repeat(32),
    input: { network: 'weft-golden', topic: 'telemetry/é', seq: Number.MAX_SAFE_INTEGER, time: 0, full: true, deps: [{ tag: 'ffffffffffffffff', seq: Number.MAX_SAFE_INTEGER }], payloadHex: '000102fdfeff', contentType: '' }
  }
]

const crypto = nobleCrypto()
const vectors = []
for (const c of cases) {
  const signer = nobleSigner(fromHex(c.seed))
  const { input } = c
  const env = await sealEnvelope({
    network: input.network,
    topic: input.topic,
    seq: input.seq,
    time: input.time,
    context: { full: input.full, deps: input.deps },
    payload: fromHex(input.payloadHex),
    contentType: input.contentType
  }, signer, crypto)
  vectors.push({ ...c, publicKey: toHex(signer.publicKey), author: authorIdFromKey(signer.publicKey), envelope: toHex(env.bytes), id: env.id })
}
const doc = {
  description: 'weft envelope wire format v1: golden vectors. Signing bytes = "weft-envelope:" || body; id = hex SHA-256 of the envelope bytes. See docs/PROTOCOL.md.',
  vectors
}
const out = new URL('../docs/golden/envelope-v1.json', import.meta.url)
writeFileSync(out, JSON.stringify(doc, null, 2) + '\n')
console.log(`wrote ${out.pathname}`)

const batchSeed = '04'.repeat(32)
const batchInputs = ['one', 'two', 'three'].map((text, i) => ({
  network: 'weft-golden', topic: 'chat', seq: 10 + i, time: 1_764_000_002_000 + i, full: false, deps: [] as Array<{ tag: string, seq: number }>, payloadHex: toHex(utf8(text)), contentType: ''
}))
const batchSigner = nobleSigner(fromHex(batchSeed))
const batch = await sealBatch(batchInputs.map(input => ({
  network: input.network, topic: input.topic, seq: input.seq, time: input.time, context: { full: input.full, deps: input.deps }, payload: fromHex(input.payloadHex), contentType: input.contentType
})), batchSigner, crypto)
const first = decodeEnvelope(batch[0]!.bytes)
const batchDoc = {
  description: 'weft batch signatures, wire format v1: three messages under one signature over "weft-batch:" || root; leaf = SHA-256(0x00 || body), node = SHA-256(0x01 || left || right), empty slot = 32 zero bytes. See docs/PROTOCOL.md, "Batch signatures".',
  seed: batchSeed,
  publicKey: toHex(batchSigner.publicKey),
  author: authorIdFromKey(batchSigner.publicKey),
  root: toHex(batchRoot(first.body, first.batch!.path, first.batch!.index, crypto)),
  signature: toHex(first.signature),
  vectors: batch.map((env, i) => ({ input: batchInputs[i], envelope: toHex(env.bytes), id: env.id }))
}
const batchOut = new URL('../docs/golden/batch-v1.json', import.meta.url)
writeFileSync(batchOut, JSON.stringify(batchDoc, null, 2) + '\n')
console.log(`wrote ${batchOut.pathname}`)

// docs/golden/packed-v1.json: a packed sync reply (docs/PROTOCOL.md, "Packed replies") of five
// of the envelopes above, authors interleaved, and the items they are sent as. Rebuilding the
// items must give the envelopes byte for byte; which earlier envelope an item refers to is the
// sender's choice (this one: the longest shared prefix, the nearest on a tie).
const { packEnvelopes } = await import('../packages/mesh/dist/sync/packing.js') as { packEnvelopes: (e: Uint8Array[]) => Uint8Array[] }
const packedEnvelopes = [fromHex(vectors[0]!.envelope), batch[0]!.bytes, batch[1]!.bytes, fromHex(vectors[1]!.envelope), batch[2]!.bytes]
const packedDoc = {
  description: 'weft sync, packed Batch frames, v1: each item = envelope head (0x0a, body length varint) || varint back (0 = none, else the item that many places earlier) || varint shared (only when back > 0: bytes after the head copied from the referenced envelope after its head) || the rest. See docs/PROTOCOL.md, "Packed replies".',
  envelopes: packedEnvelopes.map(e => toHex(e)),
  items: packEnvelopes(packedEnvelopes).map(i => toHex(i))
}
const packedOut = new URL('../docs/golden/packed-v1.json', import.meta.url)
writeFileSync(packedOut, JSON.stringify(packedDoc, null, 2) + '\n')
console.log(`wrote ${packedOut.pathname}`)
