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
  state(): { received: Array<{ author: string, seq: number, text?: string, own: boolean }>, acked: number, connection: string, outbox: number }
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
})
