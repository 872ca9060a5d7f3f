// RELIABILITY.md row 35: a relay's data limit reached mid-sync. weft registers its sync protocol
// and gossipsub without `runOnLimitedConnection`, so neither ever runs on a circuit-relayed
// (limited) connection: a relay's data limit can cut only what goes over it (WebRTC signalling),
// never a sync. What the row asks of the sync itself, that a connection reset in the middle of a
// catch-up is resumed on a new connection from the last stored seq without duplicates, is shown
// here on the link that carries it: a proxy that resets each connection after 128 KiB in either
// direction, the way libp2p's circuit relay resets a relayed connection at its default data limit.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNodePeer } from '@weft/mesh/node'
import { afterEach, describe, expect, it } from 'vitest'
import { LinkProxy } from './proxy.ts'
import type { NodePeerInit } from '@weft/mesh/node'
import type { WeftPeer } from '@weft/mesh'

const LIMIT = 128 * 1024
const peers: WeftPeer[] = []
const dirs: string[] = []
let proxy: LinkProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await Promise.all(peers.splice(0).map(p => p.stop()))
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  proxy = undefined
})

async function peer (init: Partial<NodePeerInit>): Promise<WeftPeer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-relay-limit-'))
  dirs.push(dataDir)
  const p = await createNodePeer({ network: 'weft-relay-limit', listen: ['/ip4/127.0.0.1/tcp/0'], dataDir, ...init })
  peers.push(p)
  return p
}

async function until (check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/**
 * A holder publishes `count` messages of `size` bytes; a late peer that reaches it only through a
 * link reset after LIMIT bytes each way catches up. Returns the seqs it delivered, how many were
 * flagged as redelivered, and how long the catch-up took (at most `ms`).
 */
async function catchUpThroughLimit (count: number, size: number, ms: number): Promise<{ seqs: number[], flagged: number, ms: number, link: LinkProxy }> {
  const holder = await peer({})
  const t = await holder.topic('limit')
  const payload = new Uint8Array(size).fill(0x35)
  for (let i = 0; i < count; i++) await t.publish(payload)
  const port = Number(holder.libp2p.getMultiaddrs()[0]!.toString().split('/tcp/')[1]!.split('/')[0])
  const link = proxy = new LinkProxy('relay-limit', port)
  link.dataLimit = LIMIT
  await link.listen()
  const through = `/ip4/127.0.0.1/tcp/${link.port}/p2p/${holder.libp2p.peerId.toString()}`
  // the late peer reaches the holder only through the limited link
  const late = await peer({ bootstrap: [through], listen: [] })
  const seqs: number[] = []
  let flagged = 0
  ;(await late.topic('limit')).subscribe(m => {
    seqs.push(m.seq)
    if (m.redelivered) flagged++
  })
  const start = Date.now()
  await until(() => seqs.length >= count, ms, `${count} × ${size} bytes through a link reset every ${LIMIT} bytes`)
  const took = Date.now() - start
  await new Promise(resolve => setTimeout(resolve, 500))
  return { seqs, flagged, ms: took, link }
}

describe('row 35: a connection reset at a relay-style data limit in the middle of a catch-up', () => {
  it('resumes on each new connection from what is stored: all 2,000 messages once, in order, without fetching again what came before the reset', async () => {
    const { seqs, flagged, ms, link } = await catchUpThroughLimit(2_000, 1024, 120_000)
    expect(seqs).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1))
    expect(flagged).toBe(0)
    // the link was reset many times in the middle of the transfer, and the transfer resumed each time
    const envelopeBytes = 2_000 * 1_130
    expect(link.limitResets).toBeGreaterThanOrEqual(Math.floor(envelopeBytes / LIMIT) - 1)
    // a sync that started over on each connection would never get past the first 128 KiB; one that
    // resumes loses at most what a reset cut off, one sync frame (64 envelopes) and the connection's
    // set-up (noise, identify, gossipsub, hello) per connection
    expect(link.forwarded).toBeLessThan(envelopeBytes + link.limitResets * (64 * 1_130 + 16 * 1024))
    console.log(`row 35: 2,000 × 1 KiB through a link reset at ${LIMIT} bytes: ${link.limitResets} resets, ${link.forwarded} bytes carried, caught up in ${ms} ms`)
  }, 150_000)

  it('asks for fewer messages per want after connections end before a frame crossed: 40 × 60 KiB arrive although a default frame (16 of them, ~1 MB) never fits', async () => {
    const { seqs, flagged, ms, link } = await catchUpThroughLimit(40, 60 * 1024, 120_000)
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(flagged).toBe(0)
    // a connection carries at most two such messages: every one of them came over a new connection
    expect(link.limitResets).toBeGreaterThanOrEqual(20)
    console.log(`row 35: 40 × 60 KiB through a link reset at ${LIMIT} bytes: ${link.limitResets} resets, ${link.forwarded} bytes carried, caught up in ${ms} ms`)
  }, 150_000)
})
