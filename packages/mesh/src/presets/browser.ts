/**
 * The browser preset: a weft peer in a tab. Its store is IndexedDB (one author
 * identity per tab, claimed with a Web Lock), it reaches relays over
 * WebSockets and other browsers over WebRTC through circuit relay v2.
 * Choices forced by the browser (BROWSER-NOTES.md):
 * - no public STUN servers unless given (G3);
 * - the default browser connection gater refuses ws:// and private
 *   addresses, which is every relay in development: `allowDial` decides
 *   instead (default: any address) (G2);
 * - two browsers meet through a relay, then go direct: each announces its
 *   `/p2p-circuit/webrtc` addresses on the presence topic and one of the two
 *   dials the other (presence.ts); circuits over WebSockets first (G9).
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { WeftStore, authorIdFromKey, nobleCrypto, nobleSigner } from '@weft/core'
import { IdbStore, claimTabIdentity } from '@weft/storage-idb'
import { createLibp2p } from 'libp2p'
import { weftGossipsub } from '../gossip.ts'
import { BROWSER_CACHES } from '../constants.ts'
import { createPeer } from '../peer.ts'
import { startPresence } from '../presence.ts'
import { keepDialled } from './keep-dialled.ts'
import { webCryptoEd25519 } from './web-crypto.ts'
import { webRTCReleasingClosed } from './webrtc-release.ts'
import type { PeerInit, WeftPeer } from '../peer.ts'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { TabIdentity } from '@weft/storage-idb'

export interface BrowserPeerInit extends Omit<PeerInit, 'libp2p' | 'store' | 'signer' | 'crypto'> {
  /** IndexedDB database name. @default 'weft' */
  dbName?: string
  /** Relays (or any weft peers) to dial and keep dialled, e.g. `/ip4/127.0.0.1/tcp/9001/ws/p2p/12D3…`. */
  bootstrap?: string[]
  /** ICE servers for WebRTC. @default [] (no public STUN) */
  iceServers?: RTCIceServer[]
  /** Which addresses may be dialled. @default every address */
  allowDial?: (addr: Multiaddr) => boolean
  /** Sign and verify with WebCrypto's Ed25519 when the browser has it (else @noble). @default true */
  webCrypto?: boolean
  /** Upgrade to direct WebRTC connections with the browsers met through a relay. @default true */
  direct?: boolean
  /** Start cut off (see `peer.setOffline`): nothing is dialled until `setOffline(false)`. @default false */
  startOffline?: boolean
}

export interface BrowserPeer {
  readonly peer: WeftPeer
  /** Which Ed25519 signs and verifies: the browser's WebCrypto, or @noble's JavaScript. */
  readonly ed25519: 'webcrypto' | 'noble'
  /** This tab's identity in the store's pool (released when the peer stops). */
  readonly identity: TabIdentity
  /** Whether the browser granted persistent storage. */
  readonly persisted: boolean | undefined
}

export async function createBrowserPeer (init: BrowserPeerInit): Promise<BrowserPeer> {
  const adapter = await IdbStore.open({ name: init.dbName ?? 'weft' })
  const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => globalThis.crypto.randomUUID() })
  // a reloaded tab asks for the identity it had (sessionStorage survives a reload, not a new tab)
  const remember = `weft-identity:${init.dbName ?? 'weft'}`
  const identity = await claimTabIdentity(store, {
    prefer: globalThis.sessionStorage?.getItem(remember) ?? undefined,
    preferWaitMs: 10_000,
    create: async () => {
      const secret = globalThis.crypto.getRandomValues(new Uint8Array(32))
      return { secret, author: authorIdFromKey(nobleSigner(secret).publicKey) }
    }
  })
  globalThis.sessionStorage?.setItem(remember, identity.name)
  // native Ed25519 where the browser has it (about 10x faster than @noble, web-crypto.ts)
  const web = init.webCrypto === false ? undefined : await webCryptoEd25519(identity.secret)
  const crypto = web?.crypto ?? nobleCrypto()
  const signer = web?.signer ?? nobleSigner(identity.secret)
  const allow = init.allowDial ?? (() => true)
  const libp2p = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', identity.secret),
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [webSockets(), webRTCReleasingClosed({ rtcConfiguration: { iceServers: init.iceServers ?? [] } }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: async (addr) => !allow(addr) },
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: { identify: identify(), pubsub: weftGossipsub({ crypto }) }
  })
  const peer = await createPeer({ ...init, caches: init.caches ?? BROWSER_CACHES, libp2p, store, signer, crypto, closeStore: true })
  peer.addEventListener('stopping', () => { identity.release() }, { once: true })
  if (init.startOffline === true) await peer.setOffline(true)
  keepDialled(peer, init.bootstrap ?? [])
  if (init.direct !== false) {
    const stopPresence = startPresence(peer, { announce: webrtcCircuits, dialable: webrtcCircuits, canDial: () => !peer.offline })
    peer.addEventListener('stopping', stopPresence, { once: true })
  }
  return { peer, identity, persisted: adapter.persisted, ed25519: web === undefined ? 'noble' : 'webcrypto' }
}

/** WebRTC addresses through a relay's circuit, those over WebSockets first (a browser can dial only those, G9). */
function webrtcCircuits (addrs: Multiaddr[]): Multiaddr[] {
  const circuits = addrs.filter(a => a.toString().includes('/p2p-circuit/webrtc/'))
  const overWs = (a: Multiaddr): number => /\/wss?\//.test(a.toString()) ? 0 : 1
  return circuits.sort((a, b) => overWs(a) - overWs(b))
}
