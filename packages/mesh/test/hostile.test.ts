/**
 * (e) A raw gossipsub peer (no weft) injects forged, malformed and replayed
 * envelopes on the topic: none is delivered, and the honest peers' gossipsub
 * score of the attacker goes negative.
 */
import { encodeBody, encodeEnvelope, nobleSigner, sealEnvelope, signingBytes } from '@weft/core'
import { nodeCrypto } from '@weft/crypto-node'
import { afterEach, describe, expect, it } from 'vitest'
import { GOSSIP_BUNDLE_MAX_ENVELOPES, isBundle, packGossip, unpackGossip } from '../src/bundle.ts'
import { Cluster, NETWORK, rawGossipPeer, until } from './helpers.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'

let cluster: Cluster
let raw: Libp2p<{ pubsub: GossipSub }> | undefined
afterEach(async () => {
  await raw?.stop()
  await cluster?.stop()
})

describe('hostile gossip', () => {
  it('(e) forged, malformed and replayed envelopes are never delivered; the sender is scored below zero', async () => {
    cluster = new Cluster()
    const honest = await cluster.add()
    const other = await cluster.add()
    await honest.libp2p.dial(other.libp2p.getMultiaddrs()[0]!)
    const topic = await honest.topic('t')
    await other.topic('t') // a second honest subscriber, so the topic has a mesh
    const got: string[] = []
    topic.subscribe(m => { got.push(m.text() ?? '') })
    const rejected: string[] = []
    honest.addEventListener('message:rejected', (e) => { rejected.push(e.detail.reason) })

    raw = await rawGossipPeer(honest, 't')

    const victim = nobleSigner(new Uint8Array(32).fill(42))
    const attacker = nobleSigner(new Uint8Array(32).fill(43))
    const crypto = nodeCrypto()
    const input = (seq: number, text: string) => ({ network: NETWORK, topic: 't', seq, time: 0, context: { full: false, deps: [] }, payload: new TextEncoder().encode(text) })
    // a valid message from the victim, delivered normally through the honest mesh
    const genuine = await sealEnvelope(input(1, 'genuine'), victim, crypto)
    await raw.services.pubsub.publish('t', genuine.bytes)
    await until(() => got.includes('genuine'), 10_000, 'the genuine message')
    // forged: names the victim, signed by the attacker
    for (let i = 2; i < 30; i++) {
      const body = encodeBody(input(i, `forged ${i}`), victim.publicKey)
      await raw.services.pubsub.publish('t', encodeEnvelope(body, await attacker.sign(signingBytes(body))))
    }
    // malformed bytes
    for (let i = 0; i < 30; i++) await raw.services.pubsub.publish('t', Uint8Array.from([0x0a, 0xff, i, 1, 2, 3]))
    // wrong network and wrong topic
    await raw.services.pubsub.publish('t', (await sealEnvelope({ ...input(2, 'other network'), network: 'elsewhere' }, attacker, crypto)).bytes)
    await raw.services.pubsub.publish('t', (await sealEnvelope({ ...input(3, 'other topic'), topic: 'u' }, attacker, crypto)).bytes)
    // replay: the genuine message again (as another gossip message it is dropped as a duplicate)
    await raw.services.pubsub.publish('t', genuine.bytes).catch(() => undefined)
    await until(() => rejected.length >= 55, 10_000, 'rejections')
    await new Promise(resolve => setTimeout(resolve, 1500)) // a heartbeat refreshes scores
    expect(got).toEqual(['genuine'])
    expect(new Set(rejected)).toEqual(new Set(['BadSignatureError', 'MalformedEnvelopeError', 'WrongNetworkError', 'WrongTopicError']))
    const score = (honest.libp2p.services.pubsub as unknown as { getScore(id: string): number }).getScore(raw.peerId.toString())
    expect(score).toBeLessThan(0)
  }, 60_000)

  it('equivocation: two different signed messages with one (author, seq) keep the first and record a proof', async () => {
    cluster = new Cluster()
    const honest = await cluster.add()
    const topic = await honest.topic('e')
    const got: string[] = []
    topic.subscribe(m => { got.push(m.text() ?? '') })
    const proofs: Array<{ seq: number }> = []
    honest.addEventListener('equivocation', (e) => { proofs.push(e.detail.proof) })
    raw = await rawGossipPeer(honest, 'e')
    const liar = nobleSigner(new Uint8Array(32).fill(44))
    const crypto = nodeCrypto()
    const msg = (text: string) => ({ network: NETWORK, topic: 'e', seq: 1, time: 0, context: { full: false, deps: [] }, payload: new TextEncoder().encode(text) })
    await raw.services.pubsub.publish('e', (await sealEnvelope(msg('first version'), liar, crypto)).bytes)
    await until(() => got.length === 1, 10_000, 'the first version')
    await raw.services.pubsub.publish('e', (await sealEnvelope(msg('second version'), liar, crypto)).bytes)
    await until(() => proofs.length === 1, 10_000, 'the equivocation proof')
    expect(got).toEqual(['first version'])
    expect(proofs[0]).toMatchObject({ seq: 1 })
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(await honest.store.proofs('e')).toHaveLength(1)
  }, 60_000)

  it('bundles: one bad envelope, a second author or a seq out of order rejects the whole bundle; a bundle of replays is ignored; a sound one delivers every envelope in order', async () => {
    cluster = new Cluster()
    const honest = await cluster.add()
    const topic = await honest.topic('b')
    const got: string[] = []
    topic.subscribe(m => { got.push(m.text() ?? '') })
    const rejected: string[] = []
    honest.addEventListener('message:rejected', (e) => { rejected.push(e.detail.reason) })
    raw = await rawGossipPeer(honest, 'b')
    const crypto = nodeCrypto()
    const alice = nobleSigner(new Uint8Array(32).fill(45))
    const bob = nobleSigner(new Uint8Array(32).fill(46))
    const input = (seq: number, text: string) => ({ network: NETWORK, topic: 'b', seq, time: 0, context: { full: false, deps: [] }, payload: new TextEncoder().encode(text) })
    const a = await Promise.all([1, 2, 3, 4].map(async seq => (await sealEnvelope(input(seq, `a${seq}`), alice, crypto)).bytes))
    const b1 = (await sealEnvelope(input(1, 'b1'), bob, crypto)).bytes
    const forgedBody = encodeBody(input(3, 'forged'), alice.publicKey)
    const forged = encodeEnvelope(forgedBody, await bob.sign(signingBytes(forgedBody)))
    const send = async (envs: Uint8Array[]): Promise<void> => {
      const [data] = packGossip(envs)
      expect(isBundle(data!)).toBe(true)
      await raw!.services.pubsub.publish('b', data!)
    }
    await send([a[0]!, a[1]!, forged]) // a valid start, then a forgery
    await send([a[0]!, b1]) // two authors
    await send([a[1]!, a[0]!]) // seqs out of order
    await until(() => rejected.length === 3, 10_000, 'three rejections')
    expect(rejected.sort()).toEqual(['BadSignatureError', 'MalformedEnvelopeError', 'MalformedEnvelopeError']) // validations run concurrently
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual([]) // nothing of a rejected bundle is taken, not even its valid envelopes

    await send([a[0]!, a[1]!, a[2]!, a[3]!])
    await until(() => got.length === 4, 10_000, 'the sound bundle')
    expect(got).toEqual(['a1', 'a2', 'a3', 'a4'])
    const replays = honest.stats.gossipReplays
    await send([a[1]!, a[2]!]) // a new gossip message (another bundle id) of stored envelopes
    await until(() => honest.stats.gossipReplays === replays + 2, 10_000, 'the replays counted')
    expect(got).toHaveLength(4)
    expect(rejected).toHaveLength(3)
  }, 60_000)

  it('a burst of publishes goes out as bundles of up to 64 envelopes', async () => {
    cluster = new Cluster()
    const honest = await cluster.add()
    const topic = await honest.topic('p')
    raw = await rawGossipPeer(honest, 'p')
    const seen: number[] = []
    raw.services.pubsub.addEventListener('message', (e) => { seen.push(unpackGossip(e.detail.data).length) })
    await Promise.all(Array.from({ length: 200 }, async (_, i) => await topic.publish(`m${i}`)))
    await until(() => seen.reduce((n, k) => n + k, 0) >= 200, 10_000, 'all 200 on gossip')
    expect(seen.reduce((n, k) => n + k, 0)).toBe(200)
    expect(seen.length).toBeLessThanOrEqual(8) // 200 in one or a few publish batches, 64 per bundle
    expect(Math.max(...seen)).toBe(GOSSIP_BUNDLE_MAX_ENVELOPES)
  }, 60_000)
})
