/**
 * IdbStore: the StoreAdapter on IndexedDB. Keys are IndexedDB array keys,
 * which already order element by element with shorter arrays first; all
 * extensions of a prefix P lie strictly between P and [...P, []] (an array
 * sorts after every string).
 */
import { openDB } from 'idb'
import { StorageFullError, StoreError, StoreLostError, WriteConflictError } from '@weft/core'
import type { DBSchema, IDBPDatabase } from 'idb'
import type { RangeOptions, StoreAdapter, StoreEntry, StoreKey, StoreWrite } from '@weft/core'

interface WeftDB extends DBSchema {
  kv: { key: string[], value: Uint8Array }
}

export interface IdbStoreInit {
  /** IndexedDB database name; one per weft store. @default 'weft' */
  name?: string
  /** Ask the browser to make the origin's storage persistent (not evicted under pressure). @default true */
  requestPersistence?: boolean
}

const VERSION = 1

export class IdbStore implements StoreAdapter {
  readonly name: string
  /** Whether the browser granted persistent storage; undefined where the API is missing. */
  readonly persisted: boolean | undefined
  readonly #db: IDBPDatabase<WeftDB>
  #closed = false
  /** Set once the browser closed the connection itself (the origin's storage cleared or evicted). */
  #lost: StoreLostError | undefined
  readonly #lostListeners: Array<(error: StoreLostError) => void> = []

  private constructor (name: string, db: IDBPDatabase<WeftDB>, persisted: boolean | undefined) {
    this.name = name
    this.#db = db
    this.persisted = persisted
  }

  /**
   * The browser closed the connection itself: the origin's storage was cleared (a user's "clear
   * site data", DevTools, `Clear-Site-Data`) or evicted, or the database was deleted. Every later
   * call rejects with StoreLostError, and the listeners hear of it once.
   */
  #terminated (): void {
    if (this.#lost !== undefined || this.#closed) return
    this.#lost = new StoreLostError(`IndexedDB store "${this.name}" was closed by the browser: the site's storage was cleared or evicted`)
    for (const listener of this.#lostListeners.splice(0)) listener(this.#lost)
  }

  onLost (listener: (error: StoreLostError) => void): void {
    if (this.#lost !== undefined) listener(this.#lost)
    else this.#lostListeners.push(listener)
  }

  /** Opens (or creates) the database. Throws StoreError when IndexedDB is unavailable or blocked. */
  static async open (init: IdbStoreInit = {}): Promise<IdbStore> {
    const name = init.name ?? 'weft'
    let persisted: boolean | undefined
    if (init.requestPersistence !== false && typeof navigator !== 'undefined' && navigator.storage?.persist !== undefined) {
      persisted = await navigator.storage.persisted() || await navigator.storage.persist().catch(() => false)
    }
    let db: IDBPDatabase<WeftDB>
    // the close event is a task of its own: it comes after `store` is set below
    let store: IdbStore | undefined
    try {
      db = await openDB<WeftDB>(name, VERSION, {
        upgrade (database) {
          if (!database.objectStoreNames.contains('kv')) database.createObjectStore('kv')
        },
        blocked () {
          // an older version is open in another tab; we wait for it to close
        },
        terminated () {
          if (store !== undefined) store.#terminated()
        }
      })
    } catch (err) {
      throw new StoreError(`cannot open IndexedDB "${name}": ${(err as Error).message}`, { cause: err })
    }
    store = new IdbStore(name, db, persisted)
    return store
  }

  async get (key: StoreKey): Promise<Uint8Array | undefined> {
    this.#open()
    return toBytes(await this.#run(() => this.#db.get('kv', [...key])))
  }

  async range (prefix: StoreKey, options: RangeOptions = {}): Promise<StoreEntry[]> {
    this.#open()
    const low: IDBValidKey = options.gte !== undefined ? [...options.gte] : [...prefix]
    const high: IDBValidKey = options.lt !== undefined ? [...options.lt] : [...prefix, []]
    if (indexedDB.cmp(low, high) >= 0) return []
    const range = IDBKeyRange.bound(low, high, options.gte === undefined, true)
    return await this.#run(async () => {
      const tx = this.#db.transaction('kv', 'readonly')
      const out: StoreEntry[] = []
      if (options.reverse !== true) {
        const [keys, values] = await Promise.all([tx.store.getAllKeys(range, options.limit), tx.store.getAll(range, options.limit)])
        keys.forEach((k, i) => out.push({ key: k, value: toBytes(values[i])! }))
      } else {
        let cursor = await tx.store.openCursor(range, 'prev')
        while (cursor !== null && (options.limit === undefined || out.length < options.limit)) {
          out.push({ key: cursor.key, value: toBytes(cursor.value)! })
          cursor = await cursor.continue()
        }
      }
      await tx.done
      return out.filter(e => e.key.length > prefix.length)
    })
  }

  async write (ops: readonly StoreWrite[]): Promise<void> {
    this.#open()
    if (ops.length === 0) return
    await this.#run(async () => {
      const tx = this.#db.transaction('kv', 'readwrite', { durability: 'strict' })
      const done = tx.done
      try {
        for (const op of ops) {
          if (op.type !== 'expect') continue
          const current = toBytes(await tx.store.get([...op.key]))
          if (!sameBytes(current, op.value)) throw new WriteConflictError(`expected another value at ${op.key.join('/')}`)
        }
        for (const op of ops) {
          if (op.type === 'put') void tx.store.put(copy(op.value), [...op.key])
          else if (op.type === 'del') void tx.store.delete([...op.key])
          else if (op.type === 'delPrefix') void tx.store.delete(IDBKeyRange.bound([...op.prefix], [...op.prefix, []], true, true))
        }
      } catch (err) {
        tx.abort()
        await done.catch(() => undefined)
        throw err
      }
      await done
    })
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#db.close()
  }

  #open (): void {
    if (this.#lost !== undefined) throw this.#lost
    if (this.#closed) throw new StoreError(`IndexedDB store "${this.name}" is closed`)
  }

  async #run<T> (fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      const e = err as Error
      if (e?.name === 'WriteConflictError' || e?.name === 'StoreError') throw err
      // the connection closed under a running transaction: the lost store, not an I/O error
      if (this.#lost !== undefined) throw this.#lost
      if (e?.name === 'QuotaExceededError' || /quota/i.test(e?.message ?? '')) {
        throw new StorageFullError(`IndexedDB quota exceeded: ${e.message}`, { cause: err })
      }
      throw new StoreError(`IndexedDB: ${e?.name ?? ''} ${e?.message ?? String(err)}`, { cause: err })
    }
  }
}

/** IndexedDB may hand back an ArrayBuffer-backed view of another realm; normalise to a fresh Uint8Array. */
function toBytes (value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined
  if (value instanceof Uint8Array) return value
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  throw new StoreError('IndexedDB returned a value that is not bytes')
}

/** The exact bytes of a view, without the rest of its buffer. */
function copy (value: Uint8Array): Uint8Array {
  return value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice()
}

function sameBytes (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
