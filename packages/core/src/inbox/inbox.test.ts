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
