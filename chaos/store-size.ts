// C10's store-size check (RELIABILITY.md 10.3: "store size within 10% of live data + retention"),
// on every Node store once its process has exited. Each topic must hold no more than its
// retention, and the pages in use no more than 10% over a compacted copy of the same rows
// (`VACUUM INTO`): what the live data takes with no free or half-empty page. The free pages a
// prune leaves are not counted: SQLite writes into them before it grows the file (the file never
// shrinks), which the soak's growth check on the file size shows.
import { existsSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { WeftStore } from '@weft/core'
import { SqliteStore } from '@weft/storage-sqlite'

export interface StoreSize {
  node: string
  /** weft.db once the last connection closed (its WAL folded in). */
  dbBytes: number
  /** Of which on SQLite's free list (pages a prune freed, reused by the next writes). */
  freeBytes: number
  /** A compacted copy of it (VACUUM INTO). */
  compactBytes: number
  /** Keys and values of every row: the bytes the store is asked to keep. */
  recordBytes: number
  /** Per topic, the messages stored and their envelope bytes. */
  topics: Record<string, { count: number, bytes: number }>
}

/** A tab's store (IndexedDB), measured through its page before the browser closes. */
export interface TabStoreSize {
  node: string
  /** What the origin uses (navigator.storage.estimate()): IndexedDB's files, its only store. */
  usageBytes: number
  topics: Record<string, { count: number, bytes: number }>
}

export async function measureStore (node: string, dataDir: string, topics: readonly string[]): Promise<StoreSize | undefined> {
  const path = join(dataDir, 'weft.db')
  if (!existsSync(path)) return undefined
  const copy = join(dataDir, 'compact.db')
  rmSync(copy, { force: true })
  // the writer has exited: this connection folds a WAL it left (a SIGKILL) into the file on close
  const db = new DatabaseSync(path)
  db.exec(`VACUUM INTO '${copy.replaceAll("'", "''")}'`)
  const pragma = (name: string): number => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0])
  const freeBytes = pragma('freelist_count') * pragma('page_size')
  db.close()
  const dbBytes = statSync(path).size
  const compactBytes = statSync(copy).size
  const c = new DatabaseSync(copy, { readOnly: true })
  const recordBytes = Number((c.prepare('SELECT coalesce(sum(length(k) + length(v)), 0) AS b FROM kv').get() as { b: number }).b)
  c.close()
  const adapter = await SqliteStore.open({ path: copy })
  const out: StoreSize['topics'] = {}
  try {
    const store = await WeftStore.open(adapter, { now: Date.now, randomId: () => 'store-size' })
    for (const t of topics) {
      const s = await store.stats(t)
      out[t] = { count: s.count, bytes: s.bytes }
    }
  } finally {
    await adapter.close()
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true })
  }
  return { node, dbBytes, freeBytes, compactBytes, recordBytes, topics: out }
}

/**
 * The failures, in words: a topic of a Node store or a tab's holding more than `retainCount`
 * messages (measure after a quiet prune interval: a prune runs every 10 s), or a Node store's
 * pages in use more than `overhead` over its compacted copy (a tab's IndexedDB has no such copy).
 */
export function storeFailures (stores: readonly StoreSize[], tabs: { names: readonly string[], stores: readonly TabStoreSize[] }, retainCount: number, overhead: number): string[] {
  const out: string[] = []
  const tabStores = tabs.stores
  if (stores.length === 0) out.push('no store measured')
  for (const name of tabs.names) if (!tabStores.some(s => s.node === name)) out.push(`${name}'s store was not measured (its page did not answer)`)
  for (const s of [...stores, ...tabStores]) {
    for (const [topic, t] of Object.entries(s.topics)) {
      if (t.count > retainCount) out.push(`${s.node} holds ${t.count} messages of ${topic} (retention ${retainCount})`)
    }
  }
  for (const s of stores) {
    const used = s.dbBytes - s.freeBytes
    const r = used / s.compactBytes - 1
    if (r > overhead) out.push(`${s.node}'s store uses ${Math.round(r * 100)}% more than its compacted copy (${used} vs ${s.compactBytes} bytes; limit ${Math.round(overhead * 100)}%)`)
  }
  return out
}
