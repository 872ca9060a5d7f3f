/**
 * Row 33 of RELIABILITY.md section 11 on a real process: a publisher (publisher-process.ts) runs
 * under libfaketime (scripts/faketime.ts) and its wall clock moves across a restart, back 1 h,
 * ahead 24 h, or from 24 h ahead back to the true time. Its seqs go on from its store, nothing is
 * dropped, and the receiver (this process, true clock) delivers every message once, in seq order,
 * each stamped with the publisher's faked time.
 *
 * First, what the harness relies on: libfaketime moves Date.now in a Node 24 process, also while it
 * runs, and leaves its timers and monotonic clock alone. libfaketime must be installed
 * (`apt-get install faketime`; .ci/run does): without it these tests fail, they never skip.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { faketimeCleanup, faketimeEnv, libfaketime, setFakeOffset } from '../../../scripts/faketime.ts'
import { Cluster, addr, until } from './helpers.ts'
import type { ChildProcess } from 'node:child_process'

const PUBLISHER = new URL('./publisher-process.ts', import.meta.url).pathname
const HOUR = 3600
const DAY = 24 * HOUR
const children = new Set<ChildProcess>()
let cluster: Cluster | undefined

afterEach(async () => {
  await Promise.all([...children].map(async c => {
    const exited = new Promise(resolve => c.once('exit', resolve))
    c.kill('SIGKILL')
    await exited
  }))
  await cluster?.stop()
  cluster = undefined
})

/** Starts `node <args>` with its wall clock following the offset in `clockFile`. */
function underFaketime (args: string[], clockFile: string): { child: ChildProcess, stderr: () => string, exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FAKETIME: undefined, ...faketimeEnv(clockFile) } })
  children.add(child)
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000) })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => {
    children.delete(child)
    faketimeCleanup(child.pid)
    resolve(code)
  }))
  return { child, stderr: () => stderr, exited }
}

/** Runs publisher-process.ts to its end under faketime; its JSON events, and the true time around the run. */
async function publish (clockFile: string, dataDir: string, count: number, bootstrap: string): Promise<{ events: Array<Record<string, unknown>>, from: number, to: number }> {
  const from = Date.now()
  const run = underFaketime([PUBLISHER, dataDir, String(count), bootstrap], clockFile)
  const events: Array<Record<string, unknown>> = []
  createInterface({ input: run.child.stdout! }).on('line', l => { events.push(JSON.parse(l) as Record<string, unknown>) })
  let timer: ReturnType<typeof setTimeout> | undefined
  const code = await Promise.race([run.exited, new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`publisher did not finish within 60 s: ${JSON.stringify(events)} ${run.stderr()}`)) }, 60_000)
  })]).finally(() => { clearTimeout(timer) })
  if (code !== 0) throw new Error(`publisher exited ${code}: ${run.stderr()}`)
  return { events, from, to: Date.now() }
}

describe('clock faults on a real process (libfaketime)', () => {
  it('libfaketime moves Date.now in a Node process, also while it runs, and leaves its timers and monotonic clock alone', async () => {
    libfaketime() // fails loudly, saying how to install it
    cluster = new Cluster()
    const clock = join(cluster.dir(), 'clock')
    setFakeOffset(clock, -HOUR)
    const code = `let ticks = 0; setInterval(() => { ticks++ }, 20)
      const rl = require('node:readline').createInterface({ input: process.stdin })
      rl.on('line', () => { process.stdout.write(JSON.stringify({ now: Date.now(), mono: Number(process.hrtime.bigint()) / 1e6, ticks }) + '\\n') })
      rl.on('close', () => process.exit(0))`
    const run = underFaketime(['-e', code], clock)
    const lines = createInterface({ input: run.child.stdout! })[Symbol.asyncIterator]()
    const mono = (): number => Number(process.hrtime.bigint()) / 1e6
    /** The child's wall clock and monotonic clock minus ours (ms), and its interval's ticks so far. */
    const probe = async (): Promise<{ offsetMs: number, monoMs: number, ticks: number }> => {
      const [now0, mono0] = [Date.now(), mono()]
      run.child.stdin!.write('\n')
      let timer: ReturnType<typeof setTimeout> | undefined
      const line = await Promise.race([lines.next(), new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`no answer from the process under faketime: ${run.stderr()}`)) }, 10_000)
      })]).finally(() => { clearTimeout(timer) })
      if (line.done === true) throw new Error(`the process under faketime exited: ${run.stderr()}`)
      const r = JSON.parse(line.value) as { now: number, mono: number, ticks: number }
      return { offsetMs: r.now - (now0 + Date.now()) / 2, monoMs: r.mono - (mono0 + mono()) / 2, ticks: r.ticks }
    }
    const near = (ms: number, expected: number): void => { expect(Math.abs(ms - expected), `${ms} ms, expected ${expected} ms`).toBeLessThan(250) }

    let p = await probe()
    near(p.offsetMs, -HOUR * 1000)
    near(p.monoMs, 0)
    // the offset file is read on every clock read: the clock moves while the process runs
    for (const offset of [DAY, -HOUR, 262.5, 0]) {
      setFakeOffset(clock, offset)
      p = await probe()
      near(p.offsetMs, offset * 1000)
      near(p.monoMs, 0)
    }
    // timers go on after the clock went back 25 h and forward again (libuv times them by the monotonic clock)
    setFakeOffset(clock, -HOUR)
    const before = (await probe()).ticks
    await new Promise(resolve => setTimeout(resolve, 500))
    p = await probe()
    near(p.offsetMs, -HOUR * 1000)
    expect(p.ticks - before).toBeGreaterThanOrEqual(10) // 25 expected at 20 ms
    run.child.stdin!.end()
    expect(await run.exited).toBe(0)
  }, 60_000)

  const cases: Array<[string, number, number]> = [
    ['set back 1 h', 0, -HOUR],
    ['set ahead 24 h', 0, DAY],
    ['24 h ahead, then set back to the true time', DAY, 0]
  ]
  it.each(cases)('row 33: a publisher process whose clock is %s across a restart continues its seqs; every message is delivered once, in order', async (_what, first, second) => {
    libfaketime()
    cluster = new Cluster()
    const receiver = await cluster.add()
    const got: Array<{ author: string, seq: number, time: number, redelivered: boolean }> = []
    ;(await receiver.topic('crash')).subscribe(m => { got.push({ author: m.author, seq: m.seq, time: m.time, redelivered: m.redelivered }) })
    const dataDir = cluster.dir()
    const clock = join(cluster.dir(), 'clock')
    const N = 5

    setFakeOffset(clock, first)
    const a = await publish(clock, dataDir, N, addr(receiver))
    const author = a.events[0]!.author as string
    expect(a.events[0]).toMatchObject({ event: 'started', outbox: 0 })
    expect(a.events.filter(e => e.event === 'published').map(e => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(a.events.at(-1)).toMatchObject({ event: 'all-acked', outbox: 0 })
    await until(() => got.length >= N, 10_000, 'the first run\'s messages')

    // restart on the same store with the clock moved
    setFakeOffset(clock, second)
    const b = await publish(clock, dataDir, N, addr(receiver))
    expect(b.events[0]).toMatchObject({ event: 'started', author, outbox: 0 })
    expect(b.events.filter(e => e.event === 'published').map(e => e.seq)).toEqual([6, 7, 8, 9, 10])
    expect(b.events.at(-1)).toMatchObject({ event: 'all-acked', outbox: 0 })
    await until(() => got.length >= 2 * N, 10_000, 'the second run\'s messages')
    await new Promise(resolve => setTimeout(resolve, 500)) // room for a duplicate

    expect(got.map(g => [g.author, g.seq, g.redelivered])).toEqual(Array.from({ length: 2 * N }, (_, i) => [author, i + 1, false]))
    // each message carries its publisher's faked wall clock: the clock did move across the restart
    for (const [i, g] of got.entries()) {
      const run = i < N ? a : b
      const offset = (i < N ? first : second) * 1000
      expect(g.time, `message ${g.seq}`).toBeGreaterThanOrEqual(run.from + offset - 1000)
      expect(g.time, `message ${g.seq}`).toBeLessThanOrEqual(run.to + offset + 1000)
    }
  }, 150_000)
})
