// The browser benchmark page (bench/suites/browser.ts): a weft browser peer that starts by
// itself from ?relay=&room= and records, in ms since navigation start, when it got going,
// when the first message of another page was delivered and when a direct WebRTC connection
// opened; then runs throughput rounds over weft and over plain gossipsub when asked.
import { createBrowserPeer } from '@weft/mesh/browser'
import type { TopicHandle } from '@weft/mesh'

/** The plain gossipsub baseline's topic (weft's reserved prefix: no weft peer treats it as a weft topic). */
const RAW_TOPIC = '_weft/bench/raw'

/** publish() calls kept outstanding by the weft round. */
const WINDOW = 256

const params = new URLSearchParams(location.search)
const marks: Record<string, number> = {}
const mark = (name: string): void => { marks[name] ??= performance.now() }
const epoch = (): number => performance.timeOrigin + performance.now()

let topic: TopicHandle | undefined
const counts = { weft: 0, raw: 0 }
const lastAt = { weft: 0, raw: 0 }

const lab = await createBrowserPeer({ network: 'weft', bootstrap: [params.get('relay')!], dbName: `weft-bench-${params.get('room')}` })
mark('started')
const libp2p = lab.peer.libp2p
const onOpen = (): void => {
  for (const c of libp2p.getConnections()) {
    if (c.limits === undefined && c.remoteAddr.toString().includes('/webrtc')) mark('direct')
    else if (c.limits === undefined) mark('relay')
  }
}
libp2p.addEventListener('connection:open', onOpen)
onOpen()
topic = await lab.peer.topic(params.get('room')!)
topic.subscribe(m => {
  if (m.own) return
  mark('first_other')
  counts.weft++
  lastAt.weft = epoch()
})
const pubsub = libp2p.services.pubsub
pubsub.subscribe(RAW_TOPIC)
pubsub.addEventListener('message', (e) => {
  if (e.detail.topic !== RAW_TOPIC) return
  counts.raw++
  lastAt.raw = epoch()
})
await topic.publish(`hello from ${lab.peer.me}`)
mark('published')

const payload = (i: number): Uint8Array => {
  const b = new Uint8Array(1024)
  crypto.getRandomValues(b)
  new DataView(b.buffer).setUint32(0, i)
  return b
}

Object.assign(globalThis, {
  bench: {
    me: lab.peer.me,
    marks: () => ({ ...marks }),
    counts: () => ({ ...counts, lastAtWeft: lastAt.weft, lastAtRaw: lastAt.raw }),
    /** Publishes n 1 KiB messages through weft, as fast as its flow control lets: returns the start (epoch ms). */
    weft: async (n: number): Promise<{ start: number, end: number }> => {
      const start = epoch()
      // up to WINDOW publish() calls outstanding, as an app that does not wait for each one:
      // concurrent publishes share one IndexedDB commit; publish() itself waits for window room
      const outstanding = new Set<Promise<unknown>>()
      for (let i = 0; i < n; i++) {
        while (outstanding.size >= WINDOW) await Promise.race(outstanding)
        const p = topic!.publish(payload(i))
        outstanding.add(p)
        void p.finally(() => outstanding.delete(p))
      }
      await Promise.all(outstanding)
      return { start, end: epoch() }
    },
    /** Publishes n 1 KiB messages on plain gossipsub (no flow control exists there, BROWSER-NOTES G7). */
    raw: async (n: number): Promise<{ start: number, end: number }> => {
      const start = epoch()
      for (let i = 0; i < n; i++) await pubsub.publish(RAW_TOPIC, payload(i))
      return { start, end: epoch() }
    },
    stop: async () => { await lab.peer.stop() }
  }
})
document.getElementById('status')!.textContent = 'ready'
