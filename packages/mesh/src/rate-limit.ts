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

  /**
   * Takes `count` tokens for `key` at time `now` (ms, monotonic); false, taking none, when its
   * bucket holds fewer. A count above the burst is taken from a full bucket, leaving it in debt
   * (one gossip bundle carries up to 64 messages: it still passes once the author has been quiet).
   */
  take (key: string, now: number, count = 1): boolean {
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
    if (b.tokens < Math.min(count, this.#limit.burst)) return false
    b.tokens -= count
    return true
  }
}
