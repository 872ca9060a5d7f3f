import { describe, expect, it } from 'vitest'
import { Inbox } from './inbox.ts'
import { TestAuthor } from '../testing/authors.ts'

describe('Inbox', () => {
  it('dedupes by id and by (author, seq), and remembers seen ids', async () => {
    const alice = new TestAuthor(11)
    const a1 = await alice.publish('a1')
    const inbox = new Inbox()
    expect(inbox.hasSeen(a1.id)).toBe(false)
    expect(inbox.receive(a1, 0).deliverable).toEqual([a1])
    expect(inbox.hasSeen(a1.id)).toBe(true)
    expect(inbox.receive(a1, 0).status).toBe('duplicate')
  })

  it('delivered advances only through markDelivered, in order; a restart re-releases the unfinished', async () => {
    const alice = new TestAuthor(12)
    const a1 = await alice.publish('a1')
    const a2 = await alice.publish('a2')
    const inbox = new Inbox()
    inbox.receive(a1, 0)
    inbox.receive(a2, 0)
    expect(inbox.released.get(alice.id)).toBe(2)
    expect(inbox.delivered.get(alice.id)).toBeUndefined()
    expect(() => inbox.markDelivered(a2)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(inbox.markDelivered(a1)).toEqual({ author: alice.id, seq: 1 })
    // crash here: a2 was released, its handler never finished
    const after = new Inbox({ delivered: inbox.delivered })
    expect(after.receive(a1, 0).status).toBe('duplicate')
    expect(after.receive(a2, 0).deliverable).toEqual([a2])
  })

  it('proves equivocation against a waiting message, flags a conflict with a delivered one', async () => {
    const alice = new TestAuthor(13)
    const a1 = await alice.publish('a1')
    const a2 = await alice.publish('a2')
    alice.seq = 1
    const a2x = await alice.publish('a2, other body')
    alice.seq = 0
    const a1x = await alice.publish('a1, other body')
    const inbox = new Inbox()
    inbox.receive(a2, 0)
    const r = inbox.receive(a2x, 0)
    expect(r.status).toBe('equivocation')
    expect(r.proof).toMatchObject({ author: alice.id, seq: 2, first: a2.bytes, second: a2x.bytes })
    inbox.receive(a1, 0)
    expect(inbox.receive(a1x, 0)).toMatchObject({ status: 'conflict', deliveredId: a1.id })
    // the first one stays: a2 was delivered, not a2x
    expect(inbox.released.get(alice.id)).toBe(2)
  })

  it('a message that waited too long is quarantined: not repaired, a copy is a duplicate, delivered once its dependency comes', async () => {
    const alice = new TestAuthor(15)
    const bob = new TestAuthor(16)
    const b1 = await bob.publish('b1')
    alice.receive(b1)
    const a1 = await alice.publish('a1 after b1')
    const inbox = new Inbox({ dependencyTimeoutMs: 1_000 })
    expect(inbox.receive(a1, 0).status).toBe('buffered')
    expect(inbox.missing()).toEqual({ ranges: [], unknown: [{ tag: b1.authorTag, seq: 1 }] })
    expect(inbox.expire(1_000)).toMatchObject([{ envelope: { id: a1.id }, reason: 'dependency-timeout', waitingFor: { tag: b1.authorTag, seq: 1 } }])
    expect(inbox.buffered).toEqual({ messages: 0, bytes: 0 })
    expect(inbox.quarantined).toEqual({ messages: 1, bytes: a1.bytes.length })
    expect(inbox.missing()).toEqual({ ranges: [], unknown: [] })
    expect(inbox.receive(a1, 1_500).status).toBe('duplicate')
    expect(inbox.expire(1_000_000)).toEqual([])
    expect(inbox.receive(b1, 2_000).deliverable).toEqual([b1, a1])
    expect(inbox.quarantined).toEqual({ messages: 0, bytes: 0 })
  })

  it('a quarantine over its bound forgets its oldest, which is then taken again like a new message', async () => {
    const bob = new TestAuthor(17)
    const b1 = await bob.publish('b1')
    const authors = [18, 19, 20].map(i => new TestAuthor(i))
    const waiting = []
    for (const a of authors) {
      a.receive(b1)
      waiting.push(await a.publish(`after b1 (${a.id.slice(0, 4)})`))
    }
    const inbox = new Inbox({ dependencyTimeoutMs: 1_000, maxQuarantined: 2 })
    for (const [i, env] of waiting.entries()) expect(inbox.receive(env, i).status).toBe('buffered')
    const out = inbox.expire(5_000)
    expect(out.map(e => [e.envelope.id, e.reason])).toEqual([
      [waiting[0]!.id, 'dependency-timeout'], [waiting[1]!.id, 'dependency-timeout'], [waiting[2]!.id, 'dependency-timeout'],
      [waiting[0]!.id, 'quarantine-full']
    ])
    expect(inbox.quarantined.messages).toBe(2)
    expect(inbox.hasSeen(waiting[0]!.id)).toBe(false)
    expect(inbox.receive(waiting[1]!, 6_000).status).toBe('duplicate')
    expect(inbox.receive(waiting[0]!, 6_000).status).toBe('buffered')
    expect(inbox.receive(b1, 7_000).deliverable.map(e => e.id).sort()).toEqual([b1, ...waiting].map(e => e.id).sort())
    expect(inbox.quarantined.messages).toBe(0)
    expect(inbox.buffered.messages).toBe(0)
  })

  it('skipTo moves both frontiers', async () => {
    const alice = new TestAuthor(14)
    for (let i = 0; i < 3; i++) await alice.publish(`a${i}`)
    const a4 = await alice.publish('a4')
    const inbox = new Inbox()
    inbox.receive(a4, 0)
    expect(inbox.buffered.messages).toBe(1)
    const r = inbox.skipTo(alice.id, 3)
    expect(r.deliverable).toEqual([a4])
    expect(inbox.delivered.get(alice.id)).toBe(3)
    expect(inbox.buffered).toEqual({ messages: 0, bytes: 0 })
  })
})

describe('Inbox released beyond delivered', () => {
  it('treats stored-but-undelivered messages as released, and still checks delivery order', async () => {
    const alice = new TestAuthor(15)
    const a1 = await alice.publish('a1')
    const a2 = await alice.publish('a2')
    const a3 = await alice.publish('a3')
    const inbox = new Inbox({ delivered: new Map([[alice.id, 1]]), released: new Map([[alice.id, 2]]) })
    expect(inbox.receive(a2, 0).status).toBe('duplicate')
    expect(inbox.receive(a3, 0).deliverable).toEqual([a3])
    expect(() => inbox.markDelivered(a3)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    inbox.markDelivered(a2)
    inbox.markDelivered(a3)
    expect(inbox.delivered.get(alice.id)).toBe(3)
    void a1
  })
})
