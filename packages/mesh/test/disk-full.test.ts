/**
 * RELIABILITY.md row 27 and C7's ENOSPC, through `topic.publish()`: a publisher process whose
 * data folder is a real 1 MiB tmpfs (mounted in its own mount namespace, so nothing leaks to
 * the host) fills the disk. publish() must reject with StorageFullError, write nothing half,
 * keep the peer up, and go on at the next seq once space is free; the subscriber gets every
 * published message once, in order, and never the refused one. Needs root (mount); without
 * it the test fails and says so. Also the receiving side: a subscriber whose store fills up
 * while messages arrive keeps them and stores them once space is back (in process, a
 * MemoryStore with a size cap, which fails exactly like a full disk).
 */
import { spawn, spawnSync } from 'node:child_process'
import { MemoryStore } from '@weft/core'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, addr, until } from './helpers.ts'
import type { ChildProcess } from 'node:child_process'

const script = new URL('./disk-full-process.ts', import.meta.url).pathname
let child: ChildProcess | undefined
let cluster: Cluster
afterEach(async () => {
  child?.kill('SIGKILL')
  child = undefined
  await cluster?.stop()
})

describe('disk full', () => {
  it('row 27: publish() rejects with StorageFullError on a full disk, nothing half-written, and continues at the next seq once space is free', async () => {
    const probe = spawnSync('unshare', ['-m', 'true'])
    if (probe.status !== 0) throw new Error(`this test mounts a tmpfs in a mount namespace and needs root and unshare(1): ${probe.stderr?.toString() ?? probe.error}`)
    cluster = new Cluster()
    const subscriber = await cluster.add()
    const topic = await subscriber.topic('disk')
    const got: Array<{ seq: number, text: string }> = []
    topic.subscribe(m => { got.push({ seq: m.seq, text: (m.text() ?? '').split(' ').slice(0, 2).join(' ') }) })
    const dir = cluster.dir()
    child = spawn('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=1m weft-disk-full "$0" && exec "$1" "$2" "$0" "$3"', dir, process.execPath, script, addr(subscriber)],
      { stdio: ['pipe', 'pipe', 'pipe'] })
    const events: Array<Record<string, any>> = []
    let stderr = ''
    let buffered = ''
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) events.push(JSON.parse(line))
    })
    const seen = (name: string): boolean => events.some(e => e.event === name)
    await until(() => seen('still-up') || child?.exitCode !== null, 60_000, 'the disk filled').catch(err => { throw new Error(`${err}\n${stderr}`) })
    expect(child.exitCode, stderr).toBeNull()
    const rejected = events.find(e => e.event === 'rejected')
    expect(rejected?.name).toBe('StorageFullError')
    expect(rejected?.message).toMatch(/full/i)
    const before = events.filter(e => e.event === 'published')
    expect(before.length).toBeGreaterThan(5) // the 256 KiB left took some 4 KiB messages first
    expect(before.map(e => e.seq)).toEqual(before.map((_, i) => i + 1))
    expect(events.some(e => e.event === 'unhandled')).toBe(false)

    child.stdin!.write('free\n')
    await until(() => seen('all-acked') || seen('timeout') || child?.exitCode !== null, 60_000, 'published after freeing space')
    const last = events.at(-1)!
    expect(last.event, JSON.stringify(last) + stderr).toBe('all-acked')
    const all = events.filter(e => e.event === 'published')
    expect(all.length).toBe(before.length + 5)
    // the refused message's seq went to the next one: no gap, no reuse
    expect(all.map(e => e.seq)).toEqual(all.map((_, i) => i + 1))
    await until(() => got.length === all.length, 20_000, 'every published message delivered')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual(all.map(e => ({ seq: e.seq, text: e.text })))
    expect(got.map(m => m.text)).not.toContain(rejected!.text)
    expect(events.some(e => e.event === 'unhandled')).toBe(false)
    // background writes that met the full disk (acks, outbox) were reported as typed errors, nothing else
    expect(new Set(last.errors)).toEqual(new Set(last.errors.length > 0 ? ['StorageFullError'] : []))
  }, 120_000)

  it('row 27 on the receiving side: a subscriber whose store is full keeps what arrives, reports it, and stores and delivers it all, once and in order, when space is back', async () => {
    cluster = new Cluster()
    const publisher = await cluster.add()
    const disk = new MemoryStore()
    const subscriber = await cluster.add({ adapter: disk, bootstrap: [addr(publisher)] })
    const t = await publisher.topic('full')
    const got: number[] = []
    ;(await subscriber.topic('full')).subscribe(m => { got.push(m.seq) })
    const errors: string[] = []
    subscriber.addEventListener('error', e => { errors.push(e.detail.error.name) })
    await until(() => subscriber.sessionCount > 0, 10_000, 'connected')
    for (let i = 0; i < 20; i++) await t.publish(`before ${i}`)
    await until(() => got.length === 20, 10_000, 'the first 20')
    // the disk fills: nothing more fits
    disk.maxBytes = 0
    const acked = []
    for (let i = 0; i < 50; i++) acked.push((await t.publish(`while full ${i}`)).acked)
    await until(() => errors.includes('StorageFullError'), 10_000, 'the full disk reported')
    await new Promise(resolve => setTimeout(resolve, 1_500))
    expect(got).toHaveLength(20) // nothing delivered that could not be stored
    disk.maxBytes = Infinity
    await until(() => got.length === 70, 30_000, 'all 70 once space is back')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual(Array.from({ length: 70 }, (_, i) => i + 1))
    expect((await Promise.all(acked)).every(a => a.acked)).toBe(true)
    expect(new Set(errors)).toEqual(new Set(['StorageFullError']))
  }, 60_000)

  it('a subscriber whose disk stays full while another peer acks everything keeps at most maxUnstored in memory, then gets the rest by sync, once and in order', async () => {
    cluster = new Cluster()
    const publisher = await cluster.add()
    const healthy = await cluster.add({ bootstrap: [addr(publisher)] }) // acks, so the publisher never waits for the full one
    const disk = new MemoryStore()
    const full = await cluster.add({ adapter: disk, bootstrap: [addr(publisher), addr(healthy)], maxUnstored: 100 })
    const t = await publisher.topic('soak')
    ;(await healthy.topic('soak')).subscribe(() => undefined)
    const got: number[] = []
    const ft = await full.topic('soak')
    ft.subscribe(m => { got.push(m.seq) })
    await until(() => full.sessionCount >= 2, 10_000, 'connected')
    disk.maxBytes = 0
    let peak = 0
    const acked = []
    for (let i = 0; i < 600; i++) {
      acked.push((await t.publish(`while full ${i}`)).acked)
      peak = Math.max(peak, ft.unstored.messages)
    }
    expect((await Promise.all(acked)).every(a => a.acked)).toBe(true) // acked by the healthy peer alone
    await new Promise(resolve => setTimeout(resolve, 1_000))
    peak = Math.max(peak, ft.unstored.messages)
    expect(got).toHaveLength(0)
    console.log(`a full disk under acked traffic: at most ${peak} received messages waited for the store (cap 100), ${ft.unstored.shed} not taken`)
    // a release may pass the cap by what the inbox had waiting, never by the whole stream
    expect(peak).toBeGreaterThanOrEqual(100)
    expect(peak).toBeLessThan(300)
    expect(ft.unstored.shed).toBeGreaterThan(0)
    disk.maxBytes = Infinity
    await until(() => got.length === 600, 60_000, 'all 600 once space is back')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual(Array.from({ length: 600 }, (_, i) => i + 1))
  }, 90_000)
})
