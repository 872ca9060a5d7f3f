import { describe, expect, it } from 'vitest'
import { TestAuthor, prng } from '../testing/authors.ts'
import { contextWireBytes } from '../envelope/codec.ts'
import { tagOfAuthor } from '../util/author.ts'

describe('causal contexts', () => {
  it('names only the heads: a long reply chain costs one entry per message', async () => {
    const authors = Array.from({ length: 12 }, (_, i) => new TestAuthor(100 + i))
    let last = await authors[0]!.publish('start')
    const all = [last]
    for (let round = 0; round < 3; round++) {
      for (const a of authors) {
        for (const env of all) a.receive(env)
        last = await a.publish(`reply to ${last.seq}`)
        all.push(last)
        // Everyone before is implied by the message being answered.
        expect(last.context.deps.length).toBeLessThanOrEqual(1)
      }
    }
  })

  it('lists concurrent heads, and a full context on request', async () => {
    const [a, b, c] = [new TestAuthor(201), new TestAuthor(202), new TestAuthor(203)]
    const a1 = await a.publish('a1')
    const b1 = await b.publish('b1')
    c.receive(a1)
    c.receive(b1)
    const c1 = await c.publish('c1')
    expect(c1.context).toEqual({ full: false, deps: [{ tag: tagOfAuthor(a.id), seq: 1 }, { tag: tagOfAuthor(b.id), seq: 1 }].sort((x, y) => x.tag < y.tag ? -1 : 1) })
    const c2 = await c.publish('c2')
    expect(c2.context.deps).toEqual([]) // nothing new since c1
    const c3 = await c.publish('c3', 0, { full: true })
    expect(c3.context.full).toBe(true)
    expect(c3.context.deps).toHaveLength(2)
    // A receiver expands the full clock from heads.
    const d = new TestAuthor(204)
    for (const env of [c2, c1, b1, a1, c3]) d.receive(env)
    expect(Object.fromEntries(d.inbox.clockOf(c.id, 3)!)).toEqual({ [a.id]: 1, [b.id]: 1, [c.id]: 3 })
  })

  it('stays small with many authors: a gossiping topic of 200 authors', async () => {
    const rand = prng(99)
    const authors = Array.from({ length: 200 }, (_, i) => new TestAuthor(300 + i))
    const all = []
    const sizes: number[] = []
    for (let i = 0; i < 600; i++) {
      const w = authors[Math.floor(rand() * authors.length)]!
      const k = 1 + Math.floor(rand() * 5)
      for (let j = 0; j < k && all.length > 0; j++) {
        // receive everything another author wrote; what lacks dependencies waits in the buffer
        const from = authors[Math.floor(rand() * authors.length)]!
        for (const env of all) if (env.author === from.id) w.receive(env)
      }
      const env = await w.publish(`m${i}`)
      all.push(env)
      sizes.push(contextWireBytes(env.context))
    }
    sizes.sort((x, y) => x - y)
    expect(sizes[Math.floor(sizes.length * 0.99)]!).toBeLessThanOrEqual(64)
  })
})
