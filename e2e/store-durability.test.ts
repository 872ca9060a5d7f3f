/**
 * IndexedDB durability in real Chromium (playwright-core + /usr/bin/chromium):
 * a reload and a browser relaunch on a persistent profile keep what was
 * written; a capped quota gives a typed StorageFullError with earlier data
 * intact; two tabs of one origin never write the same (author, seq).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPage } from './lib/build-page.ts'
import { launchPersistent } from './lib/chromium.ts'
import { serveStatic } from './lib/static-server.ts'
import type { Page } from 'playwright-core'
import type { StaticServer } from './lib/static-server.ts'

let server: StaticServer
let pageDir: string
const profiles: string[] = []

beforeAll(async () => {
  pageDir = await buildPage(new URL('./fixtures/store-page/', import.meta.url).pathname)
  server = await serveStatic(pageDir)
}, 120_000)

afterAll(async () => {
  await server?.close()
  rmSync(pageDir, { recursive: true, force: true })
  for (const p of profiles) rmSync(p, { recursive: true, force: true })
})

function profile (): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-profile-'))
  profiles.push(dir)
  return dir
}

async function ready (page: Page): Promise<void> {
  await page.goto(server.url)
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 20_000 })
}

type Lab = {
  open(name?: string): Promise<{ persisted: boolean | undefined, created: boolean, storeId: string }>
  claim(): Promise<{ name: string, author: string, created: boolean }>
  publish(topic: string, n: number, size?: number): Promise<{ ok: number[], error?: string }>
  read(topic: string): Promise<{ held: Record<string, number>, seqs: Record<string, number[]>, corrupt: number }>
}
declare const lab: Lab

describe('IndexedDB store in Chromium', () => {
  it('survives a reload and a browser relaunch on the same profile', async () => {
    const dir = profile()
    let context = await launchPersistent(dir)
    try {
      const page = context.pages()[0] ?? await context.newPage()
      await ready(page)
      const first = await page.evaluate(() => lab.open())
      expect(first.created).toBe(true)
      const me = await page.evaluate(() => lab.claim())
      expect((await page.evaluate(() => lab.publish('d', 20))).ok).toHaveLength(20)
      await page.reload()
      await ready(page)
      const afterReload = await page.evaluate(() => lab.open())
      expect(afterReload).toMatchObject({ created: false, storeId: first.storeId })
      expect(await page.evaluate(() => lab.claim())).toMatchObject({ name: me.name, author: me.author, created: false })
      expect((await page.evaluate(() => lab.read('d'))).seqs[me.author]).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect((await page.evaluate(() => lab.publish('d', 5))).ok).toEqual([21, 22, 23, 24, 25])
      await context.close()
      context = await launchPersistent(dir)
      const again = context.pages()[0] ?? await context.newPage()
      await ready(again)
      expect(await again.evaluate(() => lab.open())).toMatchObject({ created: false, storeId: first.storeId })
      const read = await again.evaluate(() => lab.read('d'))
      expect(read.seqs[me.author]).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
      expect(read.corrupt).toBe(0)
    } finally {
      await context.close()
    }
  }, 120_000)

  it('fails with StorageFullError at a capped quota, keeps earlier data, and never advances the seq', async () => {
    const context = await launchPersistent(profile())
    try {
      const page = context.pages()[0] ?? await context.newPage()
      await ready(page)
      const cdp = await context.newCDPSession(page)
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: 1024 * 1024 })
      await page.evaluate(() => lab.open())
      const me = await page.evaluate(() => lab.claim())
      expect((await page.evaluate(() => lab.publish('q', 10, 1000))).ok).toHaveLength(10)
      const filled = await page.evaluate(() => lab.publish('q', 5000, 8000))
      expect(filled.error).toBe('StorageFullError')
      const written = 10 + filled.ok.length
      const read = await page.evaluate(() => lab.read('q'))
      expect(read.held[me.author]).toBe(written)
      expect(read.seqs[me.author]).toEqual(Array.from({ length: written }, (_, i) => i + 1))
      expect(read.corrupt).toBe(0)
      // space returns: publishing works again, at the next seq
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin })
      expect((await page.evaluate(() => lab.publish('q', 1, 8000))).ok).toEqual([written + 1])
    } finally {
      await context.close()
    }
  }, 120_000)

  it('gives two tabs of one origin different identities; both publish concurrently without a collision', async () => {
    const context = await launchPersistent(profile())
    try {
      const [a, b] = [context.pages()[0] ?? await context.newPage(), await context.newPage()]
      await Promise.all([ready(a), ready(b)])
      await Promise.all([a.evaluate(() => lab.open()), b.evaluate(() => lab.open())])
      const [ida, idb] = await Promise.all([a.evaluate(() => lab.claim()), b.evaluate(() => lab.claim())])
      expect(ida.author).not.toBe(idb.author)
      const [ra, rb] = await Promise.all([a.evaluate(() => lab.publish('t', 60)), b.evaluate(() => lab.publish('t', 60))])
      expect(ra).toEqual({ ok: Array.from({ length: 60 }, (_, i) => i + 1) })
      expect(rb).toEqual({ ok: Array.from({ length: 60 }, (_, i) => i + 1) })
      const read = await a.evaluate(() => lab.read('t'))
      expect(read.seqs[ida.author]).toHaveLength(60)
      expect(read.seqs[idb.author]).toHaveLength(60)
      // a reloaded tab gets its own identity back while the other tab still holds its one
      await b.reload()
      await ready(b)
      await b.evaluate(() => lab.open())
      expect((await b.evaluate(() => lab.claim())).author).toBe(idb.author)
      // a third tab gets a third identity
      const c = await context.newPage()
      await ready(c)
      await c.evaluate(() => lab.open())
      const idc = await c.evaluate(() => lab.claim())
      expect([ida.author, idb.author]).not.toContain(idc.author)
    } finally {
      await context.close()
    }
  }, 120_000)
})
