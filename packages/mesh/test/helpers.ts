// Helpers for in-process multi-peer tests: real libp2p nodes over TCP on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNodePeer } from '../src/presets/node.ts'
import type { NodePeerInit } from '../src/presets/node.ts'
import type { WeftPeer } from '../src/peer.ts'

export const NETWORK = 'weft-mesh-test'

export class Cluster {
  readonly peers: WeftPeer[] = []
  readonly dirs: string[] = []

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

  async stop (): Promise<void> {
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
