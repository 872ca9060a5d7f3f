// A chaos client: one weft Node peer (SQLite in its data folder) that subscribes to the run's
// topics, publishes on a seeded schedule, and writes its history as JSON lines on stdout
// (chaos/history.ts). The controller kills, pauses and restarts it; a restarted client keeps
// its folder, so its identity and outbox.
//
//   node chaos/client.ts '<json ClientConfig>'
import { writeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createNodePeer } from '@weft/mesh/node'
import { prng } from '@weft/test-suites/prng'
import type { HistoryEvent } from './history.ts'
import type { TopicHandle } from '@weft/mesh'

export interface ClientConfig {
  node: string
  network: string
  dataDir: string
  bootstrap: string[]
  topics: string[]
  /** Messages per second this client publishes (0: none). */
  rate: number
  /**
   * Publishing waits for the controller's `go`: at the cluster's first start no client publishes
   * before every node is up and subscribed, so the run measures delivery, not the boot of the
   * nodes still starting (on a slow machine their first seconds are a catch-up). Restarts publish at once.
   */
  hold?: boolean
  /** Seed for payload sizes and topic choice; a restart passes another one. */
  seed: number
  /** Payload sizes: min..max bytes, and `bigEvery` messages one of `big` bytes. */
  payload: { min: number, max: number, big: number, bigEvery: number }
  /** Messages kept per topic (PeerInit.retention); absent: all. */
  retainCount?: number
  /**
   * Set for a client under libfaketime (C6): the controller's Date.now() minus the machine's
   * monotonic clock, in ms. The history's times then come from the monotonic clock, which
   * libfaketime leaves alone here (scripts/faketime.ts), so a faked wall clock does not skew them.
   */
  realMinusMonotonic?: number
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4))
const config = JSON.parse(process.argv[2] ?? '{}') as ClientConfig
type Unstamped<E> = E extends HistoryEvent ? Omit<E, 't'> : never
const base = config.realMinusMonotonic
const now = base === undefined ? Date.now : (): number => Math.round(base + Number(process.hrtime.bigint()) / 1e6)
/**
 * Writes one history line straight into the pipe before returning. process.stdout.write to a
 * pipe may only queue it, and a SIGKILL then loses the line: the history said a peer never
 * delivered a message whose delivery weft had already recorded (a false "lost" and "causal"
 * in C8). A handler's `deliver` line must be out before weft records the delivery.
 */
const emit = (e: Unstamped<HistoryEvent>): void => {
  const bytes = Buffer.from(`${JSON.stringify({ t: now(), ...e })}\n`)
  for (let off = 0, tries = 0; off < bytes.length && tries < 100_000; tries++) {
    try {
      off += writeSync(1, bytes, off)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
      Atomics.wait(PAUSE, 0, 0, 1) // the controller has not read the pipe yet: wait a millisecond
    }
  }
}

const peer = await createNodePeer({
  network: config.network,
  dataDir: config.dataDir,
  bootstrap: config.bootstrap,
  listen: [],
  ...(config.retainCount === undefined ? {} : { retention: { maxCount: config.retainCount } })
})
emit({ node: config.node, type: 'start', sender: peer.me })
const ids = new Map<string, string>() // `${topic}/${author}/${seq}` -> id, delivered and not yet app-acked
// corrupt records and their repair go to this client's log (chaos/results/…/logs/<node>.log)
peer.addEventListener('store:corrupt', (e) => { process.stderr.write(`store:corrupt ${JSON.stringify(e.detail)}\n`) })
peer.addEventListener('store:repaired', (e) => { process.stderr.write(`store:repaired ${JSON.stringify(e.detail)}\n`) })
peer.addEventListener('error', (e) => { process.stderr.write(`error ${e.detail.topic ?? ''} ${e.detail.error.name}: ${e.detail.error.message}\n`) })
peer.addEventListener('delivery:persisted', (e) => {
  for (const x of e.detail.entries) {
    // seqs count per (author, topic): the key needs the topic; acked ids leave the map
    const key = `${e.detail.topic}/${x.author}/${x.seq}`
    const id = ids.get(key)
    ids.delete(key)
    if (id !== undefined) emit({ node: config.node, type: 'app-ack', id })
  }
})
const topics: TopicHandle[] = []
for (const name of config.topics) {
  const topic = await peer.topic(name)
  topic.subscribe(m => {
    ids.set(`${name}/${m.author}/${m.seq}`, m.id)
    emit({ node: config.node, type: 'deliver', id: m.id, sender: m.author, seq: m.seq, topic: name, redelivered: m.redelivered })
  })
  topics.push(topic)
  emit({ node: config.node, type: 'subscribe', topic: name })
}

const rand = prng(config.seed)
let n = 0
const payload = (): Uint8Array => {
  const size = (n % config.payload.bigEvery === config.payload.bigEvery - 1) ? config.payload.big : config.payload.min + Math.floor(rand() * (config.payload.max - config.payload.min))
  const b = new Uint8Array(size)
  for (let i = 0; i < Math.min(size, 64); i++) b[i] = Math.floor(rand() * 256)
  return b
}
const publishOne = (): void => {
  const topic = topics[Math.floor(rand() * topics.length)]!
  const key = `${config.node}:${config.seed}:${++n}`
  emit({ node: config.node, type: 'publish-invoke', key, topic: topic.name })
  topic.publish(payload()).then(({ id, seq, acked }) => {
    emit({ node: config.node, type: 'publish-ok', key, id, sender: peer.me, seq, topic: topic.name, level: 'L1' })
    void acked.then(o => { if (o.acked) emit({ node: config.node, type: 'publish-ok', key, id, sender: peer.me, seq, topic: topic.name, level: 'L2' }) })
  }, (err: Error) => { emit({ node: config.node, type: 'publish-fail', key, error: `${err.name}: ${err.message}` }) })
}
let publishing: ReturnType<typeof setInterval> | undefined
let drained = false
const go = (): void => { if (config.rate > 0 && publishing === undefined && !drained) publishing = setInterval(publishOne, 1000 / config.rate) }
if (config.hold !== true) go()
setInterval(() => {
  const buffered = topics.reduce((s, t) => s + t.buffered.messages, 0)
  const bufferedBytes = topics.reduce((s, t) => s + t.buffered.bytes, 0)
  emit({ node: config.node, type: 'sample', buffered, bufferedBytes })
}, 5_000)

// commands from the controller on stdin: `go` starts publishing (see `hold`), `burst` publishes
// BURST at once (an offline node's backlog), `drain` stops publishing; SIGTERM stops the client
const BURST = 100
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'go') go()
  if (line === 'burst') for (let i = 0; i < BURST; i++) publishOne()
  if (line === 'drain') {
    drained = true
    clearInterval(publishing)
    publishing = undefined
  }
})
process.on('SIGTERM', () => {
  emit({ node: config.node, type: 'stop' })
  void peer.stop().then(() => process.exit(0))
})
