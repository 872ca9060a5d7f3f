/**
 * A weft peer in real Chromium (the browser preset: IndexedDB store, WebSockets
 * to a Node peer on 127.0.0.1) and a Node weft peer exchange messages both ways;
 * the browser's messages are acked by the Node peer (custody).
 */
import { rmSync } from 'node:fs'
import { createNodePeer } from '@weft/mesh/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPage } from './lib/build-page.ts'
import { launch } from './lib/chromium.ts'
import { serveStatic } from './lib/static-server.ts'
import type { WeftPeer } from '@weft/mesh'
import type { Browser } from 'playwright-core'
import type { StaticServer } from './lib/static-server.ts'

type MeshLab = {
  start(bootstrap: string, network: string, topic: string): Promise<{ me: string, persisted: boolean | undefined, identity: string }>
  publish(text: string): Promise<number>
  tryPublish(text: string): Promise<number | string>
  offline(on: boolean): Promise<void>
  state(): { received: Array<{ author: string, seq: number, text?: string, own: boolean }>, acked: number, connection: string, outbox: number, lost?: { error: string, unconfirmed: number[] } }
  stop(): Promise<void>
}
declare const mesh: MeshLab

let server: StaticServer
let dir: string
let browser: Browser
let node: WeftPeer

beforeAll(async () => {
  dir = await buildPage(new URL('./fixtures/mesh-page/', import.meta.url).pathname)
  server = await serveStatic(dir)
  browser = await launch()
  node = await createNodePeer({ network: 'weft-e2e', listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
}, 180_000)

afterAll(async () => {
  await node?.stop()
  await browser?.close()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('browser peer', () => {
  it('talks to a Node peer over WebSockets, both ways, with custody acks', async () => {
    const topic = await node.topic('room')
    const atNode: Array<{ author: string, seq: number, text?: string }> = []
    topic.subscribe(m => { if (!m.own) atNode.push({ author: m.author, seq: m.seq, text: m.text() }) })
    const page = await browser.newPage()
    await page.goto(server.url)
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
    const ws = node.libp2p.getMultiaddrs().find(a => a.toString().includes('/ws'))!.toString()
    const started = await page.evaluate(([addr]) => mesh.start(addr!, 'weft-e2e', 'room'), [ws])
    await page.waitForFunction(() => mesh.state().connection !== 'offline', undefined, { timeout: 20_000 })
    for (let i = 0; i < 20; i++) await page.evaluate((n) => mesh.publish(`from the browser ${n}`), i)
    for (let i = 0; i < 10; i++) await topic.publish(`from node ${i}`)
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline && (atNode.length < 20 || (await page.evaluate(() => mesh.state().received.filter(m => !m.own).length)) < 10)) {
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(atNode.map(m => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(atNode.every(m => m.author === started.me)).toBe(true)
    expect(atNode[3]!.text).toBe('from the browser 3')
    await page.waitForFunction(() => mesh.state().acked === 20 && mesh.state().outbox === 0, undefined, { timeout: 20_000 })
    const state = await page.evaluate(() => mesh.state())
    expect(state.received.filter(m => !m.own).map(m => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    expect(state.received.filter(m => m.own)).toHaveLength(20)
    await page.evaluate(() => mesh.stop())
  }, 120_000)

  it('row 32: the site\'s storage cleared under a running peer: store:lost names the unconfirmed messages, the peer stops; reloaded, it is a new author, and no seq is written twice', async () => {
    const topic = await node.topic('evict')
    const atNode: Array<{ author: string, seq: number }> = []
    let equivocations = 0
    node.addEventListener('equivocation', () => { equivocations++ })
    topic.subscribe(m => { if (!m.own) atNode.push({ author: m.author, seq: m.seq }) })
    const page = await browser.newPage()
    try {
      await page.goto(server.url)
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
      const ws = node.libp2p.getMultiaddrs().find(a => a.toString().includes('/ws'))!.toString()
      const first = await page.evaluate(([addr]) => mesh.start(addr!, 'weft-e2e', 'evict'), [ws])
      await page.waitForFunction(() => mesh.state().connection !== 'offline', undefined, { timeout: 20_000 })
      for (let i = 1; i <= 10; i++) await page.evaluate((n) => mesh.publish(`kept ${n}`), i)
      await page.waitForFunction(() => mesh.state().acked === 10, undefined, { timeout: 20_000 })
      // three more committed while cut off: no peer confirms them
      await page.evaluate(() => mesh.offline(true))
      for (let i = 11; i <= 13; i++) expect(await page.evaluate((n) => mesh.publish(`unconfirmed ${n}`), i)).toBe(i)
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Storage.clearDataForOrigin', { origin: new URL(server.url).origin, storageTypes: 'all' })
      await page.waitForFunction(() => mesh.state().lost !== undefined, undefined, { timeout: 10_000 })
      expect((await page.evaluate(() => mesh.state())).lost).toEqual({ error: 'StoreLostError', unconfirmed: [11, 12, 13] })
      expect(await page.evaluate(() => mesh.tryPublish('after the loss'))).toBe('PeerStoppedError')
      // reloaded: an empty store, so a new identity starting at seq 1
      await page.reload()
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
      const second = await page.evaluate(([addr]) => mesh.start(addr!, 'weft-e2e', 'evict'), [ws])
      expect(second.me).not.toBe(first.me)
      await page.waitForFunction(() => mesh.state().connection !== 'offline', undefined, { timeout: 20_000 })
      for (let i = 1; i <= 5; i++) expect(await page.evaluate((n) => mesh.publish(`new ${n}`), i)).toBe(i)
      await page.waitForFunction(() => mesh.state().acked === 5, undefined, { timeout: 20_000 })
      // the confirmed ten are safe with the node, and come back to the new author by sync
      await page.waitForFunction((me) => mesh.state().received.filter(m => m.author === me).length === 10, first.me, { timeout: 20_000 })
      expect(atNode.filter(m => m.author === first.me).map(m => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
      expect(atNode.filter(m => m.author === second.me).map(m => m.seq)).toEqual([1, 2, 3, 4, 5])
      expect(equivocations).toBe(0)
      await page.evaluate(() => mesh.stop())
    } finally {
      await page.close()
    }
  }, 120_000)
})
