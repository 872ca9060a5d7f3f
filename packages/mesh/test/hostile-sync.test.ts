/**
 * Hostile input at the mesh level, RELIABILITY.md section 11:
 * row 3 (length-prefix bomb on the sync stream, and a slow trickle), row 8 (replay after the
 * receiver restarted), row 9 (seq far ahead), row 12 (phantom dependency: waits, then quarantined, delivered if the dependency comes), row 13
 * (equivocation sent to two sides: the proof reaches every peer; a false proof ends the stream),
 * row 24 (catch-up flood: unasked and oversized sync replies), row 25
 * (withholding: a peer advertises messages and never serves them), row 26 (fake custody
 * receipts: a peer acks everything and stores nothing).
 */
import { encodeBody, encodeEnvelope, nobleSigner, sealEnvelope, signingBytes } from '@weft/core'
import { nodeCrypto } from '@weft/crypto-node'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_FRAME_BYTES, MAX_UNASKED_FRAMES, MAX_WANT_MESSAGES, SYNC_PROTOCOL, WANT_TIMEOUT_MS } from '../src/constants.ts'
import { readFrames, writeFrame } from '../src/sync/framing.ts'
import { packEnvelopes, unpackEnvelopes } from '../src/sync/packing.ts'
import { Cluster, NETWORK, addr, bareNode, until } from './helpers.ts'
import type { WeftPeer } from '../src/peer.ts'
import type { Batch, Entry, SyncFrame } from '../src/sync/pb/sync.ts'
import type { Libp2p } from '@libp2p/interface'

let cluster: Cluster
let fake: Libp2p | undefined
afterEach(async () => {
  await fake?.stop()
  fake = undefined
  await cluster?.stop()
})

const crypto = nodeCrypto()
const input = (topic: string, seq: number, text: string, deps: Array<{ tag: string, seq: number }> = []) =>
  ({ network: NETWORK, topic, seq, time: 0, context: { full: false, deps }, payload: new TextEncoder().encode(text) })

/** Publishes raw envelope bytes from `from` on gossip, as a hostile but well-connected peer would. */
async function inject (from: WeftPeer, topic: string, bytes: Uint8Array): Promise<void> {
  await from.libp2p.services.pubsub.publish(topic, bytes)
}

describe('hostile input at the mesh', () => {
  it('row 3: a length header announcing 2^31 bytes resets the sync stream at once; the peer keeps working', async () => {
    cluster = new Cluster()
    const victim = await cluster.add()
    const attacker = await cluster.add()
    const t = await victim.topic('x')
    const rejected: string[] = []
    victim.addEventListener('message:rejected', e => { rejected.push(e.detail.reason) })
    const stream = await attacker.libp2p.dialProtocol(victim.libp2p.getMultiaddrs()[0]!, SYNC_PROTOCOL)
    stream.send(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x08)) // varint 2^31
    await until(() => rejected.includes('ProtocolError'), 5_000, 'the bomb refused')
    await until(() => stream.status !== 'open', 5_000, 'the stream reset')
    // the victim still publishes and still talks to others
    const got: number[] = []
    const other = await cluster.add({ bootstrap: [addr(victim)] })
    ;(await other.topic('x')).subscribe(m => { got.push(m.seq) })
    await t.publish('still here')
    await until(() => got.length === 1, 10_000, 'delivery after the attack')
  }, 30_000)

  it('row 3 (slow trickle): a frame still incomplete at the deadline after its first byte resets the stream; pauses between whole frames do not', async () => {
    cluster = new Cluster()
    const reader = await bareNode()
    const writer = await bareNode()
    fake = writer
    const outcomes: Array<{ frames: number, error?: string }> = []
    await reader.handle('/weft-test/frames/1', (stream) => {
      const o: { frames: number, error?: string } = { frames: 0 }
      outcomes.push(o)
      void readFrames(stream, () => { o.frames++ }, MAX_FRAME_BYTES, 400).catch((err: Error) => { o.error = err.name })
    })
    try {
      // two whole frames with a pause longer than the deadline between them: fine
      const calm = await writer.dialProtocol(reader.getMultiaddrs()[0]!, '/weft-test/frames/1')
      await writeFrame(calm, { have: { topics: [] } })
      await new Promise(resolve => setTimeout(resolve, 700))
      await writeFrame(calm, { have: { topics: [] } })
      await until(() => outcomes[0]?.frames === 2, 5_000, 'two whole frames')
      // a header announcing 100 bytes, then one byte every 100 ms: reset at the deadline
      const slow = await writer.dialProtocol(reader.getMultiaddrs()[0]!, '/weft-test/frames/1')
      const start = Date.now()
      slow.send(Uint8Array.of(100))
      for (let i = 0; i < 30 && slow.status === 'open' && outcomes[1]?.error === undefined; i++) {
        await new Promise(resolve => setTimeout(resolve, 100))
        if (slow.status === 'open') slow.send(Uint8Array.of(0))
      }
      await until(() => outcomes[1]?.error !== undefined, 5_000, 'the trickle refused')
      expect(outcomes[1]).toEqual({ frames: 0, error: 'ProtocolError' })
      expect(Date.now() - start).toBeLessThan(2_000)
      expect(outcomes[0]!.error).toBeUndefined()
    } finally {
      await reader.stop()
    }
  }, 30_000)

  it('row 8: a message replayed after the receiver restarted is Ignored by gossip and not delivered again', async () => {
    cluster = new Cluster()
    const dir = cluster.dir()
    const sender = await cluster.add()
    let receiver = await cluster.add({ dataDir: dir, bootstrap: [addr(sender)] })
    const ts = await sender.topic('r')
    let got: string[] = []
    ;(await receiver.topic('r')).subscribe(m => { got.push(m.text() ?? '') })
    await until(() => receiver.libp2p.getConnections().length > 0, 5_000, 'connected')
    await new Promise(resolve => setTimeout(resolve, 1200))
    const author = nobleSigner(new Uint8Array(32).fill(61))
    const env = await sealEnvelope(input('r', 1, 'once'), author, crypto)
    await inject(sender, 'r', env.bytes)
    await until(() => got.length === 1, 10_000, 'first delivery')
    await receiver.stop()
    cluster.peers.splice(cluster.peers.indexOf(receiver), 1)
    receiver = await cluster.add({ dataDir: dir, bootstrap: [addr(sender)] })
    got = []
    ;(await receiver.topic('r')).subscribe(m => { got.push(m.text() ?? '') })
    await until(() => receiver.libp2p.getConnections().length > 0, 5_000, 'reconnected')
    await new Promise(resolve => setTimeout(resolve, 1200))
    // the sender's seen cache still holds it: re-sign nothing, send it again over a fresh peer
    const replayer = await cluster.add({ bootstrap: [addr(receiver)] })
    await replayer.topic('r')
    await until(() => replayer.libp2p.getConnections().length > 0, 5_000, 'replayer connected')
    await new Promise(resolve => setTimeout(resolve, 1200))
    await inject(replayer, 'r', env.bytes)
    // the same route carries a new message, so the replay did reach the receiver
    await inject(replayer, 'r', (await sealEnvelope(input('r', 2, 'next'), author, crypto)).bytes)
    await until(() => got.length > 0, 10_000, 'the next message')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual(['next'])
    // gossip Ignored the replay (not forwarded, no penalty for whoever passed it on)
    expect(receiver.stats.gossipReplays).toBe(1)
    expect((receiver.libp2p.services.pubsub as unknown as { getScore(id: string): number }).getScore(replayer.libp2p.peerId.toString())).toBeGreaterThanOrEqual(0)
    void ts
  }, 60_000)

  it('row 13: an author signs two versions of one seq, each side keeps its own; once a peer sees both, the proof reaches every peer, also one that joins later; a proof that proves nothing ends the stream', async () => {
    cluster = new Cluster()
    // two sides that do not meet: a, fed by ia; c, fed by ic
    const a = await cluster.add()
    const c = await cluster.add()
    const ia = await cluster.add({ bootstrap: [addr(a)] })
    const ic = await cluster.add({ bootstrap: [addr(c)] })
    const side = new Map<WeftPeer, string[]>()
    const told = new Map<WeftPeer, Array<{ seq: number, from?: string }>>()
    const watch = async (p: WeftPeer): Promise<void> => {
      side.set(p, [])
      told.set(p, [])
      ;(await p.topic('q')).subscribe(m => { side.get(p)!.push(m.text() ?? '') })
      p.addEventListener('equivocation', e => { told.get(p)!.push({ seq: e.detail.proof.seq, ...(e.detail.from !== undefined ? { from: e.detail.from } : {}) }) })
    }
    for (const p of [a, c, ia, ic]) await watch(p)
    await until(() => ia.libp2p.getConnections().length > 0 && ic.libp2p.getConnections().length > 0, 5_000, 'connected')
    await new Promise(resolve => setTimeout(resolve, 1200))
    const liar = nobleSigner(new Uint8Array(32).fill(63))
    const one = await sealEnvelope(input('q', 1, 'version one'), liar, crypto)
    const two = await sealEnvelope(input('q', 1, 'version two'), liar, crypto)
    await inject(ia, 'q', one.bytes)
    await inject(ic, 'q', two.bytes)
    await until(() => side.get(a)!.length === 1 && side.get(c)!.length === 1, 10_000, 'each side delivers its version')
    expect(side.get(a)).toEqual(['version one'])
    expect(side.get(c)).toEqual(['version two'])
    for (const p of [a, c, ia, ic]) expect(told.get(p)).toEqual([]) // nobody has seen both yet
    // b meets both sides: it gets one version by sync, sees the other, and tells everyone
    const b = await cluster.add({ bootstrap: [addr(a), addr(c)] })
    await watch(b)
    const all = [a, b, c, ia, ic]
    await until(() => all.every(p => told.get(p)!.length === 1), 15_000, 'the proof at every peer')
    for (const p of all) expect(told.get(p)![0]!.seq).toBe(1)
    expect(told.get(b)![0]!.from).toBeUndefined() // b found it
    expect(told.get(a)![0]!.from).toBe(b.libp2p.peerId.toString()) // a was told by b
    for (const p of all) {
      let stored = 0
      await until(async () => (stored = (await p.store.proofs('q')).length) >= 1, 5_000, 'the proof stored')
      expect(stored).toBe(1)
    }
    // each side still holds the version it kept: the proof carries both, so every peer can tell
    expect(side.get(a)).toEqual(['version one'])
    expect(side.get(c)).toEqual(['version two'])
    // a peer that joins later gets the proof when its session opens
    const d = await cluster.add({ bootstrap: [addr(c)] })
    await watch(d)
    await until(() => told.get(d)!.length === 1, 10_000, 'the proof at a late peer')
    await new Promise(resolve => setTimeout(resolve, 500))
    for (const p of [...all, d]) expect(told.get(p)).toHaveLength(1) // once each: passed on once, not echoed back
    // a false proof (two copies of one message) from a raw sync peer ends its stream, and is not taken
    const rejected: string[] = []
    a.addEventListener('message:rejected', e => { rejected.push(e.detail.reason) })
    const forger = nobleSigner(new Uint8Array(32).fill(64))
    const honest = await sealEnvelope(input('q', 1, 'only one'), forger, crypto)
    const { send, stream } = await cluster.fakeSyncPeer(a)
    const copy = honest.bytes as Uint8Array<ArrayBuffer>
    await send({ proofs: { topic: 'q', proofs: [{ first: copy, second: copy }] } })
    await until(() => rejected.includes('InvalidProof'), 5_000, 'the false proof refused')
    await until(() => stream.status !== 'open', 5_000, 'its stream ended')
    expect(await a.store.proofs('q')).toHaveLength(1)
  }, 60_000)

  it('row 13 (after restarts): two peers that each kept one version of an equivocated seq, both restarted since, find the fork when they first meet', async () => {
    cluster = new Cluster()
    const dirA = cluster.dir()
    const dirC = cluster.dir()
    let a = await cluster.add({ dataDir: dirA })
    let c = await cluster.add({ dataDir: dirC })
    const ia = await cluster.add({ bootstrap: [addr(a)] })
    const ic = await cluster.add({ bootstrap: [addr(c)] })
    const got = new Map<WeftPeer, string[]>([[a, []], [c, []]])
    for (const p of [a, c]) (await p.topic('f')).subscribe(m => { got.get(p)!.push(m.text() ?? '') })
    for (const p of [ia, ic]) await p.topic('f')
    await until(() => ia.libp2p.getConnections().length > 0 && ic.libp2p.getConnections().length > 0, 5_000, 'connected')
    await new Promise(resolve => setTimeout(resolve, 1200))
    const liar = nobleSigner(new Uint8Array(32).fill(65))
    await inject(ia, 'f', (await sealEnvelope(input('f', 1, 'version one'), liar, crypto)).bytes)
    await inject(ic, 'f', (await sealEnvelope(input('f', 1, 'version two'), liar, crypto)).bytes)
    await until(() => got.get(a)!.length === 1 && got.get(c)!.length === 1, 10_000, 'each side delivers its version')
    // both stop; their feeders go away for good
    for (const p of [a, c, ia, ic]) {
      await p.stop()
      cluster.peers.splice(cluster.peers.indexOf(p), 1)
    }
    // restarted on their stores, a and c meet for the first time, with nothing stored since
    a = await cluster.add({ dataDir: dirA })
    const found: Array<{ peer: string, seq: number }> = []
    const watch = (p: WeftPeer, name: string): void => { p.addEventListener('equivocation', e => { found.push({ peer: name, seq: e.detail.proof.seq }) }) }
    watch(a, 'a')
    await a.topic('f')
    c = await cluster.add({ dataDir: dirC, bootstrap: [addr(a)] })
    watch(c, 'c')
    await c.topic('f')
    await until(() => found.some(f => f.peer === 'a') && found.some(f => f.peer === 'c'), 15_000, 'the fork found on both sides')
    expect(found.every(f => f.seq === 1)).toBe(true)
    for (const p of [a, c]) {
      let stored = 0
      await until(async () => (stored = (await p.store.proofs('f')).length) >= 1, 5_000, 'the proof stored')
      expect(stored).toBe(1)
    }
  }, 60_000)

  it('row 9: a seq far ahead of the frontier is refused without buffering; row 12: a phantom dependency waits in the buffer without holding up anyone else', async () => {
    cluster = new Cluster()
    const victim = await cluster.add()
    const relay = await cluster.add({ bootstrap: [addr(victim)] })
    const t = await victim.topic('g')
    await relay.topic('g')
    const got: string[] = []
    t.subscribe(m => { got.push(m.text() ?? '') })
    const rejected: string[] = []
    victim.addEventListener('message:rejected', e => { rejected.push(e.detail.reason) })
    await until(() => relay.libp2p.getConnections().length > 0, 5_000, 'connected')
    await new Promise(resolve => setTimeout(resolve, 1200))
    const liar = nobleSigner(new Uint8Array(32).fill(62))
    await inject(relay, 'g', (await sealEnvelope(input('g', 1_000_000, 'far ahead'), liar, crypto)).bytes)
    await until(() => rejected.includes('SeqOutOfRangeError'), 10_000, 'the far seq refused')
    expect(t.buffered.messages).toBe(0)
    // a phantom: depends on (unknown author, seq 5); it waits in the buffer, repair is asked, nothing arrives
    const body = encodeBody(input('g', 1, 'phantom', [{ tag: 'aabbccddeeff0011', seq: 5 }]), liar.publicKey)
    await inject(relay, 'g', encodeEnvelope(body, await liar.sign(signingBytes(body))))
    await until(() => t.buffered.messages === 1, 10_000, 'the phantom buffered')
    // an honest message from someone else is delivered meanwhile
    const honest = nobleSigner(new Uint8Array(32).fill(63))
    await inject(relay, 'g', (await sealEnvelope(input('g', 1, 'honest'), honest, crypto)).bytes)
    await until(() => got.includes('honest'), 10_000, 'honest delivery')
    expect(got).not.toContain('phantom')
  }, 60_000)

  it('row 12 (quarantine): a message whose dependency does not come within T_dep is quarantined, no longer repaired, and delivered in order when the dependency comes after all', async () => {
    cluster = new Cluster()
    const victim = await cluster.add({ dependencyTimeoutMs: 1_000 })
    const relay = await cluster.add({ bootstrap: [addr(victim)] })
    const t = await victim.topic('q')
    await relay.topic('q')
    const got: string[] = []
    t.subscribe(m => { got.push(m.text() ?? '') })
    const gaveUp: Array<{ text: string, reason: string }> = []
    victim.addEventListener('dependency:gave-up', e => { gaveUp.push({ text: new TextDecoder().decode(e.detail.expired.envelope.payload), reason: e.detail.expired.reason }) })
    let asked = 0
    victim.addEventListener('dependency:missing', () => { asked++ })
    await until(() => relay.libp2p.getConnections().length > 0, 5_000, 'connected')
    await new Promise(resolve => setTimeout(resolve, 1200))
    // `dep` is held by no peer yet (its holder is away); `waits` depends on it, `next` follows `waits`
    const away = nobleSigner(new Uint8Array(32).fill(70))
    const author = nobleSigner(new Uint8Array(32).fill(71))
    const dep = await sealEnvelope(input('q', 1, 'the dependency'), away, crypto)
    const waits = await sealEnvelope(input('q', 1, 'waits for it', [{ tag: dep.authorTag, seq: 1 }]), author, crypto)
    const next = await sealEnvelope(input('q', 2, 'after it'), author, crypto)
    await inject(relay, 'q', waits.bytes)
    await until(() => gaveUp.length === 1, 10_000, 'quarantined after T_dep')
    expect(gaveUp).toEqual([{ text: 'waits for it', reason: 'dependency-timeout' }])
    expect(asked).toBeGreaterThan(0) // repair was asked while it waited
    expect(t.quarantined.messages).toBe(1)
    expect(t.buffered.messages).toBe(0)
    // no more repair for it
    const askedThen = asked
    await new Promise(resolve => setTimeout(resolve, 1_000))
    expect(asked).toBe(askedThen)
    // its author's next message waits behind it, then joins it
    await inject(relay, 'q', next.bytes)
    await until(() => gaveUp.length === 2, 10_000, 'the next one quarantined too')
    expect(gaveUp[1]).toEqual({ text: 'after it', reason: 'dependency-timeout' })
    expect(t.quarantined.messages).toBe(2)
    expect(got).toEqual([])
    // the dependency comes after all: all three are delivered, in causal order, and stored
    await inject(relay, 'q', dep.bytes)
    await until(() => got.length === 3, 10_000, 'delivered after the dependency came')
    expect(got).toEqual(['the dependency', 'waits for it', 'after it'])
    expect(t.quarantined.messages).toBe(0)
    await until(() => t.held.get(waits.author) === 2, 5_000, 'stored')
  }, 60_000)

  it('row 24: sync batches that answer no want are dropped unverified, and the stream ends past the tolerance; a reply larger than its want ends it at once', async () => {
    cluster = new Cluster()
    const victim = await cluster.add()
    const honest = await cluster.add({ bootstrap: [addr(victim)] })
    const t = await victim.topic('f')
    await honest.topic('f')
    const got: string[] = []
    t.subscribe(m => { got.push(m.text() ?? '') })
    const rejected: string[] = []
    victim.addEventListener('message:rejected', e => { rejected.push(e.detail.reason) })
    const author = nobleSigner(new Uint8Array(32).fill(64))
    const envs = await Promise.all([1, 2, 3].map(async seq => (await sealEnvelope(input('f', seq, `m${seq}`), author, crypto)).bytes as Uint8Array<ArrayBuffer>))
    const attacker = await cluster.fakeSyncPeer(victim)
    await attacker.send({ hello: { network: NETWORK, topics: [] } })
    // valid, signed envelopes, but in a reply to a want the victim never sent
    for (let i = 0; i < MAX_UNASKED_FRAMES; i++) await attacker.send({ batch: { topic: 'f', wantId: 999 + i, envelopes: envs, packed: [], last: true } })
    await until(() => victim.stats.unaskedEnvelopes === MAX_UNASKED_FRAMES * 3, 5_000, 'the unasked envelopes dropped')
    expect(victim.stats.batchEnvelopes).toBe(0)
    expect(rejected.filter(r => r === 'UnaskedBatch')).toHaveLength(MAX_UNASKED_FRAMES)
    expect(attacker.stream.status).toBe('open')
    // one more ends the attacker's stream
    await attacker.send({ batch: { topic: 'f', wantId: 2000, envelopes: envs, packed: [], last: true } })
    await until(() => rejected.includes('ProtocolError'), 5_000, 'the stream ended')
    await until(() => attacker.stream.status !== 'open', 5_000, 'the stream reset')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual([])
    // the same envelopes are fine when they come the honest way
    for (const e of envs) await honest.libp2p.services.pubsub.publish('f', e)
    await until(() => got.length === 3, 10_000, 'honest delivery of the same envelopes')
    expect(got).toEqual(['m1', 'm2', 'm3'])

    // a want in flight, answered with more envelopes than a want may ask for: refused before any is verified
    const flood = await cluster.fakeSyncPeer(victim)
    await flood.send({ hello: { network: NETWORK, topics: [{ topic: 'f', held: [{ author: 'someone', seq: 10n, head: new Uint8Array(0) }], oldest: [], full: true }] } })
    await until(() => flood.wants.length > 0, 5_000, 'the victim asks the flooder')
    const before = { unasked: victim.stats.unaskedEnvelopes, batch: victim.stats.batchEnvelopes, rejected: rejected.length }
    const junk = Array.from({ length: MAX_WANT_MESSAGES + 1 }, () => Uint8Array.of(1, 2, 3))
    await flood.send({ batch: { topic: 'f', wantId: flood.wants[0]!.id, envelopes: junk, packed: [], last: false } })
    await until(() => flood.stream.status !== 'open', 5_000, 'the flood stream reset')
    expect(victim.stats.unaskedEnvelopes - before.unasked).toBe(MAX_WANT_MESSAGES + 1)
    expect(victim.stats.batchEnvelopes).toBe(before.batch)
    expect(rejected.slice(before.rejected)).toEqual(['ProtocolError']) // no envelope was even decoded
  }, 60_000)

  it('packed replies: a want asks for them, one is taken like a plain one, and a want is served packed only when it asks; a packed frame that refers outside itself, or would rebuild past the frame limit, resets the stream before any envelope is decoded', async () => {
    cluster = new Cluster()
    const victim = await cluster.add()
    const t = await victim.topic('p')
    const got: string[] = []
    t.subscribe(m => { got.push(m.text() ?? '') })
    const rejected: string[] = []
    victim.addEventListener('message:rejected', e => { rejected.push(e.detail.reason) })
    const author = nobleSigner(new Uint8Array(32).fill(65))
    const envs = await Promise.all([1, 2, 3].map(async seq => await sealEnvelope(input('p', seq, `m${seq}`), author, crypto)))
    const claim = (seq: number): Entry[] => [{ author: envs[0]!.author, seq: BigInt(seq), head: new Uint8Array(0) }]
    const replies: Batch[] = []
    const peer = await cluster.fakeSyncPeer(victim, f => { if (f.batch !== undefined) replies.push(f.batch) })
    await peer.send({ hello: { network: NETWORK, topics: [{ topic: 'p', held: claim(3), oldest: [], full: true }] } })
    await until(() => peer.wants.length === 1, 5_000, 'the victim asks')
    expect(peer.wants[0]!.packed).toBe(true)
    await peer.send({ batch: { topic: 'p', wantId: peer.wants[0]!.id, envelopes: [], packed: packEnvelopes(envs.map(e => e.bytes)) as Array<Uint8Array<ArrayBuffer>>, last: true } })
    await until(() => got.length === 3, 5_000, 'the packed reply delivered')
    expect(got).toEqual(['m1', 'm2', 'm3'])
    // served: packed to a want that asks for it, plain to one that does not (a peer from before packed replies)
    for (const packed of [true, false]) {
      await peer.send({ want: { topic: 'p', id: packed ? 71 : 72, ranges: [{ author: envs[0]!.author, from: 1n, to: 3n }], maxMessages: 10, packed } })
      await until(() => replies.some(b => b.wantId === (packed ? 71 : 72) && b.last), 5_000, `the ${packed ? 'packed' : 'plain'} reply`)
      const reply = replies.find(b => b.wantId === (packed ? 71 : 72))!
      const rebuilt = packed ? unpackEnvelopes(reply.packed, MAX_FRAME_BYTES) : reply.envelopes
      expect(packed ? reply.envelopes : reply.packed).toEqual([])
      expect(rebuilt.map(b => Buffer.from(b).toString('hex'))).toEqual(envs.map(e => Buffer.from(e.bytes).toString('hex')))
    }

    const bad: Array<[string, Uint8Array[]]> = [
      ['a reference before the frame', [Uint8Array.from([0x0a, 3, 1, 2, 9])]],
      ['a frame that rebuilds past 4 MiB', [Uint8Array.from([0x0a, 0x80, 0x80, 0x04, 0, ...new Uint8Array(65_536)]), ...Array.from({ length: 70 }, () => Uint8Array.from([0x0a, 0x80, 0x80, 0x04, 1, 0x80, 0x80, 0x04]))]]
    ]
    for (const [i, [what, packed]] of bad.entries()) {
      const attacker = await cluster.fakeSyncPeer(victim)
      await attacker.send({ hello: { network: NETWORK, topics: [{ topic: 'p', held: claim(4 + i), oldest: [], full: true }] } })
      await until(() => attacker.wants.length === 1, 5_000, `the victim asks (${what})`)
      const before = { batch: victim.stats.batchEnvelopes, rejected: rejected.length }
      await attacker.send({ batch: { topic: 'p', wantId: attacker.wants[0]!.id, envelopes: [], packed: packed as Array<Uint8Array<ArrayBuffer>>, last: true } })
      await until(() => attacker.stream.status !== 'open', 5_000, `the stream reset (${what})`)
      expect(rejected.slice(before.rejected), what).toEqual(['ProtocolError'])
      expect(victim.stats.batchEnvelopes - before.batch, what).toBe(0) // none rebuilt, none decoded
    }
    expect(got).toEqual(['m1', 'm2', 'm3'])
  }, 60_000)

  it('row 25: a peer that advertises messages and never serves them delays nothing another peer holds; its want times out and it is not asked again until its frontier moves', async () => {
    cluster = new Cluster()
    const holder = await cluster.add()
    const th = await holder.topic('w')
    for (let i = 1; i <= 50; i++) await th.publish(`m${i}`)
    const victim = await cluster.add()
    const t = await victim.topic('w')
    const got: number[] = []
    t.subscribe(m => { got.push(m.seq) })
    const withholder = await cluster.fakeSyncPeer(victim)
    const claim = (seq: number): SyncFrame => ({ have: { topics: [{ topic: 'w', held: [{ author: holder.me, seq: BigInt(seq), head: new Uint8Array(0) }], oldest: [], full: false }] } })
    // it claims ten more than anyone has
    await withholder.send({ hello: { network: NETWORK, topics: [{ topic: 'w', held: [{ author: holder.me, seq: 60n, head: new Uint8Array(0) }], oldest: [], full: true }] } })
    await until(() => withholder.wants.length === 1, 5_000, 'the victim asks the withholder')
    const askedAt = Date.now()
    // the real holder comes along: the victim gets everything from it while the first want still hangs
    await victim.libp2p.dial(holder.libp2p.getMultiaddrs()[0]!)
    await until(() => got.length === 50, 10_000, 'delivery from the other holder')
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(Date.now() - askedAt).toBeLessThan(WANT_TIMEOUT_MS)
    expect(victim.stats.wantsTimedOut).toBe(0)
    await until(() => victim.stats.wantsTimedOut === 1, WANT_TIMEOUT_MS + 5_000, 'the hanging want given up')
    expect(Date.now() - askedAt).toBeGreaterThanOrEqual(WANT_TIMEOUT_MS - 50)
    // stalled: a Have that repeats its frontier is no reason to ask again for 51–60
    await withholder.send(claim(60))
    await new Promise(resolve => setTimeout(resolve, 1_000))
    expect(withholder.wants).toHaveLength(1)
    // its frontier moves: asked again, for what the victim lacks
    await withholder.send(claim(61))
    await until(() => withholder.wants.length === 2, 5_000, 'asked again after its frontier moved')
    expect(withholder.wants[1]!.ranges.map(r => [r.author, Number(r.from), Number(r.to)])).toEqual([[holder.me, 51, 61]])
  }, 60_000)

  it('row 12 (repair fan-out): a peer that lacks 50 messages five neighbours hold asks at most 3 of them at once, and gets each message once', async () => {
    cluster = new Cluster()
    const author = await cluster.add()
    const ta = await author.topic('fan')
    for (let i = 1; i <= 50; i++) await ta.publish(`m${i}`)
    const neighbours = await Promise.all(Array.from({ length: 5 }, async () => await cluster.add({ bootstrap: [addr(author)] })))
    const tn = await Promise.all(neighbours.map(async n => await n.topic('fan')))
    await until(() => tn.every(t => (t.held.get(author.me) ?? 0) === 50), 20_000, 'every neighbour holds all 50')
    const victim = await cluster.add()
    const got: number[] = []
    ;(await victim.topic('fan')).subscribe(m => { got.push(m.seq) })
    await Promise.all(neighbours.map(async n => await victim.libp2p.dial(n.libp2p.getMultiaddrs()[0]!)))
    await until(() => got.length === 50, 10_000, 'the 50 messages')
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    const served = neighbours.map(n => n.stats.envelopesServed)
    expect(served.filter(n => n > 0).length).toBeLessThanOrEqual(3)
    expect(victim.stats.batchEnvelopes).toBeLessThanOrEqual(3 * 50)
  }, 60_000)

  it('row 26: a peer that acks everything and stores nothing cannot make a message acked alone when the quorum is 2; the message reaches subscribers through a real holder', async () => {
    cluster = new Cluster()
    const publisher = await cluster.add({ ackQuorum: 2 })
    const tp = await publisher.topic('receipts')
    // the liar echoes the publisher's own frontier back as its custody ack, at once
    let liar: Awaited<ReturnType<Cluster['fakeSyncPeer']>> | undefined
    const echoed: bigint[] = []
    liar = await cluster.fakeSyncPeer(publisher, f => {
      for (const t of [...(f.hello?.topics ?? []), ...(f.have?.topics ?? [])]) {
        const mine = t.held.filter(e => e.author === publisher.me)
        if (t.topic !== 'receipts' || mine.length === 0) continue
        echoed.push(mine[0]!.seq)
        void liar?.send({ have: { topics: [{ topic: 'receipts', held: mine, oldest: [], full: false }] } })
      }
    })
    await liar.send({ hello: { network: NETWORK, topics: [{ topic: 'receipts', held: [], oldest: [], full: true }] } })
    const acks: string[][] = []
    publisher.addEventListener('message:acked', e => { acks.push(e.detail.peers) })
    const { acked } = await tp.publish('kept by whom?')
    await until(() => echoed.includes(1n), 5_000, 'the liar acks seq 1')
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(acks).toEqual([]) // one receipt, from the liar: not acked
    expect(tp.outbox.map(e => e.seq)).toEqual([1])
    // a real holder comes, and a subscriber that reaches only that holder
    const holder = await cluster.add({ bootstrap: [addr(publisher)] })
    await holder.topic('receipts')
    const reader = await cluster.add({ bootstrap: [addr(holder)] })
    const got: string[] = []
    ;(await reader.topic('receipts')).subscribe(m => { got.push(m.text() ?? '') })
    const outcome = await acked
    expect(outcome.acked).toBe(true)
    expect(new Set(acks[0])).toEqual(new Set([liar.node.peerId.toString(), holder.me]))
    await until(() => got.length === 1, 10_000, 'the subscriber gets it through the real holder')
    expect(got).toEqual(['kept by whom?'])
  }, 60_000)
})
