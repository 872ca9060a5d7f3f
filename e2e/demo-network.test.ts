/**
 * The demo across separate browsers and a relay that fails (issue 6 a, c, e). Runs in the
 * loopback-only network namespace of `npm test` (scripts/loopback-only.ts), where
 * Chromium's WebRTC uses 127.0.0.1 and nothing leaves the machine.
 * a) two browsers meet through the relay and go direct (WebRTC, read from the app's own
 *    state); the relay is SIGKILLed and they still chat both ways;
 * e) the relay comes back: the pages redial it by themselves, and a newcomer gets the whole
 *    room from it, what was said while it was down included;
 * c) a browser is closed while the other writes 200 messages; reopened with the same
 *    profile it catches up from the relay, in order, nothing twice.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemo } from '../scripts/demo-server.ts'
import { launch, launchPersistent } from './lib/chromium.ts'
import type { Demo } from '../scripts/demo-server.ts'
import type { Browser, BrowserContext, Page } from 'playwright-core'

type DemoState = {
  connection: string
  messages: Array<{ author: string, seq: number, name: string, text: string, own: boolean, state?: string }>
  outbox: number
  redelivered: number
  persisted: number
  peers: Array<{ peer: string, kind: string }>
}
declare const weftDemo: { state(): DemoState }

let demo: Demo
const browsers: Browser[] = []
const contexts: BrowserContext[] = []
const dirs: string[] = []

beforeAll(async () => {
  // Outside the namespace Chromium would send WebRTC ICE checks to this machine's external
  // addresses: refuse to run rather than skip (npm test always runs inside it)
  if (process.env.WEFT_LOOPBACK_ONLY !== '1') {
    throw new Error('e2e/demo-network.test.ts needs the loopback-only network namespace: run `npm test`, or `node scripts/loopback-only.ts npx vitest run e2e/demo-network.test.ts`')
  }
  const data = mkdtempSync(join(tmpdir(), 'weft-demo-net-'))
  dirs.push(data)
  demo = await startDemo({ port: 0, dataDir: data, relayPorts: [0, 0] })
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  for (const b of browsers) await b.close().catch(() => undefined)
  await demo?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const state = async (page: Page): Promise<DemoState> => await page.evaluate(() => weftDemo.state())
/** The page's peer id, once the app has shown it (it does so after opening the room's topic). */
const me = async (page: Page): Promise<string> => {
  await page.waitForFunction(() => (document.getElementById('me')?.textContent ?? '') !== '', undefined, { timeout: 20_000 })
  return (await page.getByTestId('me').textContent()) ?? ''
}

async function joinRoom (page: Page, name: string, room: string): Promise<void> {
  await page.goto(demo.url)
  await page.getByTestId('name').fill(name)
  await page.getByTestId('room-input').fill(room)
  await page.getByTestId('join-button').click()
  await page.waitForFunction(() => weftDemo.state().connection !== 'offline', undefined, { timeout: 20_000 })
}

/** A person in a browser of their own (a separate Chromium process). */
async function person (name: string, room: string): Promise<Page> {
  const browser = await launch()
  browsers.push(browser)
  const page = await browser.newPage({ viewport: { width: 900, height: 560 } })
  await joinRoom(page, name, room)
  return page
}

async function say (page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    (document.getElementById('compose') as HTMLInputElement).value = t;
    (document.getElementById('composer') as HTMLFormElement).requestSubmit()
  }, text)
}

async function sees (page: Page, text: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction((t) => weftDemo.state().messages.some(m => m.text === t), text, { timeout })
}

/**
 * Row 36's texts: 16,280 to 16,520 characters, 4 apart, so that the encoded gossip frame falls
 * on both sides of @libp2p/webrtc's 16 KiB message size whatever the envelope and RPC overhead.
 */
const boundaryTexts = Array.from({ length: 61 }, (_, i) => {
  const n = 16_280 + i * 4
  const head = `boundary ${n} `
  let body = ''
  for (let k = 0; body.length < n - head.length; k++) body += String.fromCharCode(33 + ((k * 7 + n) % 90))
  return head + body.slice(0, n - head.length)
})

describe('the demo across browsers and a failing relay (loopback-only namespace)', () => {
  const logs: string[] = []
  let ann: Page
  let bob: Page
  let annId: string
  let bobId: string

  it('a) two browsers go direct over WebRTC, the relay is SIGKILLed, they still chat both ways', async () => {
    ann = await person('Ann', 'direct')
    bob = await person('Bob', 'direct')
    for (const [who, p] of [['ann', ann], ['bob', bob]] as const) {
      p.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') logs.push(`${who}: ${m.text()}`) })
    }
    annId = await me(ann)
    bobId = await me(bob)
    const t0 = Date.now()
    try {
      await ann.waitForFunction((other) => weftDemo.state().peers.some(p => p.peer === other && p.kind === 'direct WebRTC'), bobId, { timeout: 60_000 })
      await bob.waitForFunction((other) => weftDemo.state().peers.some(p => p.peer === other && p.kind === 'direct WebRTC'), annId, { timeout: 60_000 })
    } catch (err) {
      const peers = async (p: Page): Promise<string> => JSON.stringify((await state(p)).peers)
      throw new Error(`no direct WebRTC: Ann ${annId} sees ${await peers(ann)}; Bob ${bobId} sees ${await peers(bob)}; logs: ${logs.join(' | ').slice(-3000)}`, { cause: err })
    }
    console.log(`direct WebRTC up ${Date.now() - t0} ms after both joined`)
    expect((await state(ann)).connection).toBe('direct')
    expect((await state(bob)).connection).toBe('direct')
    await say(ann, 'hello over WebRTC')
    await sees(bob, 'hello over WebRTC')

    await demo.stopRelay('SIGKILL')
    const relayId = demo.relay.peerId
    for (const page of [ann, bob]) {
      await page.waitForFunction((relay) => !weftDemo.state().peers.some(p => p.peer === relay), relayId, { timeout: 20_000 })
    }
    for (let i = 1; i <= 5; i++) {
      await say(ann, `ann without relay ${i}`)
      await say(bob, `bob without relay ${i}`)
    }
    await sees(bob, 'ann without relay 5')
    await sees(ann, 'bob without relay 5')
    for (const [page, other] of [[ann, 'ann'], [bob, 'bob']] as const) {
      const s = await state(page)
      expect(s.connection).toBe('direct')
      const from = (who: string): string[] => s.messages.filter(m => m.text.startsWith(`${who} without relay`)).map(m => m.text)
      expect(from(other === 'ann' ? 'bob' : 'ann')).toEqual([1, 2, 3, 4, 5].map(i => `${other === 'ann' ? 'bob' : 'ann'} without relay ${i}`))
      // custody by the other browser: acked without any relay
      await page.waitForFunction(() => weftDemo.state().messages.filter(m => m.own).every(m => m.state?.startsWith('acked')), undefined, { timeout: 20_000 })
      expect(s.redelivered).toBe(0)
    }
  }, 180_000)

  it('row 36: messages around libp2p WebRTC\'s 16 KiB message boundary go page to page over the direct connection alone, byte for byte', async () => {
    // the relay is down (a): the direct WebRTC connection is the only path
    const texts = boundaryTexts
    for (const t of texts) await say(ann, t)
    await sees(bob, texts[texts.length - 1]!, 60_000)
    const s = await state(bob)
    const got = s.messages.filter(m => m.text.startsWith('boundary '))
    expect(got.map(m => m.text.length)).toEqual(texts.map(t => t.length))
    expect(got.every((m, i) => m.text === texts[i])).toBe(true)
    // the same messages (author, seq) on both sides
    await ann.waitForFunction((n) => weftDemo.state().messages.filter(m => m.own && m.text.startsWith('boundary ')).length === n, texts.length, { timeout: 20_000 })
    const sent = (await state(ann)).messages.filter(m => m.own && m.text.startsWith('boundary '))
    expect(got.map(m => `${m.author}/${m.seq}`)).toEqual(sent.map(m => `${m.author}/${m.seq}`))
    expect((await state(bob)).connection).toBe('direct')
  }, 120_000)

  it('e) the relay comes back: both pages redial it by themselves, and a newcomer gets the whole room from it', async () => {
    await demo.restartRelay()
    const relayId = demo.relay.peerId
    for (const page of [ann, bob]) {
      await page.waitForFunction((relay) => weftDemo.state().peers.some(p => p.peer === relay && p.kind === 'WebSocket'), relayId, { timeout: 30_000 })
    }
    await say(bob, 'the relay is back')
    await sees(ann, 'the relay is back')
    // Carol meets only the relay at first: the room's history (written partly while the
    // relay was down, row 36's 16 KiB texts included) reaches her whole, each author's messages in order
    const carol = await person('Carol', 'direct')
    await sees(carol, 'the relay is back', 30_000)
    const s = await state(carol)
    const texts = (author: string): string[] => s.messages.filter(m => m.author === author).map(m => m.text)
    expect(texts(annId)).toEqual(['hello over WebRTC', ...[1, 2, 3, 4, 5].map(i => `ann without relay ${i}`), ...boundaryTexts])
    expect(texts(bobId)).toEqual([...[1, 2, 3, 4, 5].map(i => `bob without relay ${i}`), 'the relay is back'])
    expect(s.redelivered).toBe(0)
  }, 180_000)

  it('each direct WebRTC connection is let go once closed (libp2p/js-libp2p#3567): after Ann goes offline and back 3 times, her page holds only the live RTCPeerConnections', async () => {
    const toggle = ann.getByTestId('offline-toggle')
    for (let i = 0; i < 3; i++) {
      await toggle.click() // offline: every connection closed, the direct one to Bob included
      await ann.waitForFunction(() => weftDemo.state().connection === 'offline', undefined, { timeout: 20_000 })
      await toggle.click() // online: through the relay, then direct to Bob again
      await ann.waitForFunction((other) => weftDemo.state().peers.some(p => p.peer === other && p.kind === 'direct WebRTC'), bobId, { timeout: 60_000 })
    }
    const cdp = await ann.context().newCDPSession(ann)
    /** RTCPeerConnections reachable after a full GC, and how many of them are closed. */
    const count = async (): Promise<{ all: number, closed: number }> => {
      await cdp.send('HeapProfiler.collectGarbage')
      const proto = await cdp.send('Runtime.evaluate', { expression: 'RTCPeerConnection.prototype' })
      const found = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId! })
      const counted = await cdp.send('Runtime.callFunctionOn', { objectId: found.objects.objectId!, functionDeclaration: 'function () { return { all: this.length, closed: this.filter(pc => pc.connectionState === \'closed\').length } }', returnByValue: true })
      await cdp.send('Runtime.releaseObjectGroup', { objectGroup: 'console' }).catch(() => undefined)
      await cdp.send('Runtime.releaseObject', { objectId: found.objects.objectId! })
      return counted.result.value as { all: number, closed: number }
    }
    // a connection closed a moment ago may still be held while its closing finishes (seen once
    // in three runs): wait up to 10 s for it; before the fix 4 of 6 stayed for good
    let pcs = await count()
    for (let i = 0; i < 10 && pcs.closed > 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 1_000))
      pcs = await count()
    }
    await cdp.detach()
    expect(pcs.closed).toBe(0)
    expect(pcs.all).toBeGreaterThanOrEqual(1) // the live one to Bob (and Carol's, since e), open or opening)
  }, 240_000)

  it('c) a browser is closed while the other writes 200 messages; reopened with its profile, it catches up in order, nothing twice', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'weft-profile-'))
    dirs.push(profile)
    const writer = await person('Wendy', 'catchup')
    let context = await launchPersistent(profile)
    let reader = context.pages()[0] ?? await context.newPage()
    await joinRoom(reader, 'Rex', 'catchup')
    await say(writer, 'before you leave')
    await sees(reader, 'before you leave')
    // closed once weft recorded the delivery: until then a reopen may deliver it again, flagged
    // (at-least-once across a crash), which the app counts as `redelivered`
    await reader.waitForFunction(() => weftDemo.state().persisted >= 1, undefined, { timeout: 10_000 })
    await context.close()

    for (let i = 1; i <= 200; i++) await say(writer, `while you were away ${i}`)
    // custody: the relay holds all 200 before the reader comes back
    await writer.waitForFunction(() => weftDemo.state().outbox === 0 && weftDemo.state().messages.filter(m => m.own).every(m => m.state?.startsWith('acked')), undefined, { timeout: 60_000 })

    const t0 = Date.now()
    context = await launchPersistent(profile)
    contexts.push(context)
    reader = context.pages()[0] ?? await context.newPage()
    await reader.goto(demo.url) // rejoins by itself: name and room are remembered
    await reader.waitForFunction(() => (globalThis as { weftDemo?: unknown }).weftDemo !== undefined && weftDemo.state().messages.filter(m => m.text.startsWith('while you were away')).length >= 200, undefined, { timeout: 60_000 })
    console.log(`reopened browser caught up 200 messages in ${Date.now() - t0} ms`)
    await new Promise(resolve => setTimeout(resolve, 500))
    const s = await state(reader)
    expect(s.messages.filter(m => !m.own).map(m => m.text)).toEqual(['before you leave', ...Array.from({ length: 200 }, (_, i) => `while you were away ${i + 1}`)])
    expect(s.messages.filter(m => !m.own).map(m => m.seq)).toEqual(Array.from({ length: 201 }, (_, i) => i + 1))
    expect(s.redelivered).toBe(0)
  }, 240_000)
})
