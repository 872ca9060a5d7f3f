/**
 * More rows of RELIABILITY.md section 11, at the lowest level that shows them with real
 * libp2p nodes on 127.0.0.1:
 * - row 36: payloads on each side of the 16 KiB and 64 KiB frame sizes, over yamux on TCP and
 *   over WebSockets, arrive byte-identical with matching ids; one byte past the 64 KiB payload
 *   cap is refused at publish with a typed error;
 * - row 16: a message stamped a day ahead and one a year back are delivered in seq order
 *   (weft never orders by wall clock);
 * - row 33: a publisher's clock set back an hour across a restart: its seqs go on, nothing
 *   is dropped;
 * - row 2: a 1 MB + 1 message on gossip is dropped before decoding; delivery goes on;
 * - row 22: 60 sync streams at once on one connection: the receiver keeps at most its cap
 *   (4) open and goes on delivering; once they close, the count is back to what it was;
 * - row 18: one valid identity floods 1,000 messages at once through a raw gossipsub peer: with
 *   `authorRate` set, the victim takes its burst and rate and Ignores the rest (not forwarded
 *   downstream), while an honest author's messages all arrive;
 * - row 19: 100 identities dial within a second from one host: with the plan's limits (5 per
 *   host per second, 10 pending) the rest are refused at once and delivery goes on; with the
 *   preset's loose defaults all get in, and delivery goes on too.
 */
import { authorIdFromKey, nobleSigner, sealEnvelope } from '@weft/core'
import { nodeCrypto, nodeSigner } from '@weft/crypto-node'
import { afterEach, describe, expect, it } from 'vitest'
import { packGossip } from '../src/bundle.ts'
import { SYNC_PROTOCOL } from '../src/constants.ts'
import { Cluster, NETWORK, addr, bareNode, rawGossipPeer, until } from './helpers.ts'
import type { NodePeerInit } from '../src/presets/node.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'

let cluster: Cluster
let raw: Libp2p<{ pubsub: GossipSub }> | undefined
let sybils: Libp2p[] = []
afterEach(async () => {
  await raw?.stop()
  raw = undefined
  await Promise.all(sybils.splice(0).map(async s => await s.stop()))
  await cluster?.stop()
})

const SIZES = [16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 64 * 1024 - 1, 64 * 1024]

describe('hostile and edge inputs (more rows)', () => {
  for (const transport of ['tcp', 'ws'] as const) {
    it(`row 36: payloads around the 16 KiB and 64 KiB frame sizes arrive byte-identical over ${transport === 'tcp' ? 'yamux on TCP' : 'WebSockets'}`, async () => {
      cluster = new Cluster()
      const listen = transport === 'tcp' ? ['/ip4/127.0.0.1/tcp/0'] : ['/ip4/127.0.0.1/tcp/0/ws']
      const a = await cluster.add({ listen })
      const b = await cluster.add({ listen })
      await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
      const [ta, tb] = [await a.topic('big'), await b.topic('big')]
      const got: Array<{ id: string, payload: Uint8Array }> = []
      tb.subscribe(m => { got.push({ id: m.id, payload: m.payload }) })
      await until(() => a.sessionCount > 0, 10_000, 'session')
      const sent: Array<{ id: string, payload: Uint8Array }> = []
      for (const [i, size] of SIZES.entries()) {
        const payload = new Uint8Array(size)
        for (let j = 0; j < size; j++) payload[j] = (j * 31 + i) & 0xff
        const { id } = await ta.publish(payload)
        sent.push({ id, payload })
      }
      await expect(ta.publish(new Uint8Array(64 * 1024 + 1))).rejects.toMatchObject({ name: 'OversizeEnvelopeError' })
      await until(() => got.length === SIZES.length, 20_000, 'all sizes delivered')
      expect(got.map(g => g.id)).toEqual(sent.map(s => s.id))
      for (const [i, g] of got.entries()) expect(Buffer.compare(g.payload, sent[i]!.payload)).toBe(0)
    }, 60_000)
  }

  it('row 16: messages stamped a day ahead and a year back are delivered, in seq order', async () => {
    cluster = new Cluster()
    const honest = await cluster.add()
    const topic = await honest.topic('w')
    await (await cluster.add()).libp2p.dial(honest.libp2p.getMultiaddrs()[0]!)
    const got: Array<{ seq: number, time: number }> = []
    topic.subscribe(m => { got.push({ seq: m.seq, time: m.time }) })
    raw = await rawGossipPeer(honest, 'w')
    const author = nobleSigner(new Uint8Array(32).fill(61))
    const now = Date.now()
    const times = [now + 24 * 3600_000, now - 365 * 24 * 3600_000, now]
    for (const [i, time] of times.entries()) {
      const env = await sealEnvelope({ network: NETWORK, topic: 'w', seq: i + 1, time, context: { full: false, deps: [] }, payload: new Uint8Array([i]) }, author, nodeCrypto())
      await raw.services.pubsub.publish('w', env.bytes)
    }
    await until(() => got.length === 3, 10_000, 'three deliveries')
    expect(got).toEqual(times.map((time, i) => ({ seq: i + 1, time })))
  }, 60_000)

  it('row 33: a publisher whose clock goes back an hour across a restart continues its seqs and is delivered in order', async () => {
    cluster = new Cluster()
    const sub = await cluster.add()
    const dir = cluster.dir()
    const got: Array<{ seq: number, time: number, text?: string }> = []
    ;(await sub.topic('c')).subscribe(m => { got.push({ seq: m.seq, time: m.time, text: m.text() }) })
    let pub = await cluster.add({ dataDir: dir, bootstrap: [sub.libp2p.getMultiaddrs()[0]!.toString()] })
    await until(() => pub.sessionCount > 0, 10_000, 'session')
    await (await pub.topic('c')).publish('before')
    await until(() => got.length === 1, 10_000, 'before')
    await pub.stop()
    cluster.peers.splice(cluster.peers.indexOf(pub), 1)
    // this process's wall clock goes back an hour (clock-process.test does it to a separate process with libfaketime)
    const realNow = Date.now
    Date.now = () => realNow() - 3600_000
    try {
      pub = await cluster.add({ dataDir: dir, bootstrap: [sub.libp2p.getMultiaddrs()[0]!.toString()] })
      await until(() => pub.sessionCount > 0, 10_000, 'session after restart')
      const { seq } = await (await pub.topic('c')).publish('after')
      expect(seq).toBe(2)
      await until(() => got.length === 2, 10_000, 'after')
    } finally {
      Date.now = realNow
    }
    expect(got.map(g => [g.seq, g.text])).toEqual([[1, 'before'], [2, 'after']])
    expect(got[1]!.time).toBeLessThan(got[0]!.time)
  }, 60_000)

  it('row 33 (while running): the wall clock jumps back 25 h under connected peers; sync still serves, so a peer that gets nothing by gossip still gets everything', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const b = await cluster.add({ bootstrap: [addr(a)], gossipFault: () => 'drop' }) // sync is its only way in
    const ta = await a.topic('jump')
    const got: number[] = []
    ;(await b.topic('jump')).subscribe(m => { got.push(m.seq) })
    await until(() => a.sessionCount > 0 && b.sessionCount > 0, 10_000, 'sessions')
    await ta.publish('before')
    await until(() => got.length === 1, 10_000, 'before the jump')
    // The sessions' rate limits and stalls were once timed by the wall clock: a jump back left the
    // server a debt of 25 h of tokens, and every want got an empty reply (chaos C6, seed 777).
    const realNow = Date.now
    Date.now = () => realNow() - 25 * 3600_000
    try {
      for (let i = 0; i < 20; i++) await ta.publish(`after ${i}`)
      await until(() => got.length === 21, 15_000, 'everything after the jump, by sync')
    } finally {
      Date.now = realNow
    }
    expect(got).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
  }, 60_000)

  it('row 2: a 1 MB + 1 gossip message is dropped before it is decoded; the peer goes on delivering', async () => {
    cluster = new Cluster()
    const honest = await cluster.add()
    const topic = await honest.topic('o')
    const other = await cluster.add()
    await other.libp2p.dial(honest.libp2p.getMultiaddrs()[0]!)
    const to = await other.topic('o')
    const got: string[] = []
    const rejected: string[] = []
    honest.addEventListener('message:rejected', e => { rejected.push(e.detail.reason) })
    topic.subscribe(m => { got.push(m.text() ?? `<${m.payload.length} bytes>`) })
    raw = await rawGossipPeer(honest, 'o')
    const sent = await raw.services.pubsub.publish('o', new Uint8Array(1024 * 1024 + 1).fill(7))
    expect(sent.recipients.map(r => r.toString())).toContain(honest.me) // it did go out to the honest peer
    await new Promise(resolve => setTimeout(resolve, 500))
    await until(() => other.sessionCount > 0, 10_000, 'session')
    await to.publish('after the big one')
    await until(() => got.includes('after the big one'), 10_000, 'a later message')
    expect(got).toEqual(['after the big one'])
    // dropped by the gossipsub stream decoder (maxInboundDataLength), never seen by weft's validator
    expect(rejected).toEqual([])
  }, 60_000)

  it('row 22: 60 sync streams at once from one connected peer: never more than the cap open at the receiver, which goes on delivering', async () => {
    cluster = new Cluster()
    const honest = await cluster.add()
    const flooder = await cluster.add()
    const bystander = await cluster.add()
    await flooder.libp2p.dial(honest.libp2p.getMultiaddrs()[0]!)
    await bystander.libp2p.dial(honest.libp2p.getMultiaddrs()[0]!)
    const [th, tb] = [await honest.topic('s'), await bystander.topic('s')]
    const got: string[] = []
    th.subscribe(m => { got.push(m.text() ?? '') })
    await until(() => honest.sessionCount === 2, 10_000, 'sessions')
    const inboundFromFlooder = (): number => honest.libp2p.getConnections(flooder.libp2p.peerId).flatMap(c => c.streams).filter(st => st.protocol === SYNC_PROTOCOL && st.direction === 'inbound').length
    const baseline = inboundFromFlooder()
    // the flooder drops its own handler, and with it its own cap on outbound sync streams
    await flooder.libp2p.unhandle(SYNC_PROTOCOL)
    const conn = flooder.libp2p.getConnections(honest.libp2p.peerId)[0]!
    const opened = await Promise.allSettled(Array.from({ length: 60 }, async () => {
      const stream = await conn.newStream(SYNC_PROTOCOL, { signal: AbortSignal.timeout(5_000), maxOutboundStreams: 1_000 })
      stream.send(new Uint8Array([10])) // a frame header announcing 10 bytes that never come: the stream stays open
      return stream
    }))
    await new Promise(resolve => setTimeout(resolve, 500))
    const inbound = inboundFromFlooder()
    // the honest peer refused streams (some fail to open, others are reset once open: timing decides which);
    // with the cap raised to 100, none is refused and 61 stay open (tried)
    expect(opened.some(o => o.status === 'rejected')).toBe(true)
    expect(inbound).toBeLessThanOrEqual(4)
    await tb.publish('still here')
    await until(() => got.includes('still here'), 10_000, 'delivery while flooded')
    // the flooder closes its streams: the count goes back to what it was
    for (const o of opened) if (o.status === 'fulfilled') o.value.abort(new Error('done flooding'))
    await until(() => inboundFromFlooder() <= baseline, 5_000, 'inbound sync streams back to the baseline')
  }, 60_000)

  it.each([
    ['one gossip message each', false],
    ['in bundles of 64', true]
  ])('row 18: a flood of 1,000 valid messages from one identity, %s: past its rate limit the victim Ignores them (and does not forward them); an honest author is unaffected', async (_, bundled) => {
    cluster = new Cluster()
    const victim = await cluster.add({ authorRate: { perSecond: 20, burst: 100 } })
    const downstream = await cluster.add({ bootstrap: [addr(victim)] })
    const honest = await cluster.add({ bootstrap: [addr(victim)] })
    const [tv, td, th] = [await victim.topic('flood'), await downstream.topic('flood'), await honest.topic('flood')]
    const gotV: string[] = []
    const gotD: string[] = []
    // honest latency at the victim (publish to delivery, one clock: same process), without and with the flood
    const sentAt = new Map<string, number>()
    const latency = new Map<string, number>()
    tv.subscribe(m => {
      gotV.push(m.author)
      const text = m.text() ?? ''
      if (sentAt.has(text)) latency.set(text, Date.now() - sentAt.get(text)!)
    })
    td.subscribe(m => { gotD.push(m.author) })
    await until(() => victim.sessionCount === 2, 10_000, 'sessions')
    const honestly = async (label: string): Promise<void> => {
      for (let i = 0; i < 20; i++) {
        sentAt.set(`${label} ${i}`, Date.now())
        await th.publish(`${label} ${i}`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    }
    await honestly('control')
    await until(() => [...latency.keys()].filter(k => k.startsWith('control')).length === 20, 10_000, 'the control messages')
    raw = await rawGossipPeer(victim, 'flood')
    const flooder = nodeSigner(new Uint8Array(32).fill(18))
    const envs = await Promise.all(Array.from({ length: 1000 }, async (_, i) =>
      (await sealEnvelope({ network: NETWORK, topic: 'flood', seq: i + 1, time: Date.now(), context: { full: false, deps: [] }, payload: new Uint8Array(100) }, flooder, nodeCrypto())).bytes))
    const start = Date.now()
    const honestDone = honestly('honest')
    for (const data of bundled ? packGossip(envs) : envs) await raw.services.pubsub.publish('flood', data)
    await honestDone
    const floodAuthor = authorIdFromKey(flooder.publicKey)
    await until(() => gotV.filter(a => a === honest.me).length === 40 && gotD.filter(a => a === honest.me).length === 40, 15_000, 'every honest message, upstream and downstream')
    const spread = (label: string): string => {
      const v = [...latency].filter(([k]) => k.startsWith(label)).map(([, ms]) => ms).sort((a, b) => a - b)
      return `median ${v[Math.floor(v.length / 2)]} / max ${v[v.length - 1]} ms`
    }
    // reported, not held to a threshold (timing belongs to benchmarks); the max of 20 is their p99
    console.log(`row 18 (${bundled ? 'bundled' : 'one by one'}): honest latency at the victim, before the flood ${spread('control')}, during it ${spread('honest')}`)
    await until(() => victim.stats.gossipRateLimited >= 850, 15_000, 'the flood validated')
    await new Promise(resolve => setTimeout(resolve, 1_000)) // the last of it through the validator
    const seconds = (Date.now() - start) / 1000
    // validation runs concurrently, so tokens go to whichever seqs finish first: what is taken is
    // the burst and the rate, not necessarily seqs 1..n (the rest of those wait for the gaps)
    // (bundled, 1,000 are 15 bundles of 64 and one of 40, each taken whole or not at all: whichever
    // is validated first takes its share of the burst's 100 tokens, and the next 64 wait 3.2 s)
    const accepted = 1000 - victim.stats.gossipRateLimited
    expect(accepted).toBeGreaterThanOrEqual(bundled ? 40 : 100)
    expect(accepted).toBeLessThanOrEqual(100 + Math.ceil(20 * seconds) + 1)
    const taken = gotV.filter(a => a === floodAuthor).length
    expect(taken).toBeLessThanOrEqual(accepted)
    // what the victim Ignored never went on: downstream got no more of the flood than the victim took
    expect(gotD.filter(a => a === floodAuthor).length).toBeLessThanOrEqual(accepted)
  }, 60_000)

  /** 100 bare libp2p nodes, each its own identity, dial `victim` at once; returns how many got in, and how long the dials took. */
  async function sybilBurst (inbound: NodePeerInit['inbound']): Promise<{ accepted: number, ms: number, delivered: boolean }> {
    cluster = new Cluster()
    const victim = await cluster.add({ inbound })
    const honest = await cluster.add({ bootstrap: [addr(victim)] })
    const tv = await victim.topic('sybil')
    const th = await honest.topic('sybil')
    const got: string[] = []
    tv.subscribe(m => { got.push(m.text() ?? '') })
    await until(() => victim.libp2p.getConnections().length > 0, 5_000, 'honest connected')
    await new Promise(resolve => setTimeout(resolve, 1_100)) // the honest dial's token is back
    sybils = await Promise.all(Array.from({ length: 100 }, async () => await bareNode({}, false)))
    const start = Date.now()
    const results = await Promise.allSettled(sybils.map(async s => await s.dial(victim.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(10_000) })))
    const ms = Date.now() - start
    await th.publish('during the burst')
    await until(() => got.length === 1, 10_000, 'delivery after the burst')
    return { accepted: results.filter(r => r.status === 'fulfilled').length, ms, delivered: got[0] === 'during the burst' }
  }

  it('row 19: 100 identities from one host within a second: the plan\'s limits (5 per host per second, 10 pending) refuse the rest at once; the peer goes on delivering', async () => {
    const { accepted, ms, delivered } = await sybilBurst({ perHostPerS: 5, pending: 10 })
    expect(accepted).toBeGreaterThan(0)
    expect(accepted).toBeLessThanOrEqual(5 * Math.ceil(ms / 1000))
    expect(ms).toBeLessThan(5_000) // refused at once, not left hanging
    expect(delivered).toBe(true)
  }, 60_000)

  it('row 19 (control): with the preset\'s loose defaults all 100 get in, and the peer still delivers', async () => {
    const { accepted, delivered } = await sybilBurst(undefined)
    expect(accepted).toBe(100)
    expect(delivered).toBe(true)
  }, 60_000)
})
