// The in-process simulations of RELIABILITY.md 10.3 (environment S): many weft peers in this
// one process over @libp2p/memory with latency, recorded into the same history format and
// judged by the same checkers as the process scenarios.
// - S1: 200 peers, about 20 random connections each, 20 publishers at 10 msg/s in total: every peer
//   delivers everything; delivery p99 ≤ 1.5 s.
// - S5: 200 honest peers and 5 spammers each sending 1,000 invalid messages/s (bad signatures,
//   oversize, wrong topic) to their neighbours: spammers graylisted within 10 s, honest delivery
//   p99 ≤ 2 s and complete.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryStore, WeftStore, encodeBody, encodeEnvelope, nobleSigner, sealEnvelope, signingBytes } from '@weft/core'
import { nodeCrypto } from '@weft/crypto-node'
import { createPeer, libp2pSigner, weftGossipsub } from '@weft/mesh'
import { createLibp2p } from 'libp2p'
import type { HistoryEvent } from './history.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { WeftPeer } from '@weft/mesh'

export const SIM_NETWORK = 'weft-sim'
const TOPIC = 'sim'
/**
 * No added latency: @libp2p/memory's `latency` option delays each buffer in series, so at
 * 25 ms a connection carries at most 40 buffers/s, a bandwidth cap rather than a delay, and
 * every queue in the simulation grows without bound.
 */
const LATENCY_MS = 0
const DIAL_CONCURRENCY = 50

export interface SimInit {
  peers: number
  /** Each peer dials this many random others (so about twice as many connections each). */
  dials: number
  publishers: number
  /** Messages per second over all publishers. */
  rate: number
  durationMs: number
  spammers?: number
  /** Invalid messages per second per spammer. */
  spamRate?: number
  rand: () => number
  record: (e: HistoryEvent) => void
  /** True once every committed message reached every peer: ends the drain (30 s at most). */
  drained: () => boolean
}

export interface SimResult {
  /** Per spammer: ms from its first invalid message until every honest neighbour graylisted it (undefined: not all did). */
  graylistedAfterMs: Array<number | undefined>
  spamSent: number
  peers: number
  connections: number
}

async function node (i: number, privateKey?: PrivateKey): Promise<Libp2p<{ pubsub: GossipSub }>> {
  return await createLibp2p({
    privateKey: privateKey ?? await generateKeyPair('Ed25519'),
    addresses: { listen: [`/memory/weft-sim-${i}-${Math.random().toString(36).slice(2)}`] },
    transports: [memory({ latency: LATENCY_MS })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: 1_000, inboundConnectionThreshold: 1_000, maxIncomingPendingConnections: 200 },
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: { identify: identify(), pubsub: weftGossipsub({ crypto: nodeCrypto() }) }
  })
}

export async function simulate (init: SimInit): Promise<SimResult> {
  const crypto = nodeCrypto()
  const peers: WeftPeer[] = []
  const spammers: Array<Libp2p<{ pubsub: GossipSub }>> = []
  const timers: Array<ReturnType<typeof setInterval>> = []
  try {
    for (let i = 0; i < init.peers; i++) {
      const privateKey = await generateKeyPair('Ed25519')
      const libp2p = await node(i, privateKey)
      const store = await WeftStore.open(new MemoryStore(), { now: Date.now, randomId: () => globalThis.crypto.randomUUID() })
      const peer = await createPeer({ libp2p, store, network: SIM_NETWORK, signer: libp2pSigner(privateKey), crypto, newIdentity: true, closeStore: true })
      peers.push(peer)
      const name = `p${i + 1}`
      init.record({ t: Date.now(), node: name, type: 'start', sender: peer.me })
      const topic = await peer.topic(TOPIC)
      topic.subscribe(m => { init.record({ t: Date.now(), node: name, type: 'deliver', id: m.id, sender: m.author, seq: m.seq, topic: TOPIC, redelivered: m.redelivered }) })
    }
    // the random graph first (seeded), then the dials, DIAL_CONCURRENCY at a time (each takes a few 25 ms round trips)
    const pairs = new Set<string>()
    const edges: Array<[WeftPeer, WeftPeer]> = []
    for (const [i, peer] of peers.entries()) {
      for (let k = 0; k < init.dials; k++) {
        const j = Math.floor(init.rand() * peers.length)
        const key = i < j ? `${i}-${j}` : `${j}-${i}`
        if (i === j || pairs.has(key)) continue
        pairs.add(key)
        edges.push([peer, peers[j]!])
      }
    }
    let connections = 0
    for (let at = 0; at < edges.length; at += DIAL_CONCURRENCY) {
      await Promise.all(edges.slice(at, at + DIAL_CONCURRENCY).map(async ([a, b]) => {
        await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!).then(() => { connections++ }, () => undefined)
      }))
    }
    // the gossip mesh forms (a few heartbeats)
    await new Promise(resolve => setTimeout(resolve, 3_000))

    const spamStart: number[] = []
    let spamSent = 0
    const spamTargets: WeftPeer[][] = []
    for (let s = 0; s < (init.spammers ?? 0); s++) {
      const spammer = await node(init.peers + s)
      spammer.services.pubsub.subscribe(TOPIC)
      const targets: WeftPeer[] = []
      const chosen = new Set<WeftPeer>()
      for (let k = 0; k < init.dials; k++) chosen.add(peers[Math.floor(init.rand() * peers.length)]!)
      await Promise.all([...chosen].map(async victim => {
        await spammer.dial(multiaddr(victim.libp2p.getMultiaddrs()[0]!.toString())).then(() => { targets.push(victim) }, () => undefined)
      }))
      spammers.push(spammer)
      spamTargets.push(targets)
    }
    await new Promise(resolve => setTimeout(resolve, init.spammers === undefined ? 0 : 2_000))

    const authors = peers.slice(0, init.publishers)
    const perPublisher = init.rate / init.publishers
    const started = Date.now()
    for (const [i, peer] of authors.entries()) {
      const name = `p${i + 1}`
      let n = 0
      const topicP = peer.topic(TOPIC)
      timers.push(setInterval(() => {
        if (Date.now() - started > init.durationMs) return
        const key = `${name}:${++n}`
        init.record({ t: Date.now(), node: name, type: 'publish-invoke', key, topic: TOPIC })
        void topicP.then(t => t.publish(`${name} ${n}`)).then(({ id, seq }) => {
          init.record({ t: Date.now(), node: name, type: 'publish-ok', key, id, sender: peer.me, seq, topic: TOPIC, level: 'L1' })
        }, (err: Error) => { init.record({ t: Date.now(), node: name, type: 'publish-fail', key, error: err.message }) })
      }, 1000 / perPublisher))
    }
    // spam: bad signatures, oversize payloads, wrong topic, in batches every 10 ms
    const forger = nobleSigner(new Uint8Array(32).fill(99))
    const victimKey = nobleSigner(new Uint8Array(32).fill(98)).publicKey
    const good = await sealEnvelope({ network: SIM_NETWORK, topic: 'elsewhere', seq: 1, time: 0, context: { full: false, deps: [] }, payload: new Uint8Array(10) }, forger, crypto)
    for (const [s, spammer] of spammers.entries()) {
      let seq = 1
      spamStart[s] = Date.now()
      const perTick = Math.max(1, Math.round((init.spamRate ?? 1_000) / 100))
      timers.push(setInterval(() => {
        if (Date.now() - started > init.durationMs) return
        for (let k = 0; k < perTick; k++) {
          const kind = seq % 3
          let bytes: Uint8Array
          if (kind === 0) {
            const body = encodeBody({ network: SIM_NETWORK, topic: TOPIC, seq: seq++, time: 0, context: { full: false, deps: [] }, payload: new Uint8Array(32) }, victimKey)
            bytes = encodeEnvelope(body, forger.sign(signingBytes(body)) as Uint8Array)
          } else if (kind === 1) {
            seq++
            bytes = new Uint8Array(70 * 1024).fill(seq & 0xff) // oversize: past the 64 KiB payload cap
          } else {
            seq++
            bytes = Uint8Array.from([...good.bytes.subarray(0, good.bytes.length - 1), seq & 0xff]) // wrong topic, broken signature
          }
          spamSent++
          void spammer.services.pubsub.publish(TOPIC, bytes).catch(() => undefined)
        }
      }, 10))
    }

    // graylisting: every honest neighbour's score of the spammer below the graylist threshold
    const graylistedAfterMs: Array<number | undefined> = spammers.map(() => undefined)
    const deadline = started + init.durationMs
    while (Date.now() < deadline) {
      for (const [s, spammer] of spammers.entries()) {
        if (graylistedAfterMs[s] !== undefined) continue
        const all = spamTargets[s]!.every(v => (v.libp2p.services.pubsub as unknown as { getScore(id: string): number }).getScore(spammer.peerId.toString()) < -80)
        if (all && spamTargets[s]!.length > 0) graylistedAfterMs[s] = Date.now() - spamStart[s]!
      }
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    for (const t of timers) clearInterval(t)
    // drain: up to 30 s for the last messages to reach everyone
    const end = Date.now() + 30_000
    await new Promise(resolve => setTimeout(resolve, 1_000))
    while (Date.now() < end && !init.drained()) await new Promise(resolve => setTimeout(resolve, 500))
    return { graylistedAfterMs, spamSent, peers: peers.length, connections }
  } finally {
    for (const t of timers) clearInterval(t)
    await Promise.all(spammers.map(async s => { await s.stop() }))
    await Promise.all(peers.map(p => p.stop().catch(() => undefined)))
  }
}
