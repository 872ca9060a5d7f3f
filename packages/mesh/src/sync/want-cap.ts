/**
 * How many messages a want asks of one peer (RELIABILITY.md row 35). A link that ends each
 * connection after a fixed number of bytes (a circuit relay's data limit, 128 KiB by default)
 * cuts any sync frame larger than what is left of it; a catch-up that asked for the same
 * frames on every new connection would never get past the first one. So when a connection ends
 * while a want on it had not yet received one envelope, the peer's cap is halved (down to 1: a
 * reply then fits in one frame of one envelope, at most ~88 KiB), and the cap that failed
 * becomes a ceiling for CEILING_MS. Each want answered in full doubles the cap, up to just
 * below the ceiling while it lasts and up to `max` after. Pure: timed by the caller's clock.
 */
export const CEILING_MS = 60_000

export class WantCaps {
  readonly #max: number
  readonly #maxPeers: number
  readonly #caps = new Map<string, { cap: number, ceiling: number, until: number }>()

  constructor (max: number, maxPeers: number) {
    this.#max = max
    this.#maxPeers = maxPeers
  }

  /** The most messages to ask of `remote` now. */
  of (remote: string): number {
    return this.#caps.get(remote)?.cap ?? this.#max
  }

  /** A connection to `remote` ended while a want on it had received nothing. */
  cut (remote: string, now: number): void {
    const cap = this.of(remote)
    this.#set(remote, { cap: Math.max(1, Math.floor(cap / 2)), ceiling: cap, until: now + CEILING_MS })
  }

  /** A want to `remote` was answered in full. */
  answered (remote: string, now: number): void {
    const entry = this.#caps.get(remote)
    if (entry === undefined) return
    const limit = now < entry.until ? entry.ceiling - 1 : this.#max
    const cap = Math.max(entry.cap, Math.min(entry.cap * 2, limit))
    if (cap >= this.#max) this.#caps.delete(remote)
    else this.#set(remote, { ...entry, cap })
  }

  #set (remote: string, entry: { cap: number, ceiling: number, until: number }): void {
    this.#caps.delete(remote)
    this.#caps.set(remote, entry)
    if (this.#caps.size > this.#maxPeers) this.#caps.delete(this.#caps.keys().next().value!)
  }
}
