/**
 * The in-memory StoreAdapter: for tests and ephemeral peers. Nothing
 * survives the process. A size cap (`maxBytes`) makes it fail like a full
 * disk, so quota handling can be tested anywhere.
 */
import { StorageFullError, WriteConflictError } from '../errors.ts'
import { equalBytes } from '../util/bytes.ts'
import { compareKeys, inRange } from './store-adapter.ts'
import type { RangeOptions, StoreAdapter, StoreEntry, StoreKey, StoreWrite } from './store-adapter.ts'

export interface MemoryStoreInit {
  /** Sum of key and value bytes allowed; a write past it fails with StorageFullError. @default Infinity */
  maxBytes?: number
}

/** Map key of a store key: JSON keeps elements apart whatever characters they hold. */
const idOf = (key: StoreKey): string => JSON.stringify(key)

export class MemoryStore implements StoreAdapter {
  readonly #map = new Map<string, StoreEntry>()
  #bytes = 0
  maxBytes: number

  constructor (init: MemoryStoreInit = {}) {
    this.maxBytes = init.maxBytes ?? Infinity
  }

  async get (key: StoreKey): Promise<Uint8Array | undefined> {
    return this.#map.get(idOf(key))?.value.slice()
  }

  async range (prefix: StoreKey, options: RangeOptions = {}): Promise<StoreEntry[]> {
    const out = [...this.#map.values()].filter(e => inRange(e.key, prefix, options)).sort((a, b) => compareKeys(a.key, b.key))
    if (options.reverse === true) out.reverse()
    return out.slice(0, options.limit ?? out.length).map(e => ({ key: [...e.key], value: e.value.slice() }))
  }

  async write (ops: readonly StoreWrite[]): Promise<void> {
    for (const op of ops) {
      if (op.type !== 'expect') continue
      const current = this.#map.get(idOf(op.key))?.value
      const same = current === undefined || op.value === undefined ? current === op.value : equalBytes(current, op.value)
      if (!same) throw new WriteConflictError(`expected another value at ${op.key.join('/')}`)
    }
    // Stage every change first, so a failed write leaves nothing behind.
    const staged = new Map<string, StoreEntry | null>()
    for (const op of ops) {
      if (op.type === 'put') staged.set(idOf(op.key), { key: [...op.key], value: op.value.slice() })
      else if (op.type === 'del') staged.set(idOf(op.key), null)
      else if (op.type === 'delPrefix') {
        for (const [id, e] of this.#map) if (inRange(e.key, op.prefix)) staged.set(id, null)
        for (const [id, e] of staged) if (e !== null && inRange(e.key, op.prefix)) staged.set(id, null)
      }
    }
    let bytes = this.#bytes
    for (const [id, e] of staged) {
      const old = this.#map.get(id)
      if (old !== undefined) bytes -= size(old)
      if (e !== null) bytes += size(e)
    }
    if (bytes > this.maxBytes) throw new StorageFullError(`memory store cap of ${this.maxBytes} bytes reached`)
    for (const [id, e] of staged) {
      if (e === null) this.#map.delete(id)
      else this.#map.set(id, e)
    }
    this.#bytes = bytes
  }

  async close (): Promise<void> {}
}

function size (e: StoreEntry): number {
  let n = e.value.length
  for (const part of e.key) n += part.length + 1
  return n
}
