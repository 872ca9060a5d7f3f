/**
 * A bounded map that forgets the least recently set entry first. Used for
 * every cache in the core, so none of them can grow without limit.
 */
export class BoundedMap<K, V> {
  readonly #max: number
  readonly #map = new Map<K, V>()

  constructor (max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('BoundedMap size must be a positive integer')
    this.#max = max
  }

  get size (): number {
    return this.#map.size
  }

  get (key: K): V | undefined {
    return this.#map.get(key)
  }

  has (key: K): boolean {
    return this.#map.has(key)
  }

  set (key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next()
      if (oldest.done !== true) this.#map.delete(oldest.value)
    }
  }

  delete (key: K): boolean {
    return this.#map.delete(key)
  }
}
