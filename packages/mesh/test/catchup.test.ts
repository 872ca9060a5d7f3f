/**
 * (b) A peer stops while the others publish 5,000 messages; it restarts on
 * its data folder and catches up fully, in causal order, once each.
 * (d) 10% of gossip deliveries are dropped on receipt: every message still
 * arrives, in order, through repair. And duplicated and delayed (reordered)
 * on receipt: the TCP proxy of the chaos harness cannot duplicate or reorder
 * (TCP hides both), so this is where weft's dedupe and causal buffer see them
 * on the gossip path.
 */
import { prng } from '@weft/test-suites/prng'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, addr, connect, until } from './helpers.ts'
import type { GossipFault, WeftPeer } from '../src/peer.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

function seqsInOrder (list: Array<{ author: string, seq: number }>): boolean {
  const last = new Map<string, number>()
  for (const m of list) {
    if (m.seq !== (last.get(m.author) ?? 0) + 1) return false
    last.set(m.author, m.seq)
  }
  return true
}

describe('catch-up and repair', () => {
  it('(b) a peer that was stopped catches up 5,000 messages after a restart', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const b = await cluster.add()
    const dir = cluster.dir()
    let c: WeftPeer = await cluster.add({ dataDir: dir, bootstrap: [addr(a)] })
    await connect(a, b)
    const [ta, tb] = await Promise.all([a.topic('log'), b.topic('log')])
    let tc = await c.topic('log')
    const before: Array<{ author: string, seq: number }> = []
    tc.subscribe(m => { before.push({ author: m.author, seq: m.seq }) })
    await until(() => c.libp2p.getConnections().length > 0, 10_000, 'c connected')
    await ta.publish('first')
    await until(() => before.length === 1, 10_000, 'first message at c')
    await c.stop()
    cluster.peers.splice(cluster.peers.indexOf(c), 1)
    await Promise.all([ta, tb].map(async (t, i) => {
      for (let n = 0; n < 2500; n++) await t.publish(`${i}:${n}`)
    }))
    const after: Array<{ author: string, seq: number }> = []
    const t0 = Date.now()
    c = await cluster.add({ dataDir: dir, bootstrap: [addr(a)] })
    tc = await c.topic('log')
    tc.subscribe(m => { after.push({ author: m.author, seq: m.seq }) })
    await until(() => after.length >= 5000, 60_000, 'catch-up')
    const ms = Date.now() - t0
    console.log(`(b) caught up 5,000 messages in ${ms} ms (${Math.round(5000 / (ms / 1000))} msg/s), restart included`)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(after).toHaveLength(5000)
    expect(new Set(after.map(m => `${m.author}/${m.seq}`)).size).toBe(5000)
    expect(after.some(m => m.author === a.me && m.seq === 1)).toBe(false) // delivered before the stop, never again
    expect(seqsInOrder([{ author: a.me, seq: 1 }, ...after])).toBe(true)
  }, 120_000)

  it('(b) catch-up of full-size messages: 150 × 64 KiB, more than one sync frame can hold at 64 per frame', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const ta = await a.topic('big')
    const payload = (n: number): Uint8Array => new Uint8Array(64 * 1024).fill(n % 251)
    for (let n = 0; n < 150; n++) await ta.publish(payload(n))
    const c = await cluster.add({ bootstrap: [addr(a)] })
    const rejected: string[] = []
    c.addEventListener('message:rejected', e => { rejected.push(e.detail.reason) })
    const got: number[] = []
    ;(await c.topic('big')).subscribe(m => {
      expect(m.payload.length).toBe(64 * 1024)
      expect(m.payload[0]).toBe((m.seq - 1) % 251)
      got.push(m.seq)
    })
    await until(() => got.length === 150, 30_000, 'catch-up of 150 × 64 KiB')
    expect(got).toEqual(Array.from({ length: 150 }, (_, i) => i + 1))
    expect(rejected).toEqual([])
  }, 60_000)

  /** Three peers in a chain, each with `fault` on its gossip receive path; the two ends publish 300 each. Returns what each delivered. */
  async function chainOfThree (fault: () => GossipFault | undefined, topic: string): Promise<Array<Array<{ author: string, seq: number }>>> {
    cluster = new Cluster()
    const peers = [await cluster.add({ gossipFault: fault }), await cluster.add({ gossipFault: fault }), await cluster.add({ gossipFault: fault })]
    await connect(peers[0]!, peers[1]!)
    await connect(peers[1]!, peers[2]!)
    const topics = await Promise.all(peers.map(p => p.topic(topic)))
    const got = peers.map(() => [] as Array<{ author: string, seq: number }>)
    topics.forEach((t, i) => t.subscribe(m => { got[i]!.push({ author: m.author, seq: m.seq }) }))
    await new Promise(resolve => setTimeout(resolve, 1000))
    await Promise.all([0, 2].map(async (i) => {
      for (let n = 0; n < 300; n++) await topics[i]!.publish(`${i}:${n}`)
    }))
    await until(() => got.every(g => g.length >= 600), 30_000, `all 600 messages at every peer (${topic})`)
    return got
  }

  it('(d) with 10% of gossip dropped on receipt, everything still arrives in order', async () => {
    let dropped = 0
    const got = await chainOfThree(() => {
      const drop = Math.random() < 0.1
      if (drop) dropped++
      return drop ? 'drop' : undefined
    }, 'lossy')
    expect(dropped).toBeGreaterThan(20)
    for (const g of got) {
      expect(g).toHaveLength(600)
      expect(new Set(g.map(m => `${m.author}/${m.seq}`)).size).toBe(600)
      expect(seqsInOrder(g)).toBe(true)
    }
  }, 60_000)

  it('(d) with gossip duplicated (10%) and delayed by up to 400 ms (20%, so later messages overtake) on receipt, every message arrives once, in order', async () => {
    const rand = prng(0xd0d)
    const faults = { duplicate: 0, delay: 0 }
    const got = await chainOfThree(() => {
      const r = rand()
      if (r < 0.1) { faults.duplicate++; return 'duplicate' }
      if (r < 0.3) { faults.delay++; return { delayMs: Math.floor(rand() * 400) } }
      return undefined
    }, 'shaky')
    await new Promise(resolve => setTimeout(resolve, 600)) // the longest delay, and then some: no late duplicate
    expect(faults.duplicate).toBeGreaterThan(20)
    expect(faults.delay).toBeGreaterThan(40)
    for (const g of got) {
      expect(g).toHaveLength(600)
      expect(new Set(g.map(m => `${m.author}/${m.seq}`)).size).toBe(600)
      expect(seqsInOrder(g)).toBe(true)
    }
  }, 60_000)
})
