/**
 * Frontier updates (Have frames) are paced by who needs them: a peer that stores another's
 * messages acks them to their author at once (its publish window waits on it), and tells its
 * other peers within HAVE_LAZY_MS, several stored messages gathered into one Have. Before, every
 * store write sent a Have to every peer: at low rates most of the sync frames.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { HAVE_LAZY_MS } from '../src/constants.ts'
import { Cluster, connect, until } from './helpers.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

describe('Have pacing', () => {
  it('the author gets its custody acks at once; other peers get the news gathered, within HAVE_LAZY_MS', async () => {
    cluster = new Cluster()
    const author = await cluster.add()
    const middle = await cluster.add()
    const other = await cluster.add()
    await connect(author, middle)
    await connect(other, middle)
    const [ta, tm, to] = [await author.topic('p'), await middle.topic('p'), await other.topic('p')]
    const got: number[] = []
    to.subscribe(m => { got.push(m.seq) })
    tm.subscribe(() => undefined)
    await until(() => author.sessionCount > 0 && other.sessionCount > 0 && middle.sessionCount === 2, 10_000, 'sessions')
    await new Promise(resolve => setTimeout(resolve, 1_500)) // the gossip mesh forms, the first Haves are out
    const stored: number[] = []
    middle.addEventListener('messages:stored', e => { stored.push(e.detail.count) })
    const before = middle.stats.havesSent
    const ackMs: number[] = []
    const N = 30
    for (let i = 0; i < N; i++) {
      const at = performance.now()
      const { acked } = await ta.publish(`m${i}`)
      void acked.then(() => { ackMs.push(performance.now() - at) })
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    await until(() => ackMs.length === N && got.length === N, 10_000, 'every message acked and delivered downstream')
    const spanMs = N * 20
    const haves = middle.stats.havesSent - before
    const toAuthor = stored.length // one prompt ack per store write of the middle peer
    console.log(`Have pacing: ${N} messages in ${stored.length} store writes; the middle peer sent ${haves} Haves (${toAuthor} to the author); ack p50 ${ackMs.sort((a, b) => a - b)[N >> 1]!.toFixed(1)} ms`)
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i + 1))
    // the author heard of each store write; the other peer at most once per HAVE_LAZY_MS (and once more at the end)
    expect(haves).toBeGreaterThanOrEqual(toAuthor)
    expect(haves - toAuthor).toBeLessThanOrEqual(Math.ceil(spanMs / HAVE_LAZY_MS) + 2)
    expect(haves - toAuthor).toBeLessThan(toAuthor / 2)
    // custody acks stay prompt: well under the lazy delay
    expect(ackMs[N >> 1]!).toBeLessThan(HAVE_LAZY_MS)
  }, 30_000)
})
