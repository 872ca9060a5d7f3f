/**
 * (f) Interop: a gossipsub router on @chainsafe/libp2p-gossipsub 14 and libp2p v2
 * (packages/interop-v2, installed under npm aliases) is the only path between two weft
 * peers; messages flow through it both ways, unchanged, delivered once and in order.
 * Our wire is standard gossipsub.
 */
import { spawn } from 'node:child_process'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, until } from './helpers.ts'
import type { ChildProcess } from 'node:child_process'

const ROUTER = new URL('../../interop-v2/router.js', import.meta.url).pathname
let router: ChildProcess | undefined
let cluster: Cluster
afterEach(async () => {
  router?.kill('SIGKILL')
  await cluster?.stop()
})

async function startRouter (topic: string): Promise<{ addr: string, seen: () => number }> {
  router = spawn(process.execPath, [ROUTER, topic], { stdio: ['ignore', 'pipe', 'pipe'] })
  let seen = 0
  let buffered = ''
  let stderr = ''
  router.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`router did not start: ${stderr}`)), 20_000)
    router!.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const e = JSON.parse(line) as { event: string, addr?: string, seen?: number }
        if (e.event === 'stats') seen = e.seen!
        if (e.event === 'ready') {
          clearTimeout(timer)
          resolve({ addr: e.addr!, seen: () => seen })
        }
      }
    })
  })
}

describe('interop with the ChainSafe gossipsub generation', () => {
  it('(f) a @chainsafe/libp2p-gossipsub 14 router on libp2p v2 carries weft messages both ways', async () => {
    cluster = new Cluster()
    const r = await startRouter('interop')
    const a = await cluster.add()
    const b = await cluster.add()
    await a.libp2p.dial(multiaddr(r.addr))
    await b.libp2p.dial(multiaddr(r.addr))
    const [ta, tb] = await Promise.all([a.topic('interop'), b.topic('interop')])
    const atB: Array<{ author: string, seq: number, text?: string }> = []
    const atA: Array<{ author: string, seq: number }> = []
    tb.subscribe(m => { if (!m.own) atB.push({ author: m.author, seq: m.seq, text: m.text() }) })
    ta.subscribe(m => { if (!m.own) atA.push({ author: m.author, seq: m.seq }) })
    await new Promise(resolve => setTimeout(resolve, 2000)) // the router grafts both into its mesh
    expect(a.libp2p.getConnections(b.libp2p.peerId)).toHaveLength(0) // the router is the only path
    for (let i = 0; i < 100; i++) await ta.publish(`from a ${i}`)
    for (let i = 0; i < 50; i++) await tb.publish(`from b ${i}`)
    await until(() => atB.length === 100 && atA.length === 50, 20_000, 'messages through the v2 router')
    expect(atB.map(m => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(atB[7]!.text).toBe('from a 7')
    expect(atA.map(m => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(a.libp2p.getConnections(b.libp2p.peerId)).toHaveLength(0)
    await until(() => r.seen() >= 150, 5_000, 'router stats')
  }, 60_000)
})
