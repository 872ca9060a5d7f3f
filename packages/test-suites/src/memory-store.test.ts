import { MemoryStore } from '@weft/core'
import { runStoreAdapterTests } from './store-adapter-suite.ts'

runStoreAdapterTests('MemoryStore', async () => {
  const adapter = new MemoryStore()
  return {
    adapter,
    setCap: async (bytes) => { adapter.maxBytes = bytes },
    teardown: async () => { await adapter.close() }
  }
})
