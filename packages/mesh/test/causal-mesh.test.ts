/**
 * (a) 6 peers, 4 of them publishing 500 messages each at once: every peer
 * delivers all 2,000 exactly once, in an order that respects happened-before
 * as this test computes it from what each publisher had delivered when it
 * published (never from weft's clocks). Again with the receive caches at one entry each: they
 * save work, never decide correctness.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, connect, until } from './helpers.ts'
import type { WeftPeer } from '../src/peer.ts'
import type { NodePeerInit } from '../src/presets/node.ts'

const cluster = new Cluster()
afterAll(async () => { await cluster.stop() })

/**
 * `publishers` of `n` peers (a ring with two chords, so messages are forwarded) publish `each`
 * messages at once; every peer must deliver all of them once, in happened-before order.
 */
async function concurrentPublish (n: number, publishers: number, each: number, init: Partial<NodePeerInit> = {}): Promise<void> {
  const total = publishers * each
  const peers: WeftPeer[] = []
  for (let i = 0; i < n; i++) peers.push(await cluster.add(init))
  for (let i = 0; i < n; i++) await connect(peers[i]!, peers[(i + 1) % n]!)
  await connect(peers[0]!, peers[Math.floor(n / 2)]!)
  await connect(peers[1]!, peers[Math.floor(n / 2) + 1]!)
  const topics = await Promise.all(peers.map(p => p.topic('room')))
  const delivered = peers.map(() => [] as string[])
  topics.forEach((t, i) => t.subscribe(m => { delivered[i]!.push(m.id) }))
  await new Promise(resolve => setTimeout(resolve, 1500)) // let gossipsub build its mesh
  /** What each message's author had delivered when it published it. */
  const before = new Map<string, string[]>()
  const order: string[] = []
  const started = Date.now()
  await Promise.all(Array.from({ length: publishers }, async (_, i) => {
    for (let k = 0; k < each; k++) {
      const snapshot = [...delivered[i]!]
      const { id } = await topics[i]!.publish(`p${i} m${k}`)
      before.set(id, snapshot)
      order.push(id)
      if (k % 50 === 0) await new Promise(resolve => setTimeout(resolve, 5)) // let others' messages arrive in between
    }
  }))
  const published = Date.now()
  await until(() => delivered.every(d => d.length >= total), 60_000, 'all deliveries')
  console.log(`published ${total} in ${published - started} ms; all delivered at ${n} peers ${Date.now() - started} ms after the first publish`)
  await new Promise(resolve => setTimeout(resolve, 300))
  // Happened-before is the transitive closure of these direct edges (d was delivered at the
  // author of m before m was published). A total delivery order respects the closure exactly
  // when it respects every direct edge, so checking the direct edges is enough.
  const ancestorsOf = (id: string): string[] => before.get(id) ?? []
  let edges = 0
  for (const [p, list] of delivered.entries()) {
    expect(list.length, `peer ${p} delivered count`).toBe(total)
    expect(new Set(list).size, `peer ${p} duplicates`).toBe(total)
    const at = new Map(list.map((id, i) => [id, i]))
    const violations: string[] = []
    for (const id of order) {
      for (const dep of ancestorsOf(id)) {
        edges++
        if (!(at.get(dep)! < at.get(id)!)) violations.push(`${dep} after ${id}`)
      }
    }
    expect(violations, `peer ${p} causal violations`).toEqual([])
  }
  expect(edges).toBeGreaterThan(total) // the publishers really read each other
}

describe('causal delivery across a mesh', () => {
  it('delivers 4 x 500 concurrent messages once each, in happened-before order, at 6 peers', async () => {
    await concurrentPublish(6, 4, 500)
  }, 120_000)

  it('with receive caches of one entry each (PeerInit.caches), 3 x 200 concurrent messages still arrive once each, in happened-before order, at 4 peers', async () => {
    await concurrentPublish(4, 3, 200, { caches: { seenIds: 1, recentDelivered: 1, clockCache: 1 } })
  }, 120_000)

  it('a message depends on what its author finished handling, not on what was only received (C10 seed 72)', async () => {
    const [p, q] = [await cluster.add(), await cluster.add()]
    await connect(p, q)
    const [tp, tq] = await Promise.all([p.topic('seen'), q.topic('seen')])
    let open!: () => void
    const gate = new Promise<void>(resolve => { open = resolve })
    const atP: number[] = []
    // p's handler is still busy with q1 while q2 arrives and is stored
    tp.subscribe(async m => {
      if (m.author === q.me && m.seq === 1) await gate
      if (m.author === q.me) atP.push(m.seq)
    })
    const atQ: Array<{ author: string, seq: number, deps: Record<string, number> }> = []
    tq.subscribe(m => { atQ.push({ author: m.author, seq: m.seq, deps: m.deps }) })
    await new Promise(resolve => setTimeout(resolve, 1500)) // the gossip mesh forms
    await tq.publish('q1')
    await tq.publish('q2')
    await until(() => (tp.held.get(q.me) ?? 0) === 2, 10_000, 'p stores q1 and q2')
    expect(atP).toEqual([])
    await tp.publish('p1') // p has handled nothing of q's: p1 depends on none of it
    await until(() => atQ.some(m => m.author === p.me), 10_000, 'p1 at q')
    expect(atQ.find(m => m.author === p.me)!.deps).toEqual({})
    open()
    await until(() => atP.length === 2, 10_000, 'p handles q1 and q2')
    await tp.publish('p2') // now it has
    await until(() => atQ.some(m => m.author === p.me && m.seq === 2), 10_000, 'p2 at q')
    expect(atQ.find(m => m.author === p.me && m.seq === 2)!.deps).toEqual({ [q.me]: 2 })
  }, 30_000)

  it('refuses cache sizes that are not whole numbers of at least 1', async () => {
    for (const caches of [{ seenIds: 0 }, { clockCache: 1.5 }, { recentDelivered: -1 }]) {
      await expect(cluster.add({ caches })).rejects.toThrow(RangeError)
    }
  })
})
