/**
 * The Node preset: a weft peer on TCP and WebSockets, its identity and log in
 * a SQLite store (or in memory without `dataDir`), fast crypto through
 * node:crypto, and the bootstrap peers kept dialled.
 */
import { join } from 'node:path'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { MemoryStore, WeftStore, authorIdFromKey } from '@weft/core'
import { generateSeed, nodeCrypto, nodeSigner } from '@weft/crypto-node'
import { SqliteStore } from '@weft/storage-sqlite'
import { createLibp2p } from 'libp2p'
import { weftGossipsub } from '../gossip.ts'
import { createPeer } from '../peer.ts'
import { keepDialled } from './keep-dialled.ts'
import type { PeerInit, WeftPeer } from '../peer.ts'
import type { GossipsubOpts } from '@libp2p/gossipsub'
import type { StoreAdapter } from '@weft/core'

export interface NodePeerInit extends Omit<PeerInit, 'libp2p' | 'store' | 'signer' | 'crypto'> {
  /** Folder for the SQLite store (identity, logs, outbox). Without it everything is in memory and the identity is ephemeral. */
  dataDir?: string
  /** Or a store adapter of your own. */
  adapter?: StoreAdapter
  /** Addresses to listen on. @default ['/ip4/127.0.0.1/tcp/0'] */
  listen?: string[]
  /** Peers to dial at start and to redial while disconnected. */
  bootstrap?: string[]
  /** Extra gossipsub options. */
  gossipsub?: Partial<GossipsubOpts>
}

export async function createNodePeer (init: NodePeerInit): Promise<WeftPeer> {
  // verification on the thread pool: gossip and sync validation overlap with the rest of the work
  const crypto = nodeCrypto({ offThread: true })
  const adapter = init.adapter ?? (init.dataDir !== undefined ? SqliteStore.open({ path: join(init.dataDir, 'weft.db') }) : new MemoryStore())
  const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => globalThis.crypto.randomUUID() })
  let seed = await store.identity('default')
  if (seed === undefined) {
    seed = generateSeed()
    await store.createIdentity('default', seed, authorIdFromKey(nodeSigner(seed).publicKey))
  }
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
  const libp2p = await createLibp2p({
    privateKey,
    addresses: { listen: init.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // many local peers dial from one host in tests and on a relay (PERF-NOTES finding 5)
    connectionManager: { inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 100 },
    // weft's flow control slows publishers; a busy peer must not be cut off (BROWSER-NOTES G7)
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: { identify: identify(), pubsub: weftGossipsub({ crypto, overrides: init.gossipsub }) }
  })
  const peer = await createPeer({ ...init, libp2p, store, signer: nodeSigner(seed), crypto, closeStore: true })
  keepDialled(peer, init.bootstrap ?? [])
  return peer
}
