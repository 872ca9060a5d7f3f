import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, connect, until } from './helpers.ts'
import type { DeliveredMessage } from '../src/topic.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

describe('two peers', () => {
  it('publish, deliver once in order, custody ack', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const b = await cluster.add()
    await connect(a, b)
    const ta = await a.topic('chat')
    const tb = await b.topic('chat')
    const got: DeliveredMessage[] = []
    tb.subscribe(m => { got.push(m) })
    const published = []
    for (let i = 0; i < 20; i++) published.push(await ta.publish(`hello ${i}`))
    await until(() => got.length === 20, 10_000, 'deliveries')
    expect(got.map(m => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(got[0]!.text()).toBe('hello 0')
    const outcome = await published[19]!.acked
    expect(outcome).toEqual({ acked: true, peers: [b.me] })
  }, 30_000)
})
