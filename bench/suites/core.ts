// Benchmarks of @weft/core: delivery throughput against decode + verify alone,
// causal-context bytes with 1,000 authors, and the decoder fuzz at 100k cases.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import {
  CausalHistory, Inbox, authorIdFromKey, clockGet, contextWireBytes, isRejection, mergeClocks, openEnvelope, sealEnvelope,
  tagOfAuthor, clockWith
} from '@weft/core'
import { nodeCrypto, nodeSigner } from '@weft/crypto-node'
import { BROWSER_CACHES } from '@weft/mesh'
import { prng } from '@weft/test-suites/prng'
import { median, percentile, round } from '../report.ts'
import type { Envelope, InboxInit, Signer, VectorClock, AuthorId } from '@weft/core'
import type { Report } from '../report.ts'
import type { Suite } from '../suite.ts'

const NETWORK = 'weft-bench'
const TOPIC = 'bench'

function seed (i: number): Uint8Array {
  const s = new Uint8Array(32)
  s[0] = 0xbe
  s[1] = i & 0xff
  s[2] = i >> 8
  return s
}

/** `n` envelopes of 1 KiB from `writers` authors (4) who read each other as they write (1-3 heads per message with 4). */
async function workload (n: number, writers = 4): Promise<Envelope[]> {
  const crypto = nodeCrypto()
  const rand = prng(1)
  const authors = Array.from({ length: writers }, (_, i) => {
    const signer = nodeSigner(seed(i))
    return { signer, id: authorIdFromKey(signer.publicKey), inbox: new Inbox(), seq: 0 }
  })
  const all: Envelope[] = []
  const read = authors.map(() => 0)
  for (let i = 0; i < n; i++) {
    const w = Math.floor(rand() * authors.length)
    const a = authors[w]!
    for (; read[w]! < all.length; read[w]!++) {
      for (const out of a.inbox.receive(all[read[w]!]!, 0).deliverable) a.inbox.markDelivered(out)
    }
    const payload = new Uint8Array(1024).map(() => Math.floor(rand() * 256))
    const env = await sealEnvelope({ network: NETWORK, topic: TOPIC, seq: ++a.seq, time: i, context: a.inbox.contextFor(a.id), payload }, a.signer, crypto)
    for (const out of a.inbox.receive(env, 0).deliverable) a.inbox.markDelivered(out)
    all.push(env)
    read[w] = all.length
  }
  return all
}

/** Publish order with each message moved by up to `window` places: some buffering, as gossip gives. */
function jitter<T> (items: T[], window: number, rand: () => number): T[] {
  const keyed = items.map((item, i) => ({ item, key: i + rand() * window }))
  return keyed.sort((x, y) => x.key - y.key).map(k => k.item)
}

async function decodeVerify (list: Envelope[]): Promise<number> {
  const crypto = nodeCrypto()
  const t0 = performance.now()
  for (const env of list) await openEnvelope(env.bytes, { crypto, network: NETWORK, topic: TOPIC })
  return list.length / ((performance.now() - t0) / 1000)
}

async function deliver (list: Envelope[]): Promise<number> {
  const crypto = nodeCrypto()
  const inbox = new Inbox()
  let delivered = 0
  const t0 = performance.now()
  for (const env of list) {
    if (inbox.hasSeen(env.id)) continue
    const opened = await openEnvelope(env.bytes, { crypto, network: NETWORK, topic: TOPIC })
    for (const out of inbox.receive(opened, 0).deliverable) {
      inbox.markDelivered(out)
      delivered++
    }
  }
  const rate = list.length / ((performance.now() - t0) / 1000)
  if (delivered !== list.length || inbox.buffered.messages !== 0) throw new Error(`delivered ${delivered} of ${list.length}`)
  return rate
}

async function throughput (report: Report): Promise<void> {
  const all = await workload(4000)
  const order = jitter(all, 16, prng(2))
  const base: number[] = []
  const full: number[] = []
  await decodeVerify(order.slice(0, 500)) // warm up
  await deliver(all.slice(0, 500))
  for (let run = 0; run < 5; run++) {
    base.push(await decodeVerify(order))
    full.push(await deliver(order))
  }
  report.add('core.decode_verify.msgs_per_s', { value: round(median(base)), unit: 'msg/s', note: 'openEnvelope (decode, validate, Ed25519 verify via node:crypto, id) of 1 KiB envelopes; median of 5' })
  report.add('core.deliver.msgs_per_s', {
    value: round(median(full)),
    unit: 'msg/s',
    baseline: 'core.decode_verify.msgs_per_s',
    note: 'decode + verify + inbox (dedupe, causal buffer, history) + deliver; 4 authors, arrival jittered over 16 places; median of 5'
  })
}

/**
 * 1,000 authors in one topic; before each message its author delivers the
 * latest messages of 1-5 random others (with their causal past). Each author
 * keeps its own frontier; message clocks come from one shared CausalHistory,
 * which is what every peer would hold with a large enough clock cache.
 */
async function metadata (report: Report): Promise<void> {
  const nAuthors = 1000
  const perAuthor = 5
  const rand = prng(3)
  const crypto = nodeCrypto()
  const byTag = new Map<string, AuthorId[]>()
  const history = new CausalHistory({ resolveTag: tag => byTag.get(tag) ?? [], clockCache: nAuthors * perAuthor })
  const authors = Array.from({ length: nAuthors }, (_, i) => {
    const signer: Signer = nodeSigner(seed(1000 + i))
    const id = authorIdFromKey(signer.publicKey)
    byTag.set(tagOfAuthor(id), [...byTag.get(tagOfAuthor(id)) ?? [], id])
    return { signer, id, frontier: new Map() as VectorClock }
  })
  const latest = new Map<AuthorId, number>()
  const sizes: number[] = []
  const heads: number[] = []
  let fullClock = 0
  for (let i = 0; i < nAuthors * perAuthor; i++) {
    const w = authors[Math.floor(rand() * nAuthors)]!
    const k = 1 + Math.floor(rand() * 5)
    for (let j = 0; j < k; j++) {
      const o = authors[Math.floor(rand() * nAuthors)]!
      const seq = latest.get(o.id)
      if (o === w || seq === undefined) continue
      w.frontier = mergeClocks(w.frontier, history.clockOf(o.id, seq)!)
    }
    const context = history.contextFor(w.id, w.frontier)
    const seq = clockGet(w.frontier, w.id) + 1
    const env = await sealEnvelope({ network: NETWORK, topic: TOPIC, seq, time: i, context, payload: new Uint8Array(0) }, w.signer, crypto)
    history.record(env)
    w.frontier = clockWith(w.frontier, w.id, seq)
    latest.set(w.id, seq)
    sizes.push(contextWireBytes(context))
    heads.push(context.deps.length)
    fullClock = Math.max(fullClock, w.frontier.size)
  }
  const note = `${sizes.length} messages by ${nAuthors} authors; heads per message p50 ${percentile(heads, 0.5)}, p99 ${percentile(heads, 0.99)}, max ${Math.max(...heads)}; largest full clock ${fullClock} entries (~${fullClock * 11} bytes as tags)`
  report.add('core.metadata.p50_bytes', { value: percentile(sizes, 0.5), unit: 'bytes', note })
  report.add('core.metadata.p99_bytes', { value: percentile(sizes, 0.99), unit: 'bytes', target: '<= 64', note })
  report.add('core.metadata.max_bytes', { value: Math.max(...sizes), unit: 'bytes', note })
}

/** 100,000 random byte strings and 20,000 mutated envelopes: every one must end in a typed rejection. */
async function fuzz (report: Report): Promise<void> {
  const crypto = nodeCrypto()
  let cases = 0
  let untyped = 0
  const check = async (bytes: Uint8Array): Promise<void> => {
    cases++
    try {
      await openEnvelope(bytes, { crypto, network: NETWORK, topic: TOPIC })
      untyped++ // nothing random may be accepted
    } catch (err) {
      if (!isRejection(err)) untyped++
    }
  }
  const t0 = performance.now()
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1024 }), () => true)) // load fast-check's generators
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 1024 }), async (bytes) => { await check(bytes) }), { numRuns: 100_000 })
  const [valid] = await workload(1)
  await fc.assert(fc.asyncProperty(
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
    async (flips) => {
      const bytes = Uint8Array.from(valid!.bytes)
      for (const [at, mask] of flips) bytes[at % bytes.length]! ^= mask
      await check(bytes)
    }
  ), { numRuns: 20_000 })
  const seconds = (performance.now() - t0) / 1000
  report.add('core.fuzz.cases', { value: cases, unit: 'cases', target: '>= 100,000', note: `random bytes (<= 1 KiB) and bit-flipped envelopes through openEnvelope, ${round(seconds, 1)} s` })
  report.add('core.fuzz.untyped_outcomes', { value: untyped, unit: 'cases', target: '0', note: 'accepted garbage or an error that is not a typed rejection' })
}

/** The heap after a full GC (the flag is set at run time, so `npm run bench` needs no --expose-gc). */
function heapAfterGc (): number {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  return process.memoryUsage().heapUsed
}

/**
 * What one topic's receive path holds once its caches are full (docs/MESH.md "Memory"): an inbox
 * takes 20,000 messages from 13 authors (the C10 soak's count), with the core's default cache
 * sizes and with the browser preset's (BROWSER_CACHES); the heap after GC, less the envelopes'.
 */
async function inboxMemory (report: Report): Promise<void> {
  const list = await workload(20_000, 13)
  const held = (caches: InboxInit): number => {
    const before = heapAfterGc()
    const inbox = new Inbox(caches)
    for (const env of list) for (const out of inbox.receive(env, 0).deliverable) inbox.markDelivered(out)
    if (inbox.delivered.size !== 13 || inbox.buffered.messages !== 0) throw new Error('the inbox did not deliver every message')
    const after = heapAfterGc()
    inbox.contextFor(list[0]!.author) // keeps the inbox alive across the GC
    return (after - before) / 1048576
  }
  const defaults = held({})
  const browser = held({ ...BROWSER_CACHES })
  report.add('core.inbox.heap_mb', { value: round(defaults, 1), unit: 'MB', note: 'one topic\'s inbox after 20,000 messages from 13 authors, default caches (16,384 ids, 16,384 delivered pairs, 4,096 clocks); heap after GC' })
  report.add('core.inbox.heap_mb_browser', { value: round(browser, 1), unit: 'MB', baseline: 'core.inbox.heap_mb', note: 'the same with the browser preset\'s caches (BROWSER_CACHES: 4,096 / 4,096 / 1,024)' })
}

export const coreSuite: Suite = {
  name: 'core',
  metrics: ['core.decode_verify', 'core.deliver', 'core.inbox', 'core.metadata', 'core.fuzz'],
  async run (report, wanted) {
    if (wanted('core.deliver') || wanted('core.decode_verify')) await throughput(report)
    if (wanted('core.inbox')) await inboxMemory(report)
    if (wanted('core.metadata')) await metadata(report)
    if (wanted('core.fuzz')) await fuzz(report)
  }
}
