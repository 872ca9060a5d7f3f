/**
 * @packageDocumentation
 *
 * weft's browser store. `IdbStore` is a StoreAdapter on IndexedDB through
 * `idb`: one object store of (array key → bytes), every write one readwrite
 * transaction with `durability: 'strict'` (committed to disk before it
 * resolves), persistent storage requested at open (`persisted` says whether
 * the browser granted it). `claimTabIdentity` gives each tab of an origin its
 * own author identity, held with a Web Lock, so two tabs never write the same
 * (author, seq).
 *
 * @example
 * ```ts
 * import { WeftStore } from '@weft/core'
 * import { IdbStore } from '@weft/storage-idb'
 *
 * const adapter = await IdbStore.open({ name: 'weft' })
 * if (adapter.persisted !== true) console.warn('storage may be evicted by the browser')
 * const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => crypto.randomUUID() })
 * ```
 */
export { IdbStore } from './idb-store.ts'
export type { IdbStoreInit } from './idb-store.ts'
export { claimTabIdentity } from './tab-identity.ts'
export type { TabIdentity, TabIdentityInit } from './tab-identity.ts'
