// One process of a mesh benchmark. `node worker.ts '<json config>'`; JSON lines on stdout, commands on stdin.
//   kind: 'weft' | 'gossipsub' (StrictSign, default config) | 'gossipsub_nosign' (StrictNoSign)
//   role: 'sub' prints {"event":"ready","addr"}, then {"event":"progress","count","lat":[ms...]} every 200 deliveries
//         and {"event":"done"} after `count`; 'pub' dials `target`, publishes `count` 1 KiB messages at `rate`
//         (0 = as fast as the window allows) and prints {"event":"published"} / {"event":"acked"}.
//   Raw gossipsub has no acks: its publisher keeps `window` in flight from "credit N" lines on stdin
//   (the harness relays the subscriber's progress), the same window weft keeps by its own custody acks.
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createNodePeer } from '@weft/mesh/node'
import { createLibp2p } from 'libp2p'

interface Config {
  kind: 'weft' | 'gossipsub' | 'gossipsub_nosign'
  role: 'sub' | 'pub'
  count: number
  rate?: number
  window?: number
  target?: string
  /** More peers to dial (a full mesh). */
  peers?: string[]
  dataDir?: string
  preload?: number
  /** Preload publishes issued together (1: one at a time, each signed alone; 256: batch-signed in 16s, as under load). */
  preloadGroup?: number
}

const config = JSON.parse(process.argv[2]!) as Config
process.on('SIGINT', () => process.exit(0)) // lets --cpu-prof write its profile
const TOPIC = 'bench'
const print = (o: object): void => { process.stdout.write(JSON.stringify(o) + '\n') }
const now = (): number => performance.timeOrigin + performance.now()

function payload (i: number): Uint8Array {
  const p = new Uint8Array(1024)
  new DataView(p.buffer).setFloat64(0, now())
  new DataView(p.buffer).setUint32(8, i)
  return p
}
const sentAt = (p: Uint8Array): number => new DataView(p.buffer, p.byteOffset, p.byteLength).getFloat64(0)

let credit = 0
let creditWaiter: (() => void) | undefined
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, n] = line.split(' ')
  if (cmd === 'credit') {
    credit = Math.max(credit, Number(n))
    creditWaiter?.()
  } else if (cmd === 'exit') {
    process.exit(0)
  }
})

async function pace (i: number, start: number): Promise<void> {
  if (config.rate !== undefined && config.rate > 0) {
    const due = start + (i * 1000) / config.rate
    const wait = due - now()
    if (wait > 1) await new Promise(resolve => setTimeout(resolve, wait))
  }
}

if (config.kind === 'weft') {
  const peer = await createNodePeer({
    network: 'bench', dataDir: config.dataDir, listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [...(config.target === undefined ? [] : [config.target]), ...(config.peers ?? [])], window: config.window
  })
  const topic = await peer.topic(TOPIC)
  if (config.role === 'sub') {
    let count = 0
    let lat: number[] = []
    topic.subscribe(m => {
      if (count === 0) print({ event: 'first', at: now() })
      count++
      lat.push(now() - sentAt(m.payload))
      if (count % 200 === 0 || count === config.count) {
        print({ event: 'progress', count, lat })
        lat = []
      }
      if (count === config.count) print({ event: 'done', at: now() })
    })
    print({ event: 'ready', addr: peer.libp2p.getMultiaddrs()[0]!.toString() })
  } else {
    const group = config.preloadGroup ?? 1
    for (let i = 0; i < (config.preload ?? 0); i += group) {
      await Promise.all(Array.from({ length: Math.min(group, config.preload! - i) }, async (_, k) => await topic.publish(payload(i + k))))
    }
    if (config.preload !== undefined) {
      print({ event: 'ready', addr: peer.libp2p.getMultiaddrs()[0]!.toString() })
    } else {
      const expected = (config.peers?.length ?? 0) + (config.target === undefined ? 0 : 1)
      while (peer.libp2p.getConnections().length < Math.max(1, expected)) await new Promise(resolve => setTimeout(resolve, 20))
      await new Promise(resolve => setTimeout(resolve, 1500)) // the mesh forms
      const start = now()
      print({ event: 'start', at: start })
      // Up to `window` publish() calls outstanding: concurrent publishes share a store commit.
      const acks: Array<Promise<unknown>> = []
      const outstanding = new Set<Promise<unknown>>()
      for (let i = 0; i < config.count; i++) {
        await pace(i, start)
        while (outstanding.size >= (config.window ?? 256)) await Promise.race(outstanding)
        const p = topic.publish(payload(i)).then(r => { acks.push(r.acked) })
        outstanding.add(p)
        void p.finally(() => outstanding.delete(p))
      }
      await Promise.all(outstanding)
      print({ event: 'published', at: now() })
      const outcomes = await Promise.all(acks)
      print({ event: 'acked', at: now(), all: outcomes.every(o => (o as { acked: boolean }).acked) })
    }
  }
} else {
  const node = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 1000 },
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: { identify: identify(), pubsub: gossipsub(config.kind === 'gossipsub_nosign' ? { globalSignaturePolicy: 'StrictNoSign' } : {}) }
  })
  node.services.pubsub.subscribe(TOPIC)
  for (const p of config.peers ?? []) await node.dial(multiaddr(p)).catch(() => undefined)
  if (config.role === 'sub') {
    let count = 0
    let lat: number[] = []
    node.services.pubsub.addEventListener('message', (evt) => {
      count++
      lat.push(now() - sentAt(evt.detail.data))
      if (count % 200 === 0 || count === config.count) {
        print({ event: 'progress', count, lat })
        lat = []
      }
      if (count === config.count) print({ event: 'done', at: now() })
    })
    print({ event: 'ready', addr: node.getMultiaddrs()[0]!.toString() })
  } else {
    if (config.target !== undefined) await node.dial(multiaddr(config.target))
    while (node.services.pubsub.getSubscribers(TOPIC).length < (config.peers?.length ?? 0) + (config.target === undefined ? 0 : 1)) await new Promise(resolve => setTimeout(resolve, 20))
    await new Promise(resolve => setTimeout(resolve, 1500))
    const window = config.window ?? 256
    const start = now()
    print({ event: 'start', at: start })
    for (let i = 0; i < config.count; i++) {
      await pace(i, start)
      while (i - credit >= window) await new Promise<void>(resolve => { creditWaiter = resolve })
      await node.services.pubsub.publish(TOPIC, payload(i))
    }
    print({ event: 'published', at: now() })
  }
}
