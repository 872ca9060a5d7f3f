// The StoreAdapter conformance suite on IndexedDB, in real Chromium (Vitest browser mode).
import { deleteDB } from 'idb'
import { runStoreAdapterTests } from '@weft/test-suites'
import { describe, expect, it } from 'vitest'
import { WeftStore } from '@weft/core'
import { IdbStore } from './idb-store.ts'
import { claimTabIdentity } from './tab-identity.ts'

let n = 0
runStoreAdapterTests('IdbStore (IndexedDB in Chromium)', async () => {
  const name = `weft-suite-${Date.now()}-${++n}`
  let adapter = await IdbStore.open({ name })
  return {
    adapter,
    reopen: async () => {
      await adapter.close()
      adapter = await IdbStore.open({ name })
      return adapter
    },
    teardown: async () => {
      await adapter.close()
      await deleteDB(name)
    }
  }
})

describe('IdbStore specifics', () => {
  it('reports whether persistent storage was granted, and refuses use after close', async () => {
    const store = await IdbStore.open({ name: 'weft-specifics' })
    expect(typeof store.persisted === 'boolean' || store.persisted === undefined).toBe(true)
    expect(store.persisted).toBe(await navigator.storage.persisted())
    await store.close()
    await expect(store.get(['x'])).rejects.toHaveProperty('name', 'StoreError')
    await deleteDB('weft-specifics')
  })

  it('claimTabIdentity: claims racing on a fresh origin, each with a slow key creation, all get distinct identities', async () => {
    const name = `weft-claims-${Date.now()}`
    const adapter = await IdbStore.open({ name })
    const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => crypto.randomUUID() })
    let made = 0
    const create = async (): Promise<{ secret: Uint8Array, author: string }> => {
      await new Promise(resolve => setTimeout(resolve, 100)) // key creation taking a while, as under load
      const i = ++made
      return { secret: new Uint8Array(32).fill(i), author: `author-${i}` }
    }
    const lockPrefix = `race-${name}`
    const claims = await Promise.all(Array.from({ length: 4 }, async () => await claimTabIdentity(store, { create, lockPrefix })))
    expect(new Set(claims.map(c => c.name)).size).toBe(4)
    expect(claims.every(c => c.created)).toBe(true)
    for (const c of claims) c.release()
    await adapter.close()
    await deleteDB(name)
  })
})
