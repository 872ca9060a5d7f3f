// A chaos client in a browser tab (chaos/cluster.ts builds, serves and opens it): the weft browser preset
// (IndexedDB, WebSockets to the relays through the run's link proxies), the same history events
// as chaos/client.ts, handed to the controller through `weftChaosEmit` (a Playwright binding).
import { createBrowserPeer } from '@weft/mesh/browser'
import type { TopicHandle } from '@weft/mesh'
import type { Connection } from '@libp2p/interface'

/** As chaos/client.ts's ClientConfig; with `hold`, publishing waits for `chaosPage.go()`. */
interface PageConfig { node: string, network: string, bootstrap: string[], topics: string[], rate: number, seed: number, retainCount?: number, hold?: boolean }
declare function weftChaosEmit (event: Record<string, unknown>): Promise<void>

const BURST = 100
const config = JSON.parse(new URLSearchParams(location.search).get('config') ?? '{}') as PageConfig
// History times are true times: a tab under Playwright's clock (C6) has its Date moved, not its
// performance clock, which runs from the real time the clock was installed at.
const now = (): number => Math.round(performance.timeOrigin + performance.now())
const emit = (e: Record<string, unknown>): void => { void weftChaosEmit({ t: now(), node: config.node, ...e }) }

const { peer } = await createBrowserPeer({
  network: config.network,
  bootstrap: config.bootstrap,
  dbName: `chaos-${config.node}`,
  ...(config.retainCount === undefined ? {} : { retention: { maxCount: config.retainCount } })
})
emit({ type: 'start', sender: peer.me })
const ids = new Map<string, string>() // `${topic}/${author}/${seq}` -> id, delivered and not yet app-acked
peer.addEventListener('delivery:persisted', (e) => {
  for (const x of e.detail.entries) {
    // seqs count per (author, topic): the key needs the topic; acked ids leave the map
    const key = `${e.detail.topic}/${x.author}/${x.seq}`
    const id = ids.get(key)
    ids.delete(key)
    if (id !== undefined) emit({ type: 'app-ack', id })
  }
})
// connections as they open and close (C9 times reconnects and checks the upgrade to direct WebRTC)
// (a relayed connection has limits; the dialler of a direct WebRTC link sees a /p2p-circuit/webrtc address too)
const kind = (c: Connection): 'webrtc' | 'circuit' | 'ws' => c.limits !== undefined ? 'circuit' : c.remoteAddr.toString().includes('/webrtc') ? 'webrtc' : 'ws'
for (const [type, up] of [['connection:open', true], ['connection:close', false]] as const) {
  peer.libp2p.addEventListener(type, (e) => {
    emit({ type: 'link', peer: e.detail.remotePeer.toString(), kind: kind(e.detail), up })
  })
}
const topics: TopicHandle[] = []
for (const name of config.topics) {
  const topic = await peer.topic(name)
  topic.subscribe(m => {
    ids.set(`${name}/${m.author}/${m.seq}`, m.id)
    emit({ type: 'deliver', id: m.id, sender: m.author, seq: m.seq, topic: name, redelivered: m.redelivered })
  })
  topics.push(topic)
  emit({ type: 'subscribe', topic: name })
}

// a small seeded PRNG (mulberry32), as the Node clients use
let a = config.seed >>> 0
const rand = (): number => {
  a = (a + 0x6d2b79f5) >>> 0
  let t = a
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
let n = 0
const publishOne = (): void => {
  const topic = topics[Math.floor(rand() * topics.length)]!
  const key = `${config.node}:${config.seed}:${++n}`
  emit({ type: 'publish-invoke', key, topic: topic.name })
  const payload = new Uint8Array(1024 + Math.floor(rand() * 3072))
  topic.publish(payload).then(({ id, seq, acked }) => {
    emit({ type: 'publish-ok', key, id, sender: peer.me, seq, topic: topic.name, level: 'L1' })
    void acked.then(o => { if (o.acked) emit({ type: 'publish-ok', key, id, sender: peer.me, seq, topic: topic.name, level: 'L2' }) })
  }, (err: Error) => { emit({ type: 'publish-fail', key, error: `${err.name}: ${err.message}` }) })
}
let publishing: ReturnType<typeof setInterval> | undefined
let drained = false
const go = (): void => { if (config.rate > 0 && publishing === undefined && !drained) publishing = setInterval(publishOne, 1000 / config.rate) }
if (config.hold !== true) go()
let storageMb: number | undefined
setInterval(() => {
  void navigator.storage.estimate().then(e => { storageMb = e.usage === undefined ? undefined : Math.round(e.usage / 104_857.6) / 10 }, () => undefined)
  // how this tab is connected: to relays over WebSockets, to other tabs over direct WebRTC, or through a relay's circuit
  const conns = peer.libp2p.getConnections().map(kind)
  const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize
  emit({
    type: 'sample',
    buffered: topics.reduce((s, t) => s + t.buffered.messages, 0),
    bufferedBytes: topics.reduce((s, t) => s + t.buffered.bytes, 0),
    // Chromium's heap in use; absent under Playwright's clock, whose performance object has no memory
    ...(heap === undefined ? {} : { heapMb: Math.round(heap / 1048576) }),
    // the tab's IndexedDB (the last estimate: it resolves after this sample's turn)
    ...(storageMb === undefined ? {} : { tabStoreMb: storageMb }),
    // how far this tab's Date is from the true time (moved by C6's Playwright clock)
    wallSkewMs: Date.now() - now(),
    conns: { ws: conns.filter(k => k === 'ws').length, webrtc: conns.filter(k => k === 'webrtc').length, circuit: conns.filter(k => k === 'circuit').length }
  })
}, 5_000)

Object.assign(globalThis, {
  chaosPage: {
    burst: () => { for (let i = 0; i < BURST; i++) publishOne() },
    go,
    drain: () => { drained = true; clearInterval(publishing); publishing = undefined },
    // Cluster.isolate: the proxies cut the tab's WebSockets, but a direct WebRTC link to another
    // tab does not pass through them; going offline closes it too and dials nothing
    offline: () => { void peer.setOffline(true) },
    online: () => { void peer.setOffline(false) },
    // the messages its store holds per topic, and the storage the origin uses (Cluster.stop, C10's store check)
    storeStats: async () => {
      const topics: Record<string, { count: number, bytes: number }> = {}
      for (const t of config.topics) {
        const s = await peer.store.stats(t)
        topics[t] = { count: s.count, bytes: s.bytes }
      }
      return { usageBytes: (await navigator.storage.estimate()).usage ?? 0, topics }
    }
  }
})
document.getElementById('status')!.textContent = 'ready'
