/**
 * The demo as a person uses it (`npm start`'s relay and web app, two separate browser
 * profiles): two people join a room and chat both ways; one goes offline, writes, comes
 * back, and the other receives everything once, in order, while the writer sees its
 * messages acked. Also: the demo's JavaScript stays within its gzip budget, and a
 * screenshot of two peers chatting is written to docs/demo.png.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemo } from '../scripts/demo-server.ts'
import { jsGzipKb } from './lib/bundle-size.ts'
import { launch } from './lib/chromium.ts'
import type { Demo } from '../scripts/demo-server.ts'
import type { Browser, Page } from 'playwright-core'

/** The demo's JavaScript, minified and gzipped, must stay under this (issue budget: 250 KB). */
const BUNDLE_BUDGET_KB = 250

type DemoState = { connection: string, messages: Array<{ author: string, seq: number, name: string, text: string, own: boolean, state?: string }>, outbox: number, peers: string[] }
declare const weftDemo: { state(): DemoState }

let demo: Demo
let browser: Browser
const dirs: string[] = []

beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'weft-demo-'))
  dirs.push(data)
  demo = await startDemo({ port: 0, dataDir: data, relayPorts: [0, 0] })
  browser = await launch()
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await demo?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function person (name: string, room = 'lobby'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 560 } })
  const page = await context.newPage()
  await page.goto(demo.url)
  await page.getByTestId('name').fill(name)
  await page.getByTestId('room-input').fill(room)
  await page.getByTestId('join-button').click()
  await page.waitForFunction(() => weftDemo.state().connection !== 'offline', undefined, { timeout: 20_000 })
  return page
}

async function say (page: Page, text: string): Promise<void> {
  await page.getByTestId('compose').fill(text)
  await page.getByTestId('send').click()
}

const texts = (s: DemoState, own: boolean): string[] => s.messages.filter(m => m.own === own).map(m => m.text)

describe('the demo', () => {
  it('keeps its JavaScript within the gzip budget', () => {
    const assets = new URL('../apps/web/dist/assets/', import.meta.url).pathname
    const kb = jsGzipKb(assets)
    console.log(`demo bundle: ${kb.toFixed(1)} KB gzip (budget ${BUNDLE_BUDGET_KB} KB)`)
    expect(kb).toBeLessThan(BUNDLE_BUDGET_KB)
  })

  it('row 34: in a private profile (no persistent storage) the demo warns that unsent messages may be lost', async () => {
    const page = await person('Pat', 'private')
    const warning = page.locator('#warning')
    await warning.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await warning.textContent()).toContain('did not grant persistent storage')
    await page.context().close()
  })

  it('two people chat; one goes offline, writes, comes back; nothing lost, order kept, all acked', async () => {
    const ann = await person('Ann')
    const bob = await person('Bob')
    await say(ann, 'hi Bob')
    await bob.waitForFunction(() => weftDemo.state().messages.some(m => m.text === 'hi Bob'), undefined, { timeout: 20_000 })
    await say(bob, 'hi Ann, how are you?')
    await ann.waitForFunction(() => weftDemo.state().messages.some(m => m.text === 'hi Ann, how are you?'), undefined, { timeout: 20_000 })
    await ann.waitForFunction(() => weftDemo.state().messages.filter(m => m.own).every(m => m.state?.startsWith('acked')), undefined, { timeout: 20_000 })
    // Ann goes offline and keeps writing
    await ann.getByTestId('offline-toggle').click()
    await ann.waitForFunction(() => weftDemo.state().connection === 'offline', undefined, { timeout: 10_000 })
    for (let i = 1; i <= 5; i++) await say(ann, `offline note ${i}`)
    await ann.waitForFunction(() => weftDemo.state().outbox === 5, undefined, { timeout: 10_000 })
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(texts(await bob.evaluate(() => weftDemo.state()), false)).not.toContain('offline note 1')
    await ann.getByTestId('offline-toggle').click()
    await bob.waitForFunction(() => weftDemo.state().messages.filter(m => m.text.startsWith('offline note')).length === 5, undefined, { timeout: 30_000 })
    await ann.waitForFunction(() => weftDemo.state().outbox === 0 && weftDemo.state().messages.filter(m => m.own).every(m => m.state?.startsWith('acked')), undefined, { timeout: 30_000 })
    const seen = await bob.evaluate(() => weftDemo.state())
    expect(texts(seen, false)).toEqual(['hi Bob', 'offline note 1', 'offline note 2', 'offline note 3', 'offline note 4', 'offline note 5'])
    await say(bob, 'welcome back!')
    await ann.waitForFunction(() => weftDemo.state().messages.some(m => m.text === 'welcome back!'), undefined, { timeout: 20_000 })
    await ann.screenshot({ path: new URL('../docs/demo.png', import.meta.url).pathname })
  }, 180_000)

  it('an offline page writes 50 messages, is reloaded while still offline, comes back: the other page gets all 50 once, in order, and the writer sees them acked', async () => {
    const carol = await person('Carol', 'away')
    const dave = await person('Dave', 'away')
    await carol.getByTestId('offline-toggle').click()
    await carol.waitForFunction(() => weftDemo.state().connection === 'offline', undefined, { timeout: 10_000 })
    for (let i = 1; i <= 50; i++) await say(carol, `while away ${i}`)
    await carol.waitForFunction(() => weftDemo.state().outbox === 50, undefined, { timeout: 20_000 })
    const log: string[] = []
    carol.on('console', m => { log.push(`console.${m.type()}: ${m.text()}`) })
    carol.on('pageerror', e => { log.push(`pageerror: ${e.message}`) })
    await carol.reload()
    try {
      await carol.waitForFunction(() => (globalThis as any).weftDemo !== undefined && weftDemo.state().messages.length === 50, undefined, { timeout: 60_000 })
    } catch (err) {
      const state = await carol.evaluate(() => (globalThis as any).weftDemo?.state()).catch(() => undefined)
      const summary = state === undefined ? 'no state' : `${state.messages.length} messages (${state.messages.map((m: { seq: number }) => m.seq).join(',')}), outbox ${state.outbox}, ${state.connection}`
      throw new Error(`after the reload: ${summary}; page log: ${log.join(' | ').slice(0, 1500)}`, { cause: err })
    }
    const after = await carol.evaluate(() => weftDemo.state())
    expect(after.connection).toBe('offline')
    expect(after.outbox).toBe(50) // the outbox survived the reload in IndexedDB
    expect(after.messages.every(m => m.own && m.state !== undefined && !m.state.startsWith('acked'))).toBe(true)
    expect(texts(await dave.evaluate(() => weftDemo.state()), false).filter(t => t.startsWith('while away'))).toEqual([])
    await carol.getByTestId('offline-toggle').click()
    await dave.waitForFunction(() => weftDemo.state().messages.filter(m => m.text.startsWith('while away')).length >= 50, undefined, { timeout: 60_000 })
    await carol.waitForFunction(() => weftDemo.state().outbox === 0 && weftDemo.state().messages.every(m => !m.own || m.state?.startsWith('acked')), undefined, { timeout: 60_000 })
    await new Promise(resolve => setTimeout(resolve, 300))
    const got = texts(await dave.evaluate(() => weftDemo.state()), false).filter(t => t.startsWith('while away'))
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `while away ${i + 1}`))
  }, 180_000)

  it('two tabs of one browser publish at once: different authors, no (author, seq) twice, nothing lost', async () => {
    const context = await browser.newContext()
    const tabs = [await context.newPage(), await context.newPage()]
    // the first tab joins through the form; the second rejoins by itself with the saved name and room
    await tabs[0]!.goto(demo.url)
    await tabs[0]!.getByTestId('name').fill('Tabby')
    await tabs[0]!.getByTestId('room-input').fill('tabs')
    await tabs[0]!.getByTestId('join-button').click()
    await tabs[0]!.waitForFunction(() => weftDemo.state().connection !== 'offline' && document.getElementById('me')?.textContent !== '', undefined, { timeout: 20_000 })
    await tabs[1]!.goto(demo.url)
    await tabs[1]!.waitForFunction(() => (globalThis as any).weftDemo !== undefined && weftDemo.state().connection !== 'offline' && document.getElementById('me')?.textContent !== '', undefined, { timeout: 20_000 })
    const t0 = Date.now()
    const [me1, me2] = await Promise.all(tabs.map(t => t.getByTestId('me').textContent()))
    expect(me1).not.toBe(me2)
    // typed through the DOM rather than Playwright's click: a background tab gets no animation
    // frames, so click()'s stability checks would wait on it
    await Promise.all(tabs.map(async (tab, i) => {
      for (let n = 1; n <= 20; n++) {
        await tab.evaluate((text) => {
          (document.getElementById('compose') as HTMLInputElement).value = text;
          (document.getElementById('composer') as HTMLFormElement).requestSubmit()
        }, `tab ${i + 1} says ${n}`)
      }
    }))
    const t1 = Date.now()
    const watcher = await person('Watcher', 'tabs')
    const t2 = Date.now()
    await watcher.waitForFunction(() => weftDemo.state().messages.length >= 40, undefined, { timeout: 60_000 })
    console.log(`two tabs: published 40 in ${t1 - t0} ms, watcher joined in ${t2 - t1} ms, caught up in ${Date.now() - t2} ms`)
    const seen = (await watcher.evaluate(() => weftDemo.state())).messages
    expect(new Set(seen.map(m => `${m.author}/${m.seq}`)).size).toBe(40)
    expect(new Set(seen.map(m => m.author))).toEqual(new Set([me1, me2]))
    for (const author of [me1, me2]) {
      expect(seen.filter(m => m.author === author).map(m => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    }
    await context.close()
  }, 180_000)
})
