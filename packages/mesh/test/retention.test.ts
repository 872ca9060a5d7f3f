/**
 * Retention (DESIGN.md "Retention"): a topic keeps its history within its limits. Real peers
 * over TCP on 127.0.0.1, SQLite stores on disk.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, addr, connect, until } from './helpers.ts'
import type { TopicHandle, WeftPeer } from '../src/peer.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

const PRUNE_MS = 200

async function count (peer: WeftPeer, topic: string): Promise<number> {
  return (await peer.store.stats(topic)).count
}

/** Publishes `m<from>`…`m<to>` and waits for every custody ack. */
async function publishAcked (topic: TopicHandle, from: number, to: number): Promise<void> {
  const published = []
  for (let i = from; i <= to; i++) published.push(await topic.publish(`m${i}`))
  await Promise.all(published.map(async p => await p.acked))
}

describe('retention', () => {
  it('a relay keeps the last 100 of 300 messages; a late peer that reaches only the relay starts after what is gone, in order, without stalling', async () => {
    cluster = new Cluster()
    const pub = await cluster.add()
    const relay = await cluster.add({ dataDir: cluster.dir(), retention: { maxCount: 100 }, pruneIntervalMs: PRUNE_MS })
    await connect(pub, relay)
    const [tp, tr] = await Promise.all([pub.topic('r'), relay.topic('r')])
    expect(tr.retention).toEqual({ maxCount: 100 })
    let pruned = 0
    relay.addEventListener('messages:pruned', e => { pruned += e.detail.count })
    await publishAcked(tp, 1, 300)
    await until(async () => await count(relay, 'r') === 100, 10_000, 'the relay pruned to 100')
    expect(pruned).toBe(200)
    expect(tr.held.get(pub.me)).toBe(300) // held does not move: its custody ack stays
    await pub.stop()
    const late = await cluster.add({ bootstrap: [addr(relay)] })
    const tl = await late.topic('r')
    const got: number[] = []
    tl.subscribe(m => { got.push(m.seq) })
    await until(() => got.length >= 100, 20_000, 'the late peer got what the relay keeps')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => 201 + i))
    expect(tl.buffered.messages).toBe(0)
  }, 60_000)

  it('a peer connected to the relay all along hears of the new oldest seqs: opening the topic later, it starts after what is gone', async () => {
    cluster = new Cluster()
    const pub = await cluster.add()
    const relay = await cluster.add({ dataDir: cluster.dir(), retention: { maxCount: 100 }, pruneIntervalMs: PRUNE_MS })
    const watcher = await cluster.add()
    await connect(pub, relay)
    await connect(watcher, relay)
    const [tp] = await Promise.all([pub.topic('w'), relay.topic('w')])
    await until(() => watcher.libp2p.getConnections().length > 0, 10_000, 'watcher connected')
    await new Promise(resolve => setTimeout(resolve, 300)) // the relay's Hello, oldest 1 for every author
    await publishAcked(tp, 1, 300)
    await until(async () => await count(relay, 'w') === 100, 10_000, 'the relay pruned to 100')
    await pub.stop()
    await new Promise(resolve => setTimeout(resolve, 300))
    const tw = await watcher.topic('w')
    const got: number[] = []
    tw.subscribe(m => { got.push(m.seq) })
    await until(() => got.length >= 100, 10_000, 'the watcher got what the relay keeps')
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => 201 + i))
  }, 60_000)

  it('never drops what a subscriber has not finished: 190 stored while it was unsubscribed stay until it takes them, then the store shrinks to the limit', async () => {
    cluster = new Cluster()
    const pub = await cluster.add()
    const sub = await cluster.add({ dataDir: cluster.dir(), retention: { maxCount: 10 }, pruneIntervalMs: PRUNE_MS })
    await connect(pub, sub)
    const [tp, ts] = await Promise.all([pub.topic('s'), sub.topic('s')])
    const got: number[] = []
    const unsubscribe = ts.subscribe(m => { got.push(m.seq) })
    await publishAcked(tp, 1, 10)
    await until(() => got.length === 10, 10_000, 'the first 10 delivered')
    unsubscribe()
    await publishAcked(tp, 11, 200) // acked: stored at sub, not delivered there
    await new Promise(resolve => setTimeout(resolve, PRUNE_MS * 5)) // several prunes ran
    const kept = await sub.store.read('s', pub.me, 1, 200)
    expect(kept.messages.map(m => m.seq)).toEqual(Array.from({ length: 190 }, (_, i) => 11 + i))
    ts.subscribe(m => { got.push(m.seq) })
    await until(() => got.length === 200, 20_000, 'all 200 delivered')
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    await until(async () => await count(sub, 's') === 10, 10_000, 'pruned to 10 once taken')
    const { messages } = await sub.store.read('s', pub.me, 1, 200)
    expect(messages.map(m => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 191 + i))
  }, 60_000)

  it('a peer that pruned with no subscriber, restarted, delivers from its oldest message on: no gap holds it up', async () => {
    cluster = new Cluster()
    const pub = await cluster.add()
    const dir = cluster.dir()
    let keeper = await cluster.add({ dataDir: dir, retention: { maxCount: 50 }, pruneIntervalMs: PRUNE_MS })
    await connect(pub, keeper)
    const [tp] = await Promise.all([pub.topic('k'), keeper.topic('k')])
    await publishAcked(tp, 1, 120)
    await until(async () => await count(keeper, 'k') === 50, 10_000, 'pruned to 50')
    await pub.stop()
    await keeper.stop()
    cluster.peers.splice(cluster.peers.indexOf(keeper), 1)
    // restarted alone, with nobody to sync from; its retention is the one stored with the topic
    keeper = await cluster.add({ dataDir: dir })
    const tk = await keeper.topic('k')
    expect(tk.retention).toEqual({ maxCount: 50 })
    const got: number[] = []
    tk.subscribe(m => { got.push(m.seq) })
    await until(() => got.length >= 50, 10_000, 'the 50 kept delivered')
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i))
  }, 60_000)

  it('a topic sets its own retention, and bad limits are refused with RangeError', async () => {
    cluster = new Cluster()
    await expect(cluster.add({ retention: { maxCount: -1 } })).rejects.toThrow(RangeError)
    const peer = await cluster.add({ retention: { maxBytes: 1_000_000 } })
    const t = await peer.topic('own', { retention: { maxAgeMs: 60_000 } })
    expect(t.retention).toEqual({ maxAgeMs: 60_000 })
    expect(await peer.store.retention('own')).toEqual({ maxAgeMs: 60_000 })
    expect((await peer.topic('other')).retention).toEqual({ maxBytes: 1_000_000 })
    await expect(peer.topic('own', { retention: { maxAgeMs: 0 } })).rejects.toThrow(RangeError)
    await expect(peer.topic('own', { retention: { maxCount: 1.5 } })).rejects.toThrow(/maxCount must be a whole number/)
    expect(t.retention).toEqual({ maxAgeMs: 60_000 })
  })
})
