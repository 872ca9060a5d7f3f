// chaos/store-size.ts on a real SQLite store: what C10 measures once a node has exited.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WeftStore, nobleSigner, sealEnvelope } from '@weft/core'
import { nodeCrypto } from '@weft/crypto-node'
import { SqliteStore } from '@weft/storage-sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { measureStore, storeFailures } from './store-size.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe('store size (C10)', () => {
  it('counts what each topic keeps, and compares the file with a compacted copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-store-size-'))
    dirs.push(dir)
    const adapter = await SqliteStore.open({ path: join(dir, 'weft.db') })
    const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => 'x' })
    const signer = nobleSigner(new Uint8Array(32).fill(3))
    for (let seq = 1; seq <= 300; seq++) {
      const env = await sealEnvelope({ network: 'n', topic: 't1', seq, time: seq, context: { full: false, deps: [] }, payload: new Uint8Array(900).fill(seq & 0xff) }, signer, nodeCrypto())
      await store.appendReceived('t1', [env])
    }
    await store.setRetention('t1', { maxCount: 100 })
    expect(await store.prune('t1')).toMatchObject({ removed: 200 })
    await adapter.close()
    const size = await measureStore('n1', dir, ['t1', 't2'])
    expect(size).toBeDefined()
    expect(size!.topics).toEqual({ t1: { count: 100, bytes: expect.any(Number) }, t2: { count: 0, bytes: 0 } })
    expect(size!.topics.t1!.bytes).toBeGreaterThan(100 * 900)
    // 200 of 300 rows deleted: the file keeps their pages (free, for reuse), the copy does not
    expect(size!.dbBytes).toBeGreaterThan(size!.compactBytes * 1.5)
    expect(size!.freeBytes).toBeGreaterThan(150 * 900)
    expect(size!.dbBytes - size!.freeBytes).toBeLessThan(size!.compactBytes * 1.1)
    expect(size!.recordBytes).toBeGreaterThan(100 * 900)
    expect(size!.recordBytes).toBeLessThan(size!.compactBytes)
    const noTabs = { names: [], stores: [] }
    expect(storeFailures([size!], noTabs, 100, 0.1)).toEqual([])
    expect(storeFailures([size!], noTabs, 99, 0.1)).toEqual(['n1 holds 100 messages of t1 (retention 99)'])
    expect(storeFailures([{ ...size!, freeBytes: 0 }], noTabs, 100, 0.1)[0]).toMatch(/^n1's store uses \d+% more than its compacted copy/)
    expect(storeFailures([], noTabs, 100, 0.1)).toEqual(['no store measured'])
    // tabs: counts checked, and every tab must have answered
    const tab = { node: 'b1', usageBytes: 1_000_000, topics: { t1: { count: 101, bytes: 10_000 } } }
    expect(storeFailures([size!], { names: ['b1', 'b2'], stores: [tab] }, 100, 0.1)).toEqual([
      'b2\'s store was not measured (its page did not answer)',
      'b1 holds 101 messages of t1 (retention 100)'
    ])
    expect(await measureStore('n2', join(dir, 'none'), ['t1'])).toBeUndefined()
  })
})
