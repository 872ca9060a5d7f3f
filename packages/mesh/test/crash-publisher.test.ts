/**
 * (c) A publisher process is SIGKILLed after publish() resolved and before
 * any ack; restarted on its data folder, it re-sends from its outbox, the
 * messages are acked, and the subscriber delivers each exactly once.
 */
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { Cluster, addr, until } from './helpers.ts'
import type { ChildProcess } from 'node:child_process'

const script = new URL('./publisher-process.ts', import.meta.url).pathname
const children = new Set<ChildProcess>()
let cluster: Cluster
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL')
  await cluster?.stop()
})

function run (args: string[], until: (event: Record<string, unknown>, all: Array<Record<string, unknown>>) => boolean): Promise<{ child: ChildProcess, events: Array<Record<string, unknown>> }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  const events: Array<Record<string, unknown>> = []
  let stderr = ''
  let buffered = ''
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`publisher timed out: ${stderr}`)), 30_000)
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const event = JSON.parse(line) as Record<string, unknown>
        events.push(event)
        if (until(event, events)) {
          clearTimeout(timer)
          resolve({ child, events })
        }
      }
    })
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) {
        clearTimeout(timer)
        reject(new Error(`publisher exited ${code}: ${stderr}`))
      }
    })
  })
}

describe('publisher crash', () => {
  it('(c) messages published before a SIGKILL are re-sent after restart, acked, and delivered once', async () => {
    cluster = new Cluster()
    const subscriber = await cluster.add()
    const topic = await subscriber.topic('crash')
    const got: Array<{ author: string, seq: number }> = []
    topic.subscribe(m => { got.push({ author: m.author, seq: m.seq }) })
    const dataDir = cluster.dir()
    // offline: no bootstrap, so nothing can be acked before the kill
    const first = await run([dataDir, '3'], (_e, all) => all.filter(x => x.event === 'published').length === 3)
    first.child.kill('SIGKILL')
    await new Promise<void>(resolve => first.child.on('exit', () => resolve()))
    children.delete(first.child)
    expect(first.child.signalCode).toBe('SIGKILL')
    const author = first.events[0]!.author as string
    const second = await run([dataDir, '0', addr(subscriber)], e => e.event === 'all-acked' || e.event === 'timeout')
    expect(second.events[0]).toMatchObject({ event: 'started', author, outbox: 3 })
    expect(second.events.at(-1)).toMatchObject({ event: 'all-acked', outbox: 0 })
    await until(() => got.length >= 3, 10_000, 'deliveries')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(got).toEqual([1, 2, 3].map(seq => ({ author, seq })))
  }, 90_000)
})
