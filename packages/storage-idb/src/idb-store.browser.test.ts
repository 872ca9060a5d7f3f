// The StoreAdapter conformance suite on IndexedDB, in real Chromium (Vitest browser mode).
import { deleteDB } from 'idb'
import { runStoreAdapterTests } from '@weft/test-suites'
import { describe, expect, it } from 'vitest'
import { IdbStore } from './idb-store.ts'

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
})
