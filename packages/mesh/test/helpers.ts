// Helpers for in-process multi-peer tests: real libp2p nodes over TCP on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { nodeCrypto } from '@weft/crypto-node'
import { createLibp2p } from 'libp2p'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SYNC_PROTOCOL } from '../src/constants.ts'
import { weftGossipsub } from '../src/gossip.ts'
import { createNodePeer } from '../src/presets/node.ts'
import { readFrames, writeFrame } from '../src/sync/framing.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, ServiceMap, Stream } from '@libp2p/interface'
import type { SyncFrame, Want } from '../src/sync/pb/sync.ts'
import type { ServiceFactoryMap } from 'libp2p'
import type { NodePeerInit } from '../src/presets/node.ts'
import type { WeftPeer } from '../src/peer.ts'

export const NETWORK = 'weft-mesh-test'

export class Cluster {
  readonly peers: WeftPeer[] = []
  readonly dirs: string[] = []
  /** Bare nodes of fakeSyncPeer, stopped with the cluster. */
  readonly fakes: Libp2p[] = []

  async add (init: Partial<NodePeerInit> = {}): Promise<WeftPeer> {
    const peer = await createNodePeer({ network: NETWORK, listen: ['/ip4/127.0.0.1/tcp/0'], ...init })
    this.peers.push(peer)
    return peer
  }

  dir (): string {
    const d = mkdtempSync(join(tmpdir(), 'weft-mesh-'))
    this.dirs.push(d)
    return d
  }

  /**
   * A hostile (or scripted) sync peer: a bare libp2p node that speaks /weft/sync/1.0.0 by hand.
   * It records the Wants it is sent, hands every frame to `onFrame`, and answers nothing by
   * itself; `send` writes any frame on its own stream to the victim (each side writes on the
   * stream it opened).
   */
  async fakeSyncPeer (victim: WeftPeer, onFrame?: (f: SyncFrame) => void): Promise<{ node: Libp2p, wants: Want[], send: (f: SyncFrame) => Promise<void>, stream: Stream }> {
    const node = await bareNode()
    this.fakes.push(node)
    const wants: Want[] = []
    await node.handle(SYNC_PROTOCOL, (stream) => {
      void readFrames(stream, f => {
        if (f.want !== undefined) wants.push(f.want)
        onFrame?.(f)
      }).catch(() => undefined)
    })
    const stream = await node.dialProtocol(victim.libp2p.getMultiaddrs()[0]!, SYNC_PROTOCOL)
    return { node, wants, stream, send: async f => { await writeFrame(stream, f) } }
  }

  async stop (): Promise<void> {
    await Promise.all(this.fakes.map(n => n.stop()))
    await Promise.all(this.peers.map(p => p.stop()))
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true })
  }
}

export function addr (peer: WeftPeer): string {
  return peer.libp2p.getMultiaddrs()[0]!.toString()
}

export async function connect (a: WeftPeer, b: WeftPeer): Promise<void> {
  await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
}

/** Polls `check` until it holds, or fails after `ms`. */
export async function until (check: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** A bare libp2p node on TCP 127.0.0.1 (noise, yamux, identify), with its own identity and no weft: an attacker's tool. */
export async function bareNode<S extends ServiceMap = ServiceMap> (services?: ServiceFactoryMap<S>, listen = true): Promise<Libp2p<S>> {
  return await createLibp2p<S>({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ...services } as ServiceFactoryMap<S>
  })
}

/** A plain gossipsub node (no weft: an attacker's tool) in the honest peer's mesh for `topic`. */
export async function rawGossipPeer (honest: { libp2p: Libp2p }, topic: string): Promise<Libp2p<{ pubsub: GossipSub }>> {
  const node = await bareNode<{ pubsub: GossipSub }>({ pubsub: weftGossipsub({ crypto: nodeCrypto() }) })
  node.services.pubsub.subscribe(topic)
  await node.dial(honest.libp2p.getMultiaddrs()[0]!)
  await until(() => node.services.pubsub.getSubscribers(topic).length > 0, 10_000, 'raw peer sees the topic')
  await new Promise(resolve => setTimeout(resolve, 1200)) // a heartbeat, so it is in the mesh
  return node
}
