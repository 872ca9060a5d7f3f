/**
 * Outbox re-sends are paced: a publisher with a backlog of unacked messages re-sends at most
 * RESEND_ROUND of them per outbox round, oldest first, a tick apart, and gets through all of them.
 * And they stand aside while a peer fetches the backlog by sync.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { OUTBOX_TICK_MS, RESEND_ROUND } from '../src/constants.ts'
import { Cluster, connect, until } from './helpers.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

describe('outbox re-sends', () => {
  it(`re-send at most ${RESEND_ROUND} messages per round, oldest first, until every one went again`, async () => {
    cluster = new Cluster()
    const alone = await cluster.add({ retry: { baseMs: 20, maxMs: 60_000 } })
    const topic = await alone.topic('r')
    const resent: Array<{ seq: number, at: number }> = []
    alone.addEventListener('message:sent', e => { if (e.detail.attempt === 2) resent.push({ seq: e.detail.seq, at: performance.now() }) })
    await Promise.all(Array.from({ length: 1000 }, async (_, i) => await topic.publish(`m${i}`)))
    await until(() => new Set(resent.map(r => r.seq)).size === 1000, 20_000, 'every message re-sent once')
    // rounds: re-sends less than half a tick apart belong to one round
    const rounds: number[] = []
    let last = -Infinity
    for (const r of resent) {
      if (r.at - last > OUTBOX_TICK_MS / 2) rounds.push(0)
      rounds[rounds.length - 1]!++
      last = r.at
    }
    expect(Math.max(...rounds)).toBeLessThanOrEqual(RESEND_ROUND)
    expect(rounds.length).toBeGreaterThanOrEqual(Math.ceil(1000 / RESEND_ROUND))
    // oldest first: seqs go out in order
    expect(resent.map(r => r.seq)).toEqual([...resent.map(r => r.seq)].sort((a, b) => a - b))
  }, 60_000)

  it('a backlog a peer fetches by sync is not sent to it again by gossip meanwhile', async () => {
    cluster = new Cluster()
    const holder = await cluster.add({ retry: { baseMs: 20, maxMs: 60_000 } })
    const topic = await holder.topic('r')
    const n = 3000
    await Promise.all(Array.from({ length: n }, async (_, i) => await topic.publish(`m${i}`)))
    await until(() => topic.outbox.some(e => e.attempts >= 3), 20_000, 'the backlog being re-sent (no peer yet)')
    const puller = await cluster.add()
    const seen = new Map<number, number>()
    const tp = await puller.topic('r')
    tp.subscribe(m => { seen.set(m.seq, (seen.get(m.seq) ?? 0) + 1) })
    let resent = 0
    holder.addEventListener('message:sent', () => { resent++ })
    await connect(holder, puller)
    await until(() => topic.outbox.length === 0, 30_000, 'the backlog fetched and acked')
    console.log(`re-sent by gossip while the peer fetched ${n} by sync: ${resent}; sync served ${holder.stats.envelopesServed}; gossip copies the puller dropped as stored: ${puller.stats.gossipReplays}`)
    expect(seen.size).toBe(n)
    expect([...seen.values()].every(c => c === 1)).toBe(true)
    // at most the one round that may go out before the puller's want arrives
    expect(resent).toBeLessThanOrEqual(RESEND_ROUND)
  }, 60_000)
})
