/**
 * (a) 6 peers, 4 of them publishing 500 messages each at once: every peer
 * delivers all 2,000 exactly once, in an order that respects happened-before
 * as this test computes it from what each publisher had delivered when it
 * published (never from weft's clocks).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, connect, until } from './helpers.ts'
import type { WeftPeer } from '../src/peer.ts'

const cluster = new Cluster()
afterAll(async () => { await cluster.stop() })

describe('causal delivery across a mesh', () => {
  it('delivers 4 x 500 concurrent messages once each, in happened-before order, at 6 peers', async () => {
    const peers: WeftPeer[] = []
    for (let i = 0; i < 6; i++) peers.push(await cluster.add())
    // a ring with two chords: messages must be forwarded
    for (let i = 0; i < 6; i++) await connect(peers[i]!, peers[(i + 1) % 6]!)
    await connect(peers[0]!, peers[3]!)
    await connect(peers[1]!, peers[4]!)
    const topics = await Promise.all(peers.map(p => p.topic('room')))
    const delivered = peers.map(() => [] as string[])
    topics.forEach((t, i) => t.subscribe(m => { delivered[i]!.push(m.id) }))
    await new Promise(resolve => setTimeout(resolve, 1500)) // let gossipsub build its mesh
    /** What each message's author had delivered when it published it. */
    const before = new Map<string, string[]>()
    const order: string[] = []
    const started = Date.now()
    await Promise.all([0, 1, 2, 3].map(async (i) => {
      for (let n = 0; n < 500; n++) {
        const snapshot = [...delivered[i]!]
        const { id } = await topics[i]!.publish(`p${i} m${n}`)
        before.set(id, snapshot)
        order.push(id)
        if (n % 50 === 0) await new Promise(resolve => setTimeout(resolve, 5)) // let others' messages arrive in between
      }
    }))
    const published = Date.now()
    await until(() => delivered.every(d => d.length >= 2000), 60_000, 'all deliveries')
    console.log(`published 2,000 in ${published - started} ms; all delivered at 6 peers ${Date.now() - started} ms after the first publish`)
    await new Promise(resolve => setTimeout(resolve, 300))
    // Happened-before is the transitive closure of these direct edges (d was delivered at the
    // author of m before m was published). A total delivery order respects the closure exactly
    // when it respects every direct edge, so checking the direct edges is enough.
    const ancestorsOf = (id: string): string[] => before.get(id) ?? []
    let edges = 0
    for (const [p, list] of delivered.entries()) {
      expect(list.length, `peer ${p} delivered count`).toBe(2000)
      expect(new Set(list).size, `peer ${p} duplicates`).toBe(2000)
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
    expect(edges).toBeGreaterThan(2000) // the publishers really read each other
  }, 120_000)
})
