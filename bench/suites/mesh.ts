// Mesh benchmarks: separate processes over TCP on 127.0.0.1, 1 KiB payloads, SQLite persistence on for
// weft. Raw @libp2p/gossipsub runs in the same harness as the baseline (default StrictSign, and StrictNoSign).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { percentile, round } from '../report.ts'
import type { ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import type { Report } from '../report.ts'
import type { Suite } from '../suite.ts'

const WORKER = new URL('../mesh/worker.ts', import.meta.url).pathname
type Kind = 'weft' | 'gossipsub' | 'gossipsub_nosign'
type Event = Record<string, any>

interface Worker {
  child: ChildProcess
  next(predicate: (e: Event) => boolean, ms?: number): Promise<Event>
  on(handler: (e: Event) => void): void
  send(line: string): void
}

const live = new Set<ChildProcess>()
process.on('exit', () => { for (const c of live) c.kill('SIGKILL') })

function worker (config: object): Worker {
  // WEFT_BENCH_PROFILE=<dir> writes a CPU profile of every worker there
  const profile = process.env.WEFT_BENCH_PROFILE === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', process.env.WEFT_BENCH_PROFILE]
  const child = spawn(process.execPath, [...profile, WORKER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] })
  live.add(child)
  child.on('exit', () => live.delete(child))
  const handlers: Array<(e: Event) => void> = []
  let buffered = ''
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop()!
    for (const line of lines) {
      const e = JSON.parse(line) as Event
      if (process.env.WEFT_BENCH_DEBUG !== undefined && e.event !== 'progress') process.stderr.write(`[worker ${child.pid}] ${line}\n`)
      for (const h of [...handlers]) h(e)
    }
  })
  return {
    child,
    on: (h) => { handlers.push(h) },
    send: (line) => { child.stdin!.write(line + '\n') },
    next: (predicate, ms = 120_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker timed out: ${stderr.slice(-2000)}`)), ms)
      const h = (e: Event): void => {
        if (!predicate(e)) return
        clearTimeout(timer)
        handlers.splice(handlers.indexOf(h), 1)
        resolve(e)
      }
      handlers.push(h)
      child.on('exit', code => { if (code !== 0 && code !== null) reject(new Error(`worker exited ${code}: ${stderr.slice(-2000)}`)) })
    })
  }
}

function stop (...ws: Worker[]): void {
  for (const w of ws) w.child.kill(process.env.WEFT_BENCH_PROFILE === undefined ? 'SIGKILL' : 'SIGINT')
}

interface Run { msgsPerS: number, ackedPerS?: number, p99: number, p50: number, delivered: number }

/**
 * One publisher, one subscriber: throughput until the last delivery (and, for weft, the last custody ack).
 * WEFT_BENCH_WINDOW overrides the publish window (256) for diagnosis; the reported figures use 256.
 */
export async function oneToOne (kind: Kind, count: number, rate?: number, via?: string): Promise<Run> {
  const dirs = kind === 'weft' ? [mkdtempSync(join(tmpdir(), 'weft-bench-')), mkdtempSync(join(tmpdir(), 'weft-bench-'))] : []
  const sub = worker({ kind, role: 'sub', count, dataDir: dirs[0], target: via })
  const lat: number[] = []
  let delivered = 0
  sub.on(e => {
    if (e.event === 'progress') {
      lat.push(...(e.lat as number[]))
      delivered = e.count
      pub?.send(`credit ${e.count}`)
    }
  })
  let pub: Worker | undefined
  try {
    const ready = await sub.next(e => e.event === 'ready')
    pub = worker({ kind, role: 'pub', count, rate, target: via ?? ready.addr, window: Number(process.env.WEFT_BENCH_WINDOW ?? 256), dataDir: dirs[1] })
    const start = await pub.next(e => e.event === 'start')
    // listen for both before awaiting either: the last ack can come before the last delivery
    const doneP = sub.next(e => e.event === 'done', 180_000)
    const ackedP = kind === 'weft' ? pub.next(e => e.event === 'acked', 240_000) : undefined
    void ackedP?.catch(() => undefined)
    const done = await doneP
    const run: Run = { msgsPerS: count / ((done.at - start.at) / 1000), p99: percentile(lat, 0.99), p50: percentile(lat, 0.5), delivered }
    if (ackedP !== undefined) {
      const acked = await ackedP
      if (acked.all !== true) throw new Error('not every message was acked')
      run.ackedPerS = count / ((acked.at - start.at) / 1000)
    }
    return run
  } finally {
    stop(sub, ...(pub === undefined ? [] : [pub]))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

interface FanOut { msgsPerS: number, delivered: number, expected: number, p99: number }

/** One publisher, 8 subscribers in a full mesh (9 processes), `rate` msg/s offered. */
async function oneToEight (kind: Kind, count: number, rate: number): Promise<FanOut> {
  const subs: Worker[] = []
  const dirs: string[] = []
  const progress: number[] = []
  const lat: number[] = []
  let pub: Worker | undefined
  try {
    const addrs: string[] = []
    for (let i = 0; i < 8; i++) {
      const dir = kind === 'weft' ? mkdtempSync(join(tmpdir(), 'weft-bench-')) : undefined
      if (dir !== undefined) dirs.push(dir)
      const w = worker({ kind, role: 'sub', count, peers: [...addrs], dataDir: dir })
      progress.push(0)
      w.on(e => {
        if (e.event !== 'progress') return
        lat.push(...(e.lat as number[]))
        progress[i] = e.count
        pub?.send(`credit ${Math.min(...progress)}`)
      })
      addrs.push((await w.next(e => e.event === 'ready')).addr)
      subs.push(w)
    }
    const dir = kind === 'weft' ? mkdtempSync(join(tmpdir(), 'weft-bench-')) : undefined
    if (dir !== undefined) dirs.push(dir)
    // raw gossipsub cannot slow its publisher: it publishes at the offered rate, whatever happens downstream
    pub = worker({ kind, role: 'pub', count, rate, peers: addrs, window: kind === 'weft' ? 256 : 1e9, dataDir: dir })
    const start = await pub.next(e => e.event === 'start')
    const published = await pub.next(e => e.event === 'published', 300_000)
    const deadline = Date.now() + 30_000 + (count / rate) * 1000
    while (progress.some(p => p < count) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
    const end = performance.timeOrigin + performance.now()
    const delivered = progress.reduce((a, b) => a + b, 0)
    void published
    return { msgsPerS: delivered / ((end - start.at) / 1000), delivered, expected: 8 * count, p99: lat.length > 0 ? percentile(lat, 0.99) : NaN }
  } finally {
    stop(...subs, ...(pub === undefined ? [] : [pub]))
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

/** A TCP proxy on 127.0.0.1 that counts the bytes it carries both ways. */
async function countingProxy (targetPort: number): Promise<{ port: number, bytes: () => number, close: () => void }> {
  let bytes = 0
  const server = createServer(socket => {
    const upstream = tcpConnect(targetPort, '127.0.0.1')
    socket.on('data', d => { bytes += d.length; upstream.write(d) })
    upstream.on('data', d => { bytes += d.length; socket.write(d) })
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
    socket.on('close', () => upstream.destroy())
    upstream.on('close', () => socket.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, bytes: () => bytes, close: () => { server.close() } }
}

/**
 * A peer that missed `count` messages catches up from one peer that stored them. The holder
 * published them `preloadGroup` at a time: 1 signs each alone (one Ed25519 check per message at
 * the receiver), 256 batch-signs them in sixteens (as a publisher under load does).
 */
async function catchup (count: number, preloadGroup = 1): Promise<{ msgsPerS: number, steadyPerS: number, wireRatio: number }> {
  const dirs = [mkdtempSync(join(tmpdir(), 'weft-bench-')), mkdtempSync(join(tmpdir(), 'weft-bench-'))]
  const holder = worker({ kind: 'weft', role: 'pub', count: 0, preload: count, preloadGroup, dataDir: dirs[0] })
  let sub: Worker | undefined
  let proxy: Awaited<ReturnType<typeof countingProxy>> | undefined
  try {
    const ready = await holder.next(e => e.event === 'ready', 300_000)
    const parts = (ready.addr as string).split('/')
    proxy = await countingProxy(Number(parts[4]))
    const target = `/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${parts[6]}`
    const t0 = performance.timeOrigin + performance.now()
    sub = worker({ kind: 'weft', role: 'sub', count, target, dataDir: dirs[1] })
    const first = sub.next(e => e.event === 'first', 300_000)
    const done = await sub.next(e => e.event === 'done', 300_000)
    const steady = (done.at - (await first).at) / 1000
    return { msgsPerS: count / ((done.at - t0) / 1000), steadyPerS: (count - 1) / steady, wireRatio: proxy.bytes() / (count * 1024) }
  } finally {
    stop(holder, ...(sub === undefined ? [] : [sub]))
    proxy?.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}

async function run (report: Report, wanted: (m: string) => boolean): Promise<void> {
  if (wanted('mesh.tcp.1to1') || wanted('gossipsub') || wanted('mesh.tcp.durable')) {
    const n = 20_000
    const signed = await oneToOne('gossipsub', n)
    const nosign = await oneToOne('gossipsub_nosign', n)
    const weft = await oneToOne('weft', n)
    report.add('gossipsub.tcp.1to1.msgs_per_s', { value: round(signed.msgsPerS), unit: 'msg/s', note: `raw @libp2p/gossipsub, default config (StrictSign), ${n} x 1 KiB, window 256, 2 processes` })
    report.add('gossipsub_nosign.tcp.1to1.msgs_per_s', { value: round(nosign.msgsPerS), unit: 'msg/s', note: 'raw @libp2p/gossipsub, StrictNoSign, same harness' })
    report.add('mesh.tcp.1to1.msgs_per_s', { value: round(weft.msgsPerS), unit: 'msg/s', baseline: 'gossipsub.tcp.1to1.msgs_per_s', target: '>= 3x gossipsub; aim >= 1.0x gossipsub_nosign', note: `weft: author signatures, causal order, SQLite on both sides; ratio to StrictNoSign ${round(weft.msgsPerS / nosign.msgsPerS, 2)}` })
    report.add('mesh.tcp.durable.msgs_per_s', { value: round(weft.ackedPerS!), unit: 'msg/s', target: '>= 10,000', note: `publish -> committed -> delivered and committed at the subscriber -> custody ack; ${n} messages, <= 256 unacked, every one acked` })
  }
  if (wanted('mesh.tcp.1to1.p99') || wanted('gossipsub_nosign.tcp.1to1.p99')) {
    const n = 10_000
    const nosign = await oneToOne('gossipsub_nosign', n, 2000)
    const weft = await oneToOne('weft', n, 2000)
    report.add('gossipsub_nosign.tcp.1to1.p99_ms', { value: round(nosign.p99, 1), unit: 'ms', note: `2,000 msg/s offered, ${n} messages; p50 ${round(nosign.p50, 1)} ms; achieved ${round(nosign.msgsPerS)} msg/s` })
    report.add('mesh.tcp.1to1.p99_ms', { value: round(weft.p99, 1), unit: 'ms', baseline: 'gossipsub_nosign.tcp.1to1.p99_ms', target: 'sustains 2,000 msg/s, p99 <= 2x baseline', note: `p50 ${round(weft.p50, 1)} ms; achieved ${round(weft.msgsPerS)} msg/s` })
  }
  if (wanted('mesh.tcp.1to8') || wanted('gossipsub.tcp.1to8') || wanted('gossipsub_nosign.tcp.1to8')) {
    const n = 5_000
    for (const kind of ['gossipsub', 'gossipsub_nosign', 'weft'] as const) {
      const r = await oneToEight(kind, n, 500)
      const name = kind === 'weft' ? 'mesh' : kind
      const base = kind === 'weft' ? { baseline: 'gossipsub.tcp.1to8.msgs_per_s' } : {}
      report.add(`${name}.tcp.1to8.msgs_per_s`, { value: round(r.msgsPerS), unit: 'msg/s', ...base, note: `deliveries summed over 8 subscribers, 9 processes in a full mesh, ${n} messages at 500 msg/s offered; p99 ${round(r.p99, 1)} ms` })
      report.add(`${name}.tcp.1to8.delivered_ratio`, { value: round(r.delivered / r.expected, 4), unit: 'ratio', ...(kind === 'weft' ? { target: '1.0 in every run' } : {}), note: `${r.delivered} of ${r.expected} deliveries` })
    }
  }
  if (wanted('mesh.catchup')) {
    const c = await catchup(10_000)
    report.add('mesh.catchup.msgs_per_s', { value: round(c.steadyPerS), unit: 'msg/s', target: '>= 20,000', note: `a new peer catches up 10,000 x 1 KiB from one peer that stored them: first to last delivery; ${round(c.msgsPerS)} msg/s counting its process start, dial and handshake` })
    report.add('mesh.catchup.wire_bytes_per_payload_byte', { value: round(c.wireRatio, 3), unit: 'ratio', target: '<= 1.1', note: 'all TCP bytes both ways (noise, yamux, gossipsub, sync) / payload bytes' })
    const b = await catchup(10_000, 256)
    report.add('mesh.catchup.batch_signed.msgs_per_s', { value: round(b.steadyPerS), unit: 'msg/s', note: `as mesh.catchup, the holder's 10,000 published 256 at a time (batch-signed, one Ed25519 check per 16 at the receiver); ${round(b.msgsPerS)} msg/s counting process start; wire ${round(b.wireRatio, 3)} bytes per payload byte` })
  }
}

export const meshSuite: Suite = {
  name: 'mesh',
  metrics: ['mesh.tcp.1to1', 'mesh.tcp.1to8', 'mesh.tcp.durable', 'gossipsub.tcp', 'gossipsub_nosign.tcp', 'mesh.catchup'],
  run
}
