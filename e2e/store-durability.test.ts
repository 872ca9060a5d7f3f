/**
 * IndexedDB durability in real Chromium (playwright-core + /usr/bin/chromium):
 * a reload and a browser relaunch on a persistent profile keep what was
 * written; a capped quota gives a typed StorageFullError with earlier data
 * intact; two tabs of one origin never write the same (author, seq); a tab
 * crashed or a browser SIGKILLed in the middle of publishing keeps every
 * committed message and reuses no seq (RELIABILITY.md row 28); a private
 * (non-persistent) profile reports that it is not durable (row 34).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPage } from './lib/build-page.ts'
import { launch, launchPersistent } from './lib/chromium.ts'
import { serveStatic } from './lib/static-server.ts'
import type { BrowserContext, Page } from 'playwright-core'
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
  publish(topic: string, n: number, size?: number, log?: boolean): Promise<{ ok: number[], error?: string }>
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
  /**
   * Row 28: publishes in a loop, logging each committed seq, until `crash` stops the page or
   * the browser; then checks, from a fresh page, that every committed seq is there, the seqs
   * have no gap, the counter matches the records, and the next publish takes the next seq.
   */
  async function crashMidPublish (crash: (page: Page, context: BrowserContext, dir: string) => Promise<BrowserContext>): Promise<{ committed: number, held: number }> {
    const dir = profile()
    let context = await launchPersistent(dir)
    try {
      const page = context.pages()[0] ?? await context.newPage()
      await ready(page)
      await page.evaluate(() => lab.open())
      const me = await page.evaluate(() => lab.claim())
      const committed: number[] = []
      page.on('console', m => {
        const hit = /^committed (\d+)$/.exec(m.text())
        if (hit !== null) committed.push(Number(hit[1]))
      })
      void page.evaluate(() => lab.publish('c', 1_000_000, 512, true)).catch(() => undefined)
      const deadline = Date.now() + 30_000
      while (committed.length < 150 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      expect(committed.length).toBeGreaterThanOrEqual(150)
      context = await crash(page, context, dir)
      const again = await context.newPage()
      await ready(again)
      await again.evaluate(() => lab.open())
      const read = await again.evaluate(() => lab.read('c'))
      const held = read.held[me.author]!
      expect(read.corrupt).toBe(0)
      // record and counter moved together: the records are exactly 1..held
      expect(read.seqs[me.author]).toEqual(Array.from({ length: held }, (_, i) => i + 1))
      // every write the page saw commit is there (it may hold one more, committed but not yet logged)
      expect(held).toBeGreaterThanOrEqual(Math.max(...committed))
      expect(held).toBeLessThanOrEqual(Math.max(...committed) + 1)
      // the identity is free again (its tab is gone) and goes on at the next seq: no seq reused
      expect((await again.evaluate(() => lab.claim())).author).toBe(me.author)
      expect((await again.evaluate(() => lab.publish('c', 1, 512))).ok).toEqual([held + 1])
      return { committed: committed.length, held }
    } finally {
      await context.close()
    }
  }

  it('row 28: a tab that crashes in the middle of publishing keeps every committed message; the next publish takes the next seq', async () => {
    const r = await crashMidPublish(async (page, context) => {
      const cdp = await context.newCDPSession(page)
      const crashed = new Promise(resolve => page.once('crash', resolve))
      void cdp.send('Page.crash').catch(() => undefined)
      await crashed
      return context
    })
    console.log(`row 28, tab crash: ${r.committed} commits seen, ${r.held} held after`)
  }, 120_000)

  it('row 28: a browser SIGKILLed in the middle of publishing keeps every committed message when relaunched on its profile; no seq is reused', async () => {
    const r = await crashMidPublish(async (_page, context, dir) => {
      // the browser's main process is the one started with this profile and no --type
      const pids = execFileSync('pgrep', ['-f', '--', `--user-data-dir=${dir}`]).toString().trim().split('\n').map(Number)
      const main = pids.filter(pid => !readFileSync(`/proc/${pid}/cmdline`).toString().includes('--type='))
      expect(main).toHaveLength(1)
      process.kill(main[0]!, 'SIGKILL')
      await context.close().catch(() => undefined)
      return await launchPersistent(dir)
    })
    console.log(`row 28, browser SIGKILL: ${r.committed} commits seen, ${r.held} held after`)
  }, 120_000)

  it('row 34: a private (non-persistent) profile reports no persistent storage, and keeps nothing once closed', async () => {
    const browser = await launch()
    try {
      let context = await browser.newContext()
      let page = await context.newPage()
      await ready(page)
      const first = await page.evaluate(() => lab.open())
      expect(first.persisted).not.toBe(true)
      await page.evaluate(() => lab.claim())
      expect((await page.evaluate(() => lab.publish('p', 3))).ok).toEqual([1, 2, 3])
      await context.close()
      context = await browser.newContext()
      page = await context.newPage()
      await ready(page)
      const reopened = await page.evaluate(() => lab.open())
      // a new store, not the old one: nothing of the first session survived
      expect(reopened.created).toBe(true)
      expect(reopened.storeId).not.toBe(first.storeId)
      expect(reopened.persisted).not.toBe(true)
      expect((await page.evaluate(() => lab.read('p'))).held).toEqual({})
      await context.close()
    } finally {
      await browser.close()
    }
  }, 120_000)
})
