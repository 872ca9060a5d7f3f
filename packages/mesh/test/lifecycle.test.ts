/**
 * Life cycle and limits: stop() twice is safe and refuses later publishes;
 * the in-flight window makes publish wait (or reject with WindowFullError)
 * while a connected subscriber acks nothing; a key this store did not create
 * waits for its frontier from peers and never reuses a seq.
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { MemoryStore, WeftStore } from '@weft/core'
import { nodeCrypto, nodeSigner } from '@weft/crypto-node'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { weftGossipsub } from '../src/gossip.ts'
import { createPeer } from '../src/peer.ts'
import { Cluster, NETWORK, connect, until } from './helpers.ts'
import type { StoreWrite } from '@weft/core'
import type { WeftPeer } from '../src/peer.ts'

let cluster: Cluster
const extra: WeftPeer[] = []
afterEach(async () => {
  await Promise.all(extra.splice(0).map(p => p.stop()))
  await cluster?.stop()
})

/** A memory store whose writes wait while `stalled`: the peer then acks nothing until `release()`. */
class StallingStore extends MemoryStore {
  stalled = false
  readonly #waiting: Array<() => void> = []
  override async write (ops: readonly StoreWrite[]): Promise<void> {
    if (this.stalled) await new Promise<void>(resolve => this.#waiting.push(resolve))
    return await super.write(ops)
  }

  release (): void {
    this.stalled = false
    for (const go of this.#waiting.splice(0)) go()
  }
}

async function peerWithKey (seed: Uint8Array, store: WeftStore, newIdentity = false): Promise<WeftPeer> {
  const crypto = nodeCrypto()
  const libp2p = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', seed),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: weftGossipsub({ crypto }) }
  })
  const peer = await createPeer({ libp2p, store, network: NETWORK, signer: nodeSigner(seed), crypto, newIdentity })
  extra.push(peer)
  return peer
}

describe('peer life cycle and limits', () => {
  it('stop() twice is safe; publishing after stop fails with PeerStoppedError', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    const t = await a.topic('x')
    await t.publish('one')
    await a.stop()
    await a.stop()
    await expect(t.publish('two')).rejects.toHaveProperty('name', 'PeerStoppedError')
    await expect(a.topic('y')).rejects.toHaveProperty('name', 'PeerStoppedError')
  })

  it('the window holds back the publisher while a subscriber acks nothing', async () => {
    cluster = new Cluster()
    const a = await cluster.add({ window: 5 })
    const adapter = new StallingStore()
    const b = await cluster.add({ adapter })
    await connect(a, b)
    const [ta] = await Promise.all([a.topic('w'), b.topic('w')])
    await until(() => ta.inFlight === 0 && a.libp2p.getConnections().length > 0, 5_000, 'session')
    await new Promise(resolve => setTimeout(resolve, 300))
    adapter.stalled = true
    for (let i = 0; i < 5; i++) await ta.publish(`m${i}`)
    expect(ta.inFlight).toBe(5)
    await expect(ta.publish('too many', { wait: false })).rejects.toHaveProperty('name', 'WindowFullError')
    const controller = new AbortController()
    const waiting = ta.publish('waits', { signal: controller.signal })
    await new Promise(resolve => setTimeout(resolve, 300))
    controller.abort(new Error('gave up waiting'))
    await expect(waiting).rejects.toThrow('gave up waiting')
    expect(ta.held.get(a.me)).toBe(5) // nothing written past the window
    adapter.release() // the subscriber catches up and acks: the publisher may go on
    await until(() => ta.inFlight === 0, 10_000, 'acks after release')
    await ta.publish('after release', { wait: false })
  })

  it('a key the store did not create waits for its frontier from peers, then continues above it', async () => {
    cluster = new Cluster()
    const seed = new Uint8Array(32).fill(77)
    const witness = await cluster.add()
    // first life: a brand-new key, writes 3 messages that the witness stores
    const first = await peerWithKey(seed, await WeftStore.open(new MemoryStore(), { now: Date.now, randomId: () => 'a' }), true)
    await connect(first, witness)
    const [t1, tw] = await Promise.all([first.topic('k'), witness.topic('k')])
    const seen: number[] = []
    tw.subscribe(m => { if (m.author === first.me) seen.push(m.seq) })
    for (let i = 0; i < 3; i++) await t1.publish(`life 1, ${i}`)
    await until(() => seen.length === 3, 10_000, 'witness stores the first life')
    await first.stop()
    extra.splice(extra.indexOf(first), 1)
    // second life: same key, empty store (wiped), not declared new
    const second = await peerWithKey(seed, await WeftStore.open(new MemoryStore(), { now: Date.now, randomId: () => 'b' }))
    const t2 = await second.topic('k')
    const pending = t2.publish('life 2')
    let settled = false
    void pending.then(() => { settled = true })
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(settled).toBe(false) // waits: it does not know where its seqs stand
    await connect(second, witness)
    const { seq } = await pending
    expect(seq).toBe(4)
    await until(() => seen.length === 4, 10_000, 'the witness delivers the new message')
    expect(seen).toEqual([1, 2, 3, 4])
  })
})
