import { describe, expect, it } from 'vitest'
import { CausalBuffer } from './causal-buffer.ts'
import { TestAuthor } from '../testing/authors.ts'
import type { Envelope } from '../envelope/envelope.ts'

/** Alice writes a1, a2; Bob delivers a1 then writes b1 (depends on a1). */
async function chain (): Promise<{ alice: TestAuthor, bob: TestAuthor, a1: Envelope, a2: Envelope, b1: Envelope }> {
  const alice = new TestAuthor(1)
  const bob = new TestAuthor(2)
  const a1 = await alice.publish('a1')
  const a2 = await alice.publish('a2')
  bob.receive(a1)
  const b1 = await bob.publish('b1')
  return { alice, bob, a1, a2, b1 }
}

const ids = (list: Envelope[]): string[] => list.map(e => e.id)

describe('CausalBuffer', () => {
  it('releases in causal order whatever the arrival order', async () => {
    const { a1, a2, b1 } = await chain()
    const buf = new CausalBuffer()
    expect(buf.add(b1, 0)).toMatchObject({ status: 'buffered', deliverable: [] })
    expect(buf.add(a2, 0)).toMatchObject({ status: 'buffered', deliverable: [] })
    const r = buf.add(a1, 0)
    expect(r.status).toBe('released')
    const order = ids(r.deliverable)
    expect(order[0]).toBe(a1.id)
    expect(order).toHaveLength(3)
    expect(new Set(order)).toEqual(new Set([a1.id, a2.id, b1.id]))
    expect(buf.size).toBe(0)
    expect(buf.bytes).toBe(0)
  })

  it('drops duplicates, released or waiting', async () => {
    const { a1, a2 } = await chain()
    const buf = new CausalBuffer()
    expect(buf.add(a2, 0).status).toBe('buffered')
    expect(buf.add(a2, 0).status).toBe('duplicate')
    expect(buf.add(a1, 0).deliverable).toHaveLength(2)
    expect(buf.add(a1, 0).status).toBe('duplicate')
    expect(buf.add(a2, 0).status).toBe('duplicate')
  })

  it('reports a different body with a waiting (author, seq) as a conflict', async () => {
    const { alice, a2 } = await chain()
    alice.seq = 1
    const other = await alice.publish('a2 again, different')
    const buf = new CausalBuffer()
    buf.add(a2, 0)
    const r = buf.add(other, 0)
    expect(r.status).toBe('conflict')
    expect(r.existing?.id).toBe(a2.id)
  })

  it('reports missing ranges and unknown authors', async () => {
    const { alice, bob, b1 } = await chain()
    for (let i = 0; i < 3; i++) await alice.publish(`x${i}`)
    const a5 = await alice.publish('a6')
    const buf = new CausalBuffer()
    buf.add(a5, 0)
    buf.add(b1, 0)
    const missing = buf.missing()
    expect(missing.ranges).toContainEqual({ author: alice.id, from: 1, to: 5 })
    expect(missing.unknown).toEqual([])
    // b1 names alice by tag; alice is known (a6 waits), so its need is folded into alice's range.
    expect(missing.ranges.some(r => r.author === bob.id)).toBe(false)
    const only = new CausalBuffer()
    only.add(b1, 0)
    expect(only.missing()).toEqual({ ranges: [], unknown: [{ tag: b1.context.deps[0]!.tag, seq: 1 }] })
    expect(only.expire(Infinity)[0]!.waitingFor.author).toBeUndefined()
  })

  it('refuses a seq too far ahead, without buffering it', async () => {
    const alice = new TestAuthor(3)
    let last: Envelope | undefined
    for (let i = 0; i < 6; i++) last = await alice.publish(`m${i}`)
    const buf = new CausalBuffer({ maxSeqGap: 5 })
    const r = buf.add(last!, 0)
    expect(r).toMatchObject({ status: 'rejected', reason: 'too-far-ahead' })
    expect(r.error?.name).toBe('SeqOutOfRangeError')
    expect(buf.size).toBe(0)
  })

  it('is bounded: per author, in total and in bytes; a deliverable message is still accepted', async () => {
    const alice = new TestAuthor(4)
    const bob = new TestAuthor(5)
    const a = []
    for (let i = 0; i < 5; i++) a.push(await alice.publish(`a${i}`))
    const b1 = await bob.publish('b1')
    const perAuthor = new CausalBuffer({ maxPerAuthor: 2 })
    expect(perAuthor.add(a[4]!, 0).status).toBe('buffered')
    expect(perAuthor.add(a[3]!, 0).status).toBe('buffered')
    expect(perAuthor.add(a[2]!, 0)).toMatchObject({ status: 'rejected', reason: 'buffer-full' })
    expect(perAuthor.add(b1, 0).status).toBe('released')
    const total = new CausalBuffer({ maxMessages: 1 })
    total.add(a[4]!, 0)
    expect(total.add(a[3]!, 0).reason).toBe('buffer-full')
    expect(total.add(a[0]!, 0).status).toBe('released')
    expect(total.add(a[1]!, 0).deliverable).toHaveLength(1)
    const bytes = new CausalBuffer({ maxBytes: a[4]!.bytes.length + 10 })
    bytes.add(a[4]!, 0)
    expect(bytes.add(a[3]!, 0).reason).toBe('buffer-full')
    expect(bytes.bytes).toBe(a[4]!.bytes.length)
  })

  it('expires a message whose dependency never arrives, with a reason', async () => {
    const { alice, b1, a2 } = await chain()
    const buf = new CausalBuffer({ dependencyTimeoutMs: 100 })
    buf.add(a2, 10)
    buf.add(b1, 20)
    expect(buf.nextDeadline()).toBe(110)
    expect(buf.expire(109)).toEqual([])
    const first = buf.expire(110)
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({ reason: 'dependency-timeout', waitingFor: { author: alice.id, seq: 1 } })
    expect(first[0]!.envelope.id).toBe(a2.id)
    const second = buf.expire(1000)
    expect(second[0]!.envelope.id).toBe(b1.id)
    // a2 made alice known, so the dependency of b1 resolves to her.
    expect(second[0]!.waitingFor).toMatchObject({ author: alice.id, tag: b1.context.deps[0]!.tag, seq: 1 })
    expect(buf.size).toBe(0)
    expect(buf.quarantined).toEqual({ messages: 2, bytes: a2.bytes.length + b1.bytes.length })
    expect(buf.nextDeadline()).toBeUndefined()
  })

  it('skipTo treats pruned history as delivered and releases what it unblocks', async () => {
    const { alice, a1, a2, b1 } = await chain()
    const buf = new CausalBuffer()
    buf.add(a1, 0) // released
    const a3 = await alice.publish('a3')
    buf.add(a3, 0)
    buf.add(b1, 0) // released: depends on a1 only
    const r = buf.skipTo(alice.id, 2)
    expect(ids(r.deliverable)).toEqual([a3.id])
    expect(r.dropped).toEqual([])
    expect(buf.add(a2, 0).status).toBe('duplicate')
    expect(buf.frontier.get(alice.id)).toBe(3)
  })

  it('starts from a persisted frontier', async () => {
    const { alice, a1, a2 } = await chain()
    const buf = new CausalBuffer({ frontier: new Map([[alice.id, 1]]) })
    expect(buf.add(a1, 0).status).toBe('duplicate')
    expect(ids(buf.add(a2, 0).deliverable)).toEqual([a2.id])
  })
})
