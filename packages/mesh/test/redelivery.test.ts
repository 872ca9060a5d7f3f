/**
 * P2 of RELIABILITY.md: a message is delivered at most once per process; after a restart it
 * may come again only flagged `redelivered`, and never once `delivery:persisted` covered it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, addr, until } from './helpers.ts'
import type { WeftPeer } from '../src/peer.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

describe('redelivery across restarts', () => {
  it('flags what was stored before a restart and not recorded as delivered; never repeats what was', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const dir = cluster.dir()
    const restart = async (old?: WeftPeer): Promise<WeftPeer> => {
      if (old !== undefined) {
        await old.stop()
        cluster.peers.splice(cluster.peers.indexOf(old), 1)
      }
      const p = await cluster.add({ dataDir: dir, bootstrap: [addr(a)] })
      await until(() => p.sessionCount > 0, 10_000, 'b connected to a')
      return p
    }
    const ta = await a.topic('t')
    // b stores 10 messages with nobody subscribed: stored, never handed to an application
    let b = await restart()
    const tb = await b.topic('t')
    for (let i = 1; i <= 10; i++) await ta.publish(`m${i}`)
    await until(() => (tb.held.get(a.me) ?? 0) === 10, 10_000, 'b stored 10')
    // after a restart they are delivered, each flagged: b cannot know whether an app saw them
    b = await restart(b)
    const seen: Array<{ seq: number, redelivered: boolean }> = []
    const persisted: number[] = []
    b.addEventListener('delivery:persisted', (e) => { for (const x of e.detail.entries) if (x.author === a.me) persisted.push(x.seq) })
    ;(await b.topic('t')).subscribe(m => { seen.push({ seq: m.seq, redelivered: m.redelivered }) })
    await until(() => seen.length === 10, 10_000, '10 deliveries')
    expect(seen.every(m => m.redelivered)).toBe(true)
    // a message that arrives in this process's lifetime is not flagged
    await ta.publish('m11')
    await until(() => seen.length === 11 && Math.max(...persisted) === 11, 10_000, 'm11 delivered and persisted')
    expect(seen[10]).toEqual({ seq: 11, redelivered: false })
    // recorded as delivered: a restart delivers none of them again
    b = await restart(b)
    const again: number[] = []
    ;(await b.topic('t')).subscribe(m => { again.push(m.seq) })
    await ta.publish('m12')
    await until(() => again.length >= 1, 10_000, 'm12 at b')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(again).toEqual([12])
  })
})
