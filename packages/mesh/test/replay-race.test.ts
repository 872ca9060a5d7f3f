/**
 * Delivery after a late subscribe goes through the store in log order (a causal order): a
 * subscriber that subscribes while messages keep arriving never delivers one before the stored,
 * undelivered messages it depends on.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, connect, until } from './helpers.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

describe('replay before live delivery', () => {
  it('a subscribe while the store is busy delivers everything in causal order', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const c = await cluster.add()
    const b = await cluster.add({ dataDir: cluster.dir() })
    await connect(a, b)
    await connect(c, b)
    await connect(a, c)
    const [ta, tb, tc] = [await a.topic('r'), await b.topic('r'), await c.topic('r')]
    const atC: number[] = []
    tc.subscribe(m => { if (m.author === a.me) atC.push(m.seq) })
    // b stores a's first 50 without a subscriber: stored, not delivered
    for (let i = 1; i <= 50; i++) await ta.publish(`a${i}`)
    await until(() => (tb.held.get(a.me) ?? 0) === 50 && atC.length === 50, 10_000, 'b stored 50, c delivered 50')
    // c now writes after a's 50 (its messages depend on them), while a keeps b's store busy
    const order: string[] = []
    const busy = (async () => { for (let i = 51; i <= 400; i++) await ta.publish(`a${i}`) })()
    const cw = (async () => { for (let i = 1; i <= 20; i++) { await tc.publish(`c${i}`); await new Promise(resolve => setTimeout(resolve, 5)) } })()
    await new Promise(resolve => setTimeout(resolve, 30))
    tb.subscribe(m => { order.push(`${m.author === a.me ? 'a' : 'c'}${m.seq}`) })
    await Promise.all([busy, cw])
    await until(() => order.length === 420, 20_000, 'all 420 at b')
    // every c message depends on a50: a50 comes first
    expect(order.indexOf('a50')).toBeLessThan(order.indexOf('c1'))
    expect(order.filter(x => x.startsWith('a'))).toEqual(Array.from({ length: 400 }, (_, i) => `a${i + 1}`))
  }, 60_000)
})
