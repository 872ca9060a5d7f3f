/**
 * The one storage interface every backend implements (memory, SQLite,
 * IndexedDB). Adapters only move bytes: keys are arrays of strings ordered
 * element by element, values are bytes. What the bytes mean, checksums and
 * schema live in `WeftStore`, so each adapter stays small and one conformance
 * suite checks them all.
 */
import type { StoreLostError } from '../errors.ts'

/** A key: strings compared element by element, each by UTF-16 code units; a shorter key sorts before its extensions. Elements must not be empty. */
export type StoreKey = readonly string[]

export interface StoreEntry {
  readonly key: StoreKey
  readonly value: Uint8Array
}

/**
 * One operation of an atomic write:
 * - `put` / `del` a key;
 * - `delPrefix`: delete every key that starts with `prefix` (not the key equal to it);
 * - `expect`: a precondition; the whole write fails with WriteConflictError,
 *   and nothing is written, unless the key currently holds exactly `value`
 *   (`undefined` = absent). Checked inside the same transaction.
 */
export type StoreWrite =
  | { readonly type: 'put', readonly key: StoreKey, readonly value: Uint8Array }
  | { readonly type: 'del', readonly key: StoreKey }
  | { readonly type: 'delPrefix', readonly prefix: StoreKey }
  | { readonly type: 'expect', readonly key: StoreKey, readonly value: Uint8Array | undefined }

export interface RangeOptions {
  /** First key to return (inclusive); must extend the prefix. */
  readonly gte?: StoreKey
  /** Stop before this key; must extend the prefix. */
  readonly lt?: StoreKey
  /** At most this many entries. */
  readonly limit?: number
  /** Highest keys first. */
  readonly reverse?: boolean
}

export interface StoreAdapter {
  /** The value at `key`, or undefined. */
  get(key: StoreKey): Promise<Uint8Array | undefined>
  /** Entries whose key extends `prefix` (strictly longer), in key order. */
  range(prefix: StoreKey, options?: RangeOptions): Promise<StoreEntry[]>
  /**
   * Applies `ops` atomically: all or nothing, durable on disk when the
   * promise resolves (for persistent adapters). Rejects with
   * StorageFullError when out of space, WriteConflictError when an `expect`
   * fails, StoreError otherwise; in every case nothing was written.
   */
  write(ops: readonly StoreWrite[]): Promise<void>
  /** Releases the backend. Safe to call twice. */
  close(): Promise<void>
  /**
   * Adapters whose storage can vanish from under the app (a browser clearing or evicting the
   * origin) call `listener` once, as soon as they know; every later call rejects with
   * StoreLostError. Optional: an adapter without it never loses its storage this way.
   */
  onLost?(listener: (error: StoreLostError) => void): void
}

/** Compares two keys in store order. */
export function compareKeys (a: StoreKey, b: StoreKey): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i]!
    const y = b[i]!
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length - b.length
}

/** True when `key` extends `prefix` (strictly longer, same leading elements). */
export function hasPrefix (key: StoreKey, prefix: StoreKey): boolean {
  if (key.length <= prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false
  return true
}

/** Whether `key` falls in a range query of `prefix` with `options` (ignoring limit and direction). */
export function inRange (key: StoreKey, prefix: StoreKey, options: RangeOptions = {}): boolean {
  if (!hasPrefix(key, prefix)) return false
  if (options.gte !== undefined && compareKeys(key, options.gte) < 0) return false
  if (options.lt !== undefined && compareKeys(key, options.lt) >= 0) return false
  return true
}

/** A seq as a key element: 16 zero-padded digits, so string order is numeric order up to 2^53. */
export function seqKey (seq: number): string {
  return String(seq).padStart(16, '0')
}
