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
  /** Extra libp2p services (a relay adds `circuitRelayServer()`). */
  services?: Record<string, (components: any) => unknown>
  /**
   * Inbound connection limits (RELIABILITY.md row 19). Past `perHostPerS` new connections from
   * one IP address in a second, or `pending` connections still upgrading at once, a connection
   * is refused at once; the peer's other connections are not affected. The defaults are loose
   * on purpose: many peers share one address behind NAT or a reverse proxy (WebSockets behind
   * nginx all come from 127.0.0.1), and in tests.
   * @default { perHostPerS: 1000, pending: 100, max: 300 }
   */
  inbound?: { perHostPerS?: number, pending?: number, max?: number }
}

/** The Node preset's inbound connection limits (`NodePeerInit.inbound`). */
export const DEFAULT_INBOUND = { perHostPerS: 1000, pending: 100, max: 300 } as const

/** Opens the store of a data folder (SQLite `weft.db`), or an in-memory one without a folder. */
export async function openNodeStore (dataDir?: string, adapter?: StoreAdapter): Promise<WeftStore> {
  const a = adapter ?? (dataDir !== undefined ? SqliteStore.open({ path: join(dataDir, 'weft.db') }) : new MemoryStore())
  return await WeftStore.open(a, { now: Date.now, randomId: () => globalThis.crypto.randomUUID() })
}

/** The store's identity (32-byte Ed25519 seed) and its peer id, created on first use. */
export async function loadOrCreateIdentity (store: WeftStore): Promise<{ seed: Uint8Array, peerId: string, created: boolean }> {
  const found = await store.identity('default')
  if (found !== undefined) return { seed: found, peerId: authorIdFromKey(nodeSigner(found).publicKey), created: false }
  const seed = generateSeed()
  const peerId = authorIdFromKey(nodeSigner(seed).publicKey)
  await store.createIdentity('default', seed, peerId)
  return { seed, peerId, created: true }
}

export async function createNodePeer (init: NodePeerInit): Promise<WeftPeer> {
  // verification on the thread pool: gossip and sync validation overlap with the rest of the work
  const crypto = nodeCrypto({ offThread: true })
  const store = await openNodeStore(init.dataDir, init.adapter)
  let peer: WeftPeer
  try {
    const { seed } = await loadOrCreateIdentity(store)
    const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
    const libp2p = await createLibp2p({
      privateKey,
      addresses: { listen: init.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp(), webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // many local peers dial from one host in tests and on a relay (PERF-NOTES finding 5)
      connectionManager: {
        inboundConnectionThreshold: init.inbound?.perHostPerS ?? DEFAULT_INBOUND.perHostPerS,
        maxIncomingPendingConnections: init.inbound?.pending ?? DEFAULT_INBOUND.pending,
        maxConnections: init.inbound?.max ?? DEFAULT_INBOUND.max
      },
      // weft's flow control slows publishers; a busy peer must not be cut off (BROWSER-NOTES G7)
      connectionMonitor: { abortConnectionOnPingFailure: false },
      services: { ...init.services, identify: identify(), pubsub: weftGossipsub({ crypto, overrides: init.gossipsub }) }
    })
    peer = await createPeer({ ...init, libp2p, store, signer: nodeSigner(seed), crypto, closeStore: true })
  } catch (err) {
    await store.close()
    throw err
  }
  keepDialled(peer, init.bootstrap ?? [])
  return peer
}
