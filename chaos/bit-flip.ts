// The bit-flip fault for a stopped node's SQLite store (RELIABILITY.md 10.2, "nemesis disk";
// row 30): one bit of one stored message record is flipped, the way a failing disk or a stray
// write would. It picks, where there is one, a message the node stored but had not delivered
// yet, so that its delivery has to wait for the repair, and never one of the node's own
// messages (their only copy may be this one; the checkers would rightly count it lost).
import { join } from 'node:path'
import { WeftStore } from '@weft/core'
import { SqliteStore } from '@weft/storage-sqlite'

export interface BitFlip {
  topic: string
  author: string
  seq: number
  /** Whether the node had delivered that message before it stopped. */
  delivered: boolean
  bit: number
}

/** Flips one bit in one message record of the store in `dataDir`; undefined when it holds no other author's message. */
export async function flipBit (dataDir: string, own: string | undefined, rand: () => number): Promise<BitFlip | undefined> {
  const adapter = SqliteStore.open({ path: join(dataDir, 'weft.db') })
  try {
    const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => globalThis.crypto.randomUUID() })
    const candidates: Array<{ key: string[], value: Uint8Array, delivered: boolean }> = []
    for (const topic of await store.topics()) {
      const delivered = await store.delivered(topic)
      for (const e of await adapter.range(['msg', topic])) {
        const author = e.key[2]!
        if (author === own) continue
        candidates.push({ key: [...e.key], value: e.value, delivered: Number(e.key[3]) <= (delivered.get(author) ?? 0) })
      }
    }
    const fresh = candidates.filter(c => !c.delivered)
    const pool = fresh.length > 0 ? fresh : candidates
    if (pool.length === 0) return undefined
    const victim = pool[Math.floor(rand() * pool.length)]!
    const flipped = Uint8Array.from(victim.value)
    const bit = Math.floor(rand() * flipped.length * 8)
    flipped[bit >> 3]! ^= 1 << (bit & 7)
    await adapter.write([{ type: 'put', key: victim.key, value: flipped }])
    return { topic: victim.key[1]!, author: victim.key[2]!, seq: Number(victim.key[3]), delivered: victim.delivered, bit }
  } finally {
    await adapter.close()
  }
}
