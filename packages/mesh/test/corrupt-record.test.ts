/**
 * RELIABILITY.md row 30: a bit flip in a stored message record. The peer detects it on read
 * (CRC-32), never delivers it or anything after it that may depend on it, reports it
 * (`store:corrupt`), fetches a sound copy from a peer that holds it, verifies it, writes it back
 * in place (`store:repaired`) and delivers the rest, in order, once. The flip is made through
 * the store adapter on the real SQLite file while the peer is stopped.
 */
import { join } from 'node:path'
import { nobleCrypto, nobleSigner, sealEnvelope, tagOfAuthor } from '@weft/core'
import { SqliteStore } from '@weft/storage-sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { packEnvelopes } from '../src/sync/packing.ts'
import { Cluster, NETWORK, until } from './helpers.ts'
import type { WeftPeer } from '../src/peer.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

/** Stops `keeper` and flips one bit inside the envelope of `author`'s record `seq` in its SQLite store; returns how many records of that author it held. */
async function stopAndFlip (keeper: WeftPeer, dir: string, topic: string, author: string, seq: number): Promise<number> {
  await keeper.stop()
  cluster.peers.splice(cluster.peers.indexOf(keeper), 1)
  const adapter = SqliteStore.open({ path: join(dir, 'weft.db') })
  const records = await adapter.range(['msg', topic, author])
  const record = records[seq - 1]!
  const flipped = Uint8Array.from(record.value)
  flipped[flipped.length - 3]! ^= 0x04
  await adapter.write([{ type: 'put', key: record.key, value: flipped }])
  await adapter.close()
  return records.length
}

describe('corrupt records', () => {
  it('row 30: a flipped bit in a stored message is detected, never delivered, fetched again from a peer, and what waited behind it is delivered in order', async () => {
    cluster = new Cluster()
    const author = await cluster.add()
    const dir = cluster.dir()
    let keeper = await cluster.add({ dataDir: dir, bootstrap: [author.libp2p.getMultiaddrs()[0]!.toString()] })
    const ta = await author.topic('c')
    const tk = await keeper.topic('c') // stores, delivers nothing: no handler yet
    for (let i = 1; i <= 20; i++) await ta.publish(`m${i}`)
    await until(() => (tk.held.get(author.me) ?? 0) === 20, 10_000, 'the keeper stores all 20')
    // flip one bit in the record of seq 10, inside the envelope
    expect(await stopAndFlip(keeper, dir, 'c', author.me, 10)).toBe(20)

    // back alone: delivers up to the damage and stops there
    keeper = await cluster.add({ dataDir: dir })
    const corrupt: Array<{ seq?: number, author?: string }> = []
    const repaired: number[] = []
    keeper.addEventListener('store:corrupt', e => { corrupt.push(e.detail) })
    keeper.addEventListener('store:repaired', e => { repaired.push(e.detail.seq) })
    const got: string[] = []
    ;(await keeper.topic('c')).subscribe(m => { got.push(m.text() ?? '') })
    await until(() => got.length === 9 && corrupt.length > 0, 10_000, 'delivery up to the corrupt record')
    expect(corrupt).toEqual([expect.objectContaining({ author: author.me, seq: 10 })])
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(got).toEqual(Array.from({ length: 9 }, (_, i) => `m${i + 1}`))

    // a peer that holds it comes back: fetched, verified, written back, the rest delivered
    await keeper.libp2p.dial(author.libp2p.getMultiaddrs()[0]!)
    await until(() => got.length === 20, 10_000, 'the rest after the repair')
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`))
    expect(repaired).toEqual([10])
    const read = await keeper.store.read('c', author.me, 1, 20)
    expect(read.corrupt).toEqual([])
    expect(read.messages.map(m => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toHaveLength(20)
  }, 60_000)

  it('row 30 across authors: a message of another author that depends on the corrupt record waits for its repair too (C10 seed 70)', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const b = await cluster.add({ bootstrap: [a.libp2p.getMultiaddrs()[0]!.toString()] })
    const dir = cluster.dir()
    let keeper = await cluster.add({ dataDir: dir, bootstrap: [a.libp2p.getMultiaddrs()[0]!.toString(), b.libp2p.getMultiaddrs()[0]!.toString()] })
    const [ta, tb, tk] = await Promise.all([a.topic('x'), b.topic('x'), keeper.topic('x')]) // the keeper stores, delivers nothing yet
    const atB: number[] = []
    tb.subscribe(m => { if (m.author === a.me) atB.push(m.seq) })
    for (let i = 1; i <= 10; i++) await ta.publish(`a${i}`)
    await until(() => atB.length === 10, 10_000, 'b delivered a1..a10')
    await tb.publish('b1') // after a10: it depends on it
    await until(() => (tk.held.get(b.me) ?? 0) === 1, 10_000, 'the keeper stores b1')
    for (let i = 11; i <= 20; i++) await ta.publish(`a${i}`)
    await until(() => (tk.held.get(a.me) ?? 0) === 20, 10_000, 'the keeper stores a1..a20')
    // a10 corrupt in the keeper's store
    await stopAndFlip(keeper, dir, 'x', a.me, 10)

    // back alone: a1..a9, and not b1, whose author had a10 when writing it
    keeper = await cluster.add({ dataDir: dir })
    const got: string[] = []
    ;(await keeper.topic('x')).subscribe(m => { got.push(m.text() ?? '') })
    await until(() => got.length >= 9, 10_000, 'delivery up to the corrupt record')
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(got).toEqual(Array.from({ length: 9 }, (_, i) => `a${i + 1}`))

    // repaired from a peer that holds it: the rest, b1 after a10
    await keeper.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
    await until(() => got.length === 21, 10_000, 'the rest after the repair')
    expect(got.indexOf('b1')).toBeGreaterThan(got.indexOf('a10'))
    expect(got.filter(t => t.startsWith('a'))).toEqual(Array.from({ length: 20 }, (_, i) => `a${i + 1}`))
  }, 60_000)

  it('row 30, live: a message that comes while the corrupt record waits, from an author with nothing else undelivered, waits for the repair too (C10 seed 72)', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const dir = cluster.dir()
    let keeper = await cluster.add({ dataDir: dir, bootstrap: [a.libp2p.getMultiaddrs()[0]!.toString()] })
    const [ta, tk] = await Promise.all([a.topic('y'), keeper.topic('y')]) // the keeper stores, delivers nothing yet
    for (let i = 1; i <= 12; i++) await ta.publish(`a${i}`)
    await until(() => (tk.held.get(a.me) ?? 0) === 12, 10_000, 'the keeper stores a1..a12')
    await stopAndFlip(keeper, dir, 'y', a.me, 10)

    // back alone: a1..a9
    keeper = await cluster.add({ dataDir: dir })
    const got: string[] = []
    ;(await keeper.topic('y')).subscribe(m => { got.push(m.text() ?? '') })
    await until(() => got.length >= 9, 10_000, 'delivery up to the corrupt record')

    // a peer that holds none of a's messages sends c1, the first message of its author, written after a10
    const c = nobleSigner(new Uint8Array(32).fill(71))
    const c1 = await sealEnvelope({ network: NETWORK, topic: 'y', seq: 1, time: 0, context: { full: false, deps: [{ tag: tagOfAuthor(a.me), seq: 10 }] }, payload: new TextEncoder().encode('c1') }, c, nobleCrypto())
    const peer = await cluster.fakeSyncPeer(keeper, f => {
      if (f.want === undefined) return
      const serve = f.want.ranges.some(r => r.author === c1.author)
      void peer.send({ batch: { topic: 'y', wantId: f.want.id, envelopes: [], packed: serve ? packEnvelopes([c1.bytes]) as Array<Uint8Array<ArrayBuffer>> : [], last: true } })
    })
    await peer.send({ hello: { network: NETWORK, topics: [{ topic: 'y', held: [{ author: c1.author, seq: 1n, head: new Uint8Array(0) }], oldest: [], full: true }] } })
    const tk2 = await keeper.topic('y')
    await until(() => (tk2.held.get(c1.author) ?? 0) === 1, 10_000, 'the keeper stores c1')
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(got).toEqual(Array.from({ length: 9 }, (_, i) => `a${i + 1}`)) // c1 waits: it depends on a10

    // repaired from a peer that holds it: a10..a12, and c1 after a10
    await keeper.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
    await until(() => got.length === 13, 10_000, 'the rest after the repair')
    expect(got.indexOf('c1')).toBeGreaterThan(got.indexOf('a10'))
    expect(got.filter(t => t.startsWith('a'))).toEqual(Array.from({ length: 12 }, (_, i) => `a${i + 1}`))
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toHaveLength(13)
  }, 60_000)
})
