import { describe, expect, it } from 'vitest'
import { Outbox } from './outbox.ts'
import { retryDelay } from './retry.ts'
import { prng } from '../testing/authors.ts'

describe('retryDelay', () => {
  it('doubles from the base, caps, and jitters within [d/2, d]', () => {
    const policy = { baseMs: 100, maxMs: 1000 }
    expect(retryDelay(1, 0, policy)).toBe(50)
    expect(retryDelay(1, 1, policy)).toBe(100)
    expect(retryDelay(2, 1, policy)).toBe(200)
    expect(retryDelay(3, 1, policy)).toBe(400)
    expect(retryDelay(10, 1, policy)).toBe(1000)
    expect(retryDelay(10_000, 0.5, policy)).toBe(750)
    const rand = prng(1)
    for (let i = 1; i < 50; i++) {
      const d = retryDelay(i, rand(), policy)
      const cap = Math.min(1000, 100 * 2 ** (i - 1))
      expect(d).toBeGreaterThanOrEqual(cap / 2)
      expect(d).toBeLessThanOrEqual(cap)
    }
  })
})

describe('Outbox', () => {
  const make = (extra = {}): Outbox => new Outbox({ random: () => 0.5, retry: { baseMs: 100, maxMs: 800 }, ttlMs: 10_000, ...extra })

  it('queued → sent with backoff → acked by quorum, cumulatively', () => {
    const box = make({ ackQuorum: 2 })
    box.add({ id: 'x1', seq: 1 }, 0)
    box.add({ id: 'x2', seq: 2 }, 0)
    box.add({ id: 'x3', seq: 3 }, 0)
    expect(box.due(0).map(e => e.seq)).toEqual([1, 2, 3])
    expect(box.markSent(1, 0)).toMatchObject({ state: 'sent', attempts: 1, nextAttemptAt: 75 })
    expect(box.due(10).map(e => e.seq)).toEqual([2, 3])
    expect(box.due(75).map(e => e.seq)).toEqual([1, 2, 3])
    expect(box.markSent(1, 75)).toMatchObject({ attempts: 2, nextAttemptAt: 75 + 150 })
    expect(box.ackUpTo('peerA', 2)).toEqual([])
    expect(box.ackUpTo('peerA', 2)).toEqual([]) // the same peer twice does not count twice
    const acked = box.ackUpTo('peerB', 3)
    expect(acked.map(e => [e.seq, e.state, e.ackedBy])).toEqual([[1, 'acked', ['peerA', 'peerB']], [2, 'acked', ['peerA', 'peerB']]])
    expect(box.inFlight).toBe(1)
    expect(box.entries()[0]).toMatchObject({ seq: 3, ackedBy: ['peerB'] })
  })

  it('an attempt scheduled further ahead than the longest backoff is due: the wall clock went back', () => {
    const box = make()
    box.add({ id: 'a', seq: 1 }, 3_600_000)
    box.markSent(1, 3_600_000) // next attempt at 3,600,075
    expect(box.due(3_600_010)).toEqual([])
    // the clock is set back an hour: 3,600,075 is an hour ahead, more than the 800 ms cap
    expect(box.due(10).map(e => e.seq)).toEqual([1])
    expect(box.due(3_599_300)).toEqual([]) // 775 ms ahead: within the cap, it waits
  })

  it('defers the range a peer is fetching by itself, once per entry, without counting an attempt', () => {
    const box = make()
    for (let s = 1; s <= 4; s++) box.add({ id: `m${s}`, seq: s }, 0)
    box.markSent(4, 0) // next attempt at 75
    expect(box.defer(2, 4, 500)).toBe(3)
    expect(box.due(100).map(e => e.seq)).toEqual([1])
    expect(box.get(2)).toMatchObject({ attempts: 0, nextAttemptAt: 500 })
    expect(box.due(500).map(e => e.seq)).toEqual([1, 2, 3, 4])
    // the same peer (or another) asks again: no entry is put off twice
    expect(box.defer(1, 4, 900)).toBe(1)
    expect(box.due(500).map(e => e.seq)).toEqual([2, 3, 4])
    // an entry whose next attempt is already later is left as it is
    box.markSent(2, 500) // next attempt at 575
    expect(box.defer(2, 2, 550)).toBe(0)
    expect(box.get(2)).toMatchObject({ nextAttemptAt: 575 })
  })

  it('has a window: full means OutboxFullError until an ack frees room', () => {
    const box = make({ window: 2 })
    box.add({ id: 'a', seq: 1 }, 0)
    box.add({ id: 'b', seq: 2 }, 0)
    expect(box.hasRoom).toBe(false)
    expect(() => box.add({ id: 'c', seq: 3 }, 0)).toThrow(expect.objectContaining({ name: 'OutboxFullError' }))
    box.ackUpTo('p', 1)
    expect(box.hasRoom).toBe(true)
    box.add({ id: 'c', seq: 3 }, 0)
    expect(() => box.add({ id: 'd', seq: 3 }, 0)).toThrow(expect.objectContaining({ name: 'OutboxFullError' }))
  })

  it('expires after the TTL and lists what expired', () => {
    const box = make()
    box.add({ id: 'a', seq: 1 }, 0)
    box.add({ id: 'b', seq: 2 }, 5_000)
    expect(box.nextWakeAt()).toBe(0)
    box.markSent(1, 0)
    box.markSent(2, 5_000)
    expect(box.expire(9_999)).toEqual([])
    const gone = box.expire(10_000)
    expect(gone).toMatchObject([{ seq: 1, state: 'expired', reason: 'ttl' }])
    expect(box.expired.map(e => e.seq)).toEqual([1])
    expect(box.due(12_000).map(e => e.seq)).toEqual([2])
    box.clearExpired()
    expect(box.expired).toEqual([])
  })

  it('resumes from persisted entries, attempts included', () => {
    const box = make()
    box.add({ id: 'a', seq: 1 }, 0)
    box.markSent(1, 0)
    box.markSent(1, 100)
    const restored = make({ entries: box.entries() })
    expect(restored.entries()).toEqual(box.entries())
    expect(restored.markSent(1, 500)).toMatchObject({ attempts: 3 })
  })

  it('refuses a bad quorum or window', () => {
    expect(() => make({ ackQuorum: 0 })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => make({ window: 0.5 })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})
