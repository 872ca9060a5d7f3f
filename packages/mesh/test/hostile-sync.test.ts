/**
 * Hostile input at the mesh level, RELIABILITY.md section 11:
 * row 3 (length-prefix bomb on the sync stream), row 8 (replay after the
 * receiver restarted), row 9 (seq far ahead), row 12 (phantom dependency).
 */
import { encodeBody, encodeEnvelope, nobleSigner, sealEnvelope, signingBytes } from '@weft/core'
import { nodeCrypto } from '@weft/crypto-node'
import { afterEach, describe, expect, it } from 'vitest'
import { SYNC_PROTOCOL } from '../src/constants.ts'
import { Cluster, NETWORK, addr, until } from './helpers.ts'
import type { WeftPeer } from '../src/peer.ts'

let cluster: Cluster
afterEach(async () => { await cluster?.stop() })

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

  it('row 8: a message replayed after the receiver restarted is not delivered again', async () => {
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
    void ts
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
})
