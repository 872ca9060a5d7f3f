/**
 * Token buckets per key (weft: per topic and author), for the gossip validator's per-author
 * rate limit (RELIABILITY.md row 18). Timed by the caller's monotonic clock. At most
 * `maxKeys` buckets are kept; past it the least recently used one is forgotten (its author
 * starts again with a full burst).
 */
export interface RateLimit {
  /** Messages per second, sustained. */
  perSecond: number
  /** Messages allowed at once above the sustained rate. */
  burst: number
}

export class RateLimiter {
  readonly #limit: RateLimit
  readonly #maxKeys: number
  readonly #buckets = new Map<string, { tokens: number, at: number }>()

  constructor (limit: RateLimit, maxKeys: number) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new RangeError('a rate limit needs perSecond > 0 and burst ≥ 1')
    this.#limit = limit
    this.#maxKeys = maxKeys
  }

  /** Takes one token for `key` at time `now` (ms, monotonic); false when its bucket is empty. */
  take (key: string, now: number): boolean {
    let b = this.#buckets.get(key)
    if (b === undefined) {
      b = { tokens: this.#limit.burst, at: now }
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!)
    } else {
      this.#buckets.delete(key) // re-inserted below: the map stays in least-recently-used order
      b.tokens = Math.min(this.#limit.burst, b.tokens + Math.max(0, now - b.at) * this.#limit.perSecond / 1000)
      b.at = now
    }
    this.#buckets.set(key, b)
    if (b.tokens < 1) return false
    b.tokens--
    return true
  }
}
