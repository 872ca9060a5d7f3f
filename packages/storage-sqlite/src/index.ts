/**
 * @packageDocumentation
 *
 * A weft StoreAdapter on Node's built-in `node:sqlite` (no native addon to
 * build): one table of (key BLOB, value BLOB), WAL journal, `synchronous=FULL`
 * by default, one transaction per `write` (callers batch: group commit). A
 * write resolves once SQLite has fsynced it. The database file is made
 * readable by its owner only (mode 0600), since it holds identity keys.
 *
 * @example
 * ```ts
 * import { WeftStore } from '@weft/core'
 * import { SqliteStore } from '@weft/storage-sqlite'
 *
 * const adapter = SqliteStore.open({ path: './data/weft.db' })
 * const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => crypto.randomUUID() })
 * ```
 */
export { SqliteStore } from './sqlite-store.ts'
export type { SqliteStoreInit } from './sqlite-store.ts'
