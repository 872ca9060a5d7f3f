// Child process of crash.test.ts: appends to a SQLite WeftStore as fast as it can and
// prints one line per commit, only after the write resolved. The parent kills it with
// SIGKILL at random moments and checks that every printed commit survived.
//   node crash-writer.ts <db path> <seed>
import { WeftStore, authorIdFromKey, sealEnvelope } from '@weft/core'
import { nodeCrypto, nodeSigner } from '@weft/crypto-node'
import { SqliteStore } from '@weft/storage-sqlite'

const [path, seedArg] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: crash-writer.ts <db path> <seed>')
const crypto = nodeCrypto()
const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const me = nodeSigner(key(1))
const other = nodeSigner(key(2))
const meId = authorIdFromKey(me.publicKey)
const otherId = authorIdFromKey(other.publicKey)
let rand = Number(seedArg ?? 1) >>> 0
const next = (): number => {
  rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0
  return rand / 2 ** 32
}

const store = await WeftStore.open(SqliteStore.open({ path }), { now: Date.now, randomId: () => String(process.pid) })
if (await store.authorOrigin(meId) === undefined) await store.createIdentity('default', key(1), meId)
const seal = async (signer: typeof me, seq: number): Promise<Awaited<ReturnType<typeof sealEnvelope>>> =>
  await sealEnvelope({ network: 'crash', topic: 'c', seq, time: Date.now(), context: { full: false, deps: [] }, payload: new Uint8Array(256 + Math.floor(next() * 2048)).fill(seq & 0xff) }, signer, crypto)

process.stdout.write('ready\n')
for (;;) {
  const held = await store.held('c')
  if (next() < 0.5) {
    const seq = (held.get(meId) ?? 0) + 1
    await store.appendOwn(await seal(me, seq), { id: 'x', seq, state: 'queued', attempts: 0, createdAt: 0, nextAttemptAt: 0, expiresAt: 1e15, ackedBy: [] })
    process.stdout.write(`own ${seq}\n`)
  } else {
    const from = (held.get(otherId) ?? 0) + 1
    const n = 1 + Math.floor(next() * 64)
    const batch = []
    for (let s = from; s < from + n; s++) batch.push(await seal(other, s))
    await store.appendReceived('c', batch)
    process.stdout.write(`batch ${from + n - 1}\n`)
  }
}
