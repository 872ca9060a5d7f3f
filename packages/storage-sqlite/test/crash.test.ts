/**
 * Crash test: a child process appends in a loop and reports each commit; it is
 * killed with SIGKILL at random moments, 20 times; after each kill the store
 * is reopened and every reported commit must be there, nothing torn, seqs
 * contiguous, the outbox in step with the seq counter.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WeftStore, authorIdFromKey, openEnvelope } from '@weft/core'
import { nodeCrypto, nodeSigner } from '@weft/crypto-node'
import { afterAll, describe, expect, it } from 'vitest'
import { SqliteStore } from '../src/sqlite-store.ts'
import type { ChildProcess } from 'node:child_process'

const writer = new URL('./crash-writer.ts', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'weft-crash-'))
const path = join(dir, 'weft.db')
const meId = authorIdFromKey(nodeSigner(new Uint8Array(32).fill(1)).publicKey)
const otherId = authorIdFromKey(nodeSigner(new Uint8Array(32).fill(2)).publicKey)
const children = new Set<ChildProcess>()

afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the writer until `killAfterMs` after it is ready, then SIGKILLs it; returns the highest reported commits. */
async function runAndKill (seed: number, killAfterMs: number): Promise<{ own: number, batch: number, lines: number }> {
  const child = spawn(process.execPath, [writer, path, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  const reported = { own: 0, batch: 0, lines: 0 }
  let stderr = ''
  let buffered = ''
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<void>(resolve => child.on('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer did not start: ${stderr}`)), 20_000)
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const [kind, n] = line.split(' ')
        if (kind === 'ready') {
          clearTimeout(timer)
          setTimeout(() => child.kill('SIGKILL'), killAfterMs)
          resolve()
        } else if (kind === 'own') {
          reported.own = Number(n)
          reported.lines++
        } else if (kind === 'batch') {
          reported.batch = Number(n)
          reported.lines++
        }
      }
    })
    child.on('exit', (code) => { if (code !== null) reject(new Error(`writer exited ${code}: ${stderr}`)) })
  })
  await exited
  children.delete(child)
  expect(child.signalCode).toBe('SIGKILL')
  return reported
}

describe('SQLite store under SIGKILL', () => {
  it('keeps every reported commit, untorn and contiguous, across 20 kills', async () => {
    const crypto = nodeCrypto()
    let rand = 12345
    const next = (): number => {
      rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0
      return rand / 2 ** 32
    }
    let totalLines = 0
    for (let round = 0; round < 20; round++) {
      const reported = await runAndKill(round + 1, 30 + Math.floor(next() * 300))
      totalLines += reported.lines
      const store = await WeftStore.open(SqliteStore.open({ path }), { now: Date.now, randomId: () => 'verify' })
      try {
        const held = await store.held('c')
        const own = held.get(meId) ?? 0
        const got = held.get(otherId) ?? 0
        expect(own).toBeGreaterThanOrEqual(reported.own)
        expect(got).toBeGreaterThanOrEqual(reported.batch)
        for (const [author, top] of [[meId, own], [otherId, got]] as const) {
          const { messages, corrupt } = await store.read('c', author, 1, top)
          expect(corrupt).toEqual([])
          expect(messages.map(m => m.seq)).toEqual(Array.from({ length: top }, (_, i) => i + 1))
          for (const m of messages.slice(-50)) {
            const env = await openEnvelope(m.bytes, { crypto, network: 'crash', topic: 'c', author })
            expect(env.seq).toBe(m.seq)
          }
        }
        const outbox = await store.outbox('c', meId)
        expect(outbox.map(e => e.seq)).toEqual(Array.from({ length: own }, (_, i) => i + 1))
        const stats = await store.stats('c')
        expect(stats.count).toBe(own + got)
      } finally {
        await store.close()
      }
    }
    expect(totalLines).toBeGreaterThan(20) // the writer really wrote between kills
  }, 240_000)
})
