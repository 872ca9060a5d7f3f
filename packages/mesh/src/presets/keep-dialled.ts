/** Keeps a peer connected to its bootstrap peers: dials them at start and redials while disconnected. */
import { multiaddr } from '@multiformats/multiaddr'
import type { WeftPeer } from '../peer.ts'

/** Redial bootstrap peers this often while not connected to them. */
export const REDIAL_MS = 2_000

export function keepDialled (peer: WeftPeer, bootstrap: readonly string[]): void {
  if (bootstrap.length === 0) return
  const addrs = bootstrap.map(a => multiaddr(a))
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const dialAll = async (): Promise<void> => {
    for (const addr of addrs) {
      if (peer.offline) break
      const id = addr.getComponents().filter(c => c.name === 'p2p').pop()?.value
      if (id !== undefined && peer.libp2p.getConnections().some(c => c.remotePeer.toString() === id)) continue
      await peer.libp2p.dial(addr, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
    }
    if (!stopped) timer = setTimeout(() => { void dialAll() }, REDIAL_MS)
  }
  // going back online dials at once rather than at the next round
  peer.addEventListener('connection:state', () => {
    if (stopped || peer.offline || peer.libp2p.getConnections().length > 0) return
    if (timer !== undefined) clearTimeout(timer)
    void dialAll()
  })
  peer.addEventListener('stopping', () => {
    stopped = true
    if (timer !== undefined) clearTimeout(timer)
  }, { once: true })
  void dialAll()
}
