/**
 * SqliteStore: the StoreAdapter on node:sqlite. node:sqlite is synchronous:
 * a write blocks the event loop for its fsync (about a millisecond for a
 * batch here), which is why callers batch.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { StatementSync } from 'node:sqlite'
import { StorageFullError, StoreError, WriteConflictError } from '@weft/core'
import { decodeKey, encodeKey, prefixBounds } from './key-codec.ts'
import type { RangeOptions, StoreAdapter, StoreEntry, StoreKey, StoreWrite } from '@weft/core'

export interface SqliteStoreInit {
  /** The database file; its folder is created (mode 0700) if missing. `:memory:` for a throwaway database. */
  path: string
  /** SQLite `synchronous` level. FULL fsyncs the WAL at every commit: an ack means on disk. @default 'FULL' */
  synchronous?: 'FULL' | 'EXTRA' | 'NORMAL'
  /** Largest database size in bytes (rounded down to pages); a write past it fails with StorageFullError. @default no cap */
  maxBytes?: number
  /** How long a write waits for another connection's lock. @default 5000 */
  busyTimeoutMs?: number
}

const SQLITE_FULL = 13

/**
 * One table of keys and values, an ordinary rowid table (with an index on `k`). Not
 * `WITHOUT ROWID`: there a row keeps at most ~1,000 bytes on its 4 KiB page and
 * spills the rest onto an overflow page of its own, so a 1 KiB message took 3.7× its
 * size on disk and ~4× the insert time (measured; docs/STORAGE.md, "SQLite layout").
 * A rowid table keeps rows up to ~4,000 bytes on their page.
 */
const KV_COLUMNS = '(k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL)'

/**
 * Moves a store created by an earlier release (`kv ... WITHOUT ROWID`) to the rowid
 * table, in one transaction: a crash or a full disk meanwhile leaves the old table as
 * it was, and the store keeps working on it (migrated at the next open).
 */
function migrateWithoutRowid (db: DatabaseSync): void {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'kv'").get() as { sql: string } | undefined
  if (row === undefined || !/WITHOUT\s+ROWID/i.test(row.sql)) return
  try {
    db.exec('BEGIN IMMEDIATE')
    db.exec(`CREATE TABLE kv_rowid ${KV_COLUMNS}`)
    db.exec('INSERT INTO kv_rowid (k, v) SELECT k, v FROM kv ORDER BY k')
    db.exec('DROP TABLE kv')
    db.exec('ALTER TABLE kv_rowid RENAME TO kv')
    db.exec('COMMIT')
  } catch {
    if (db.isTransaction) db.exec('ROLLBACK')
  }
}

export class SqliteStore implements StoreAdapter {
  readonly path: string
  readonly #db: DatabaseSync
  readonly #statements = new Map<string, StatementSync>()
  #closed = false

  private constructor (path: string, db: DatabaseSync) {
    this.path = path
    this.#db = db
  }

  /** Opens (or creates) the database. Throws StoreError when the file cannot be opened. */
  static open (init: SqliteStoreInit): SqliteStore {
    const file = init.path
    let db: DatabaseSync
    try {
      if (file !== ':memory:' && !existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
      db = new DatabaseSync(file)
      db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${init.synchronous ?? 'FULL'}; PRAGMA busy_timeout = ${init.busyTimeoutMs ?? 5000};`)
      db.exec(`CREATE TABLE IF NOT EXISTS kv ${KV_COLUMNS}`)
      migrateWithoutRowid(db)
      if (file !== ':memory:') chmodSync(file, 0o600)
    } catch (err) {
      throw new StoreError(`cannot open SQLite store at ${file}: ${(err as Error).message}`, { cause: err })
    }
    const store = new SqliteStore(file, db)
    if (init.maxBytes !== undefined) store.setMaxBytes(init.maxBytes)
    return store
  }

  /** Caps the database size (StorageFullError past it); `Infinity` lifts the cap. */
  setMaxBytes (maxBytes: number): void {
    const page = (this.#db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size
    const pages = Number.isFinite(maxBytes) ? Math.max(1, Math.floor(maxBytes / page)) : 4294967294
    this.#db.exec(`PRAGMA max_page_count = ${pages}`)
  }

  async get (key: StoreKey): Promise<Uint8Array | undefined> {
    this.#open()
    const row = this.#stmt('get', 'SELECT v FROM kv WHERE k = ?').get(encodeKey(key)) as { v: Uint8Array } | undefined
    return row === undefined ? undefined : new Uint8Array(row.v)
  }

  async range (prefix: StoreKey, options: RangeOptions = {}): Promise<StoreEntry[]> {
    this.#open()
    const [low, high] = prefixBounds(prefix)
    const gte = options.gte === undefined ? low : maxBytes(low, encodeKey(options.gte))
    const lt = options.lt === undefined ? high : minBytes(high, encodeKey(options.lt))
    const dir = options.reverse === true ? 'DESC' : 'ASC'
    const sql = `SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k ${dir} LIMIT ?`
    const rows = this.#stmt(`range-${dir}`, sql).all(gte, lt, options.limit ?? -1) as Array<{ k: Uint8Array, v: Uint8Array }>
    return rows.map(r => ({ key: decodeKey(r.k), value: new Uint8Array(r.v) }))
  }

  async write (ops: readonly StoreWrite[]): Promise<void> {
    this.#open()
    if (ops.length === 0) return
    const db = this.#db
    try {
      db.exec('BEGIN IMMEDIATE')
    } catch (err) {
      throw mapError(err)
    }
    try {
      for (const op of ops) {
        if (op.type === 'expect') {
          const row = this.#stmt('get', 'SELECT v FROM kv WHERE k = ?').get(encodeKey(op.key)) as { v: Uint8Array } | undefined
          if (!equalBytesOrAbsent(row?.v, op.value)) throw new WriteConflictError(`expected another value at ${op.key.join('/')}`)
        } else if (op.type === 'put') {
          this.#stmt('put', 'INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)').run(encodeKey(op.key), op.value)
        } else if (op.type === 'del') {
          this.#stmt('del', 'DELETE FROM kv WHERE k = ?').run(encodeKey(op.key))
        } else {
          const [low, high] = prefixBounds(op.prefix)
          this.#stmt('delPrefix', 'DELETE FROM kv WHERE k >= ? AND k < ?').run(low, high)
        }
      }
      db.exec('COMMIT')
    } catch (err) {
      try {
        if (db.isTransaction) db.exec('ROLLBACK')
      } catch {
        // SQLite may have rolled back by itself (SQLITE_FULL does)
      }
      throw mapError(err)
    }
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#statements.clear()
    this.#db.close()
  }

  #open (): void {
    if (this.#closed) throw new StoreError(`SQLite store ${this.path} is closed`)
  }

  #stmt (name: string, sql: string): StatementSync {
    let s = this.#statements.get(name)
    if (s === undefined) {
      s = this.#db.prepare(sql)
      this.#statements.set(name, s)
    }
    return s
  }
}

function mapError (err: unknown): Error {
  const e = err as { name?: string, errcode?: number, message?: string }
  if (e?.name === 'WriteConflictError' || e?.name === 'StoreError') return err as Error
  if (typeof e?.errcode === 'number' && (e.errcode & 0xff) === SQLITE_FULL) {
    return new StorageFullError(`SQLite: ${e.message ?? 'database or disk is full'}`, { cause: err })
  }
  if (/ENOSPC|disk is full/i.test(e?.message ?? '')) return new StorageFullError(e.message, { cause: err })
  return new StoreError(`SQLite: ${e?.message ?? String(err)}`, { cause: err })
}

function compare (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

function maxBytes (a: Uint8Array, b: Uint8Array): Uint8Array {
  return compare(a, b) >= 0 ? a : b
}

function minBytes (a: Uint8Array, b: Uint8Array): Uint8Array {
  return compare(a, b) <= 0 ? a : b
}

function equalBytesOrAbsent (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return compare(a, b) === 0
}
