// A fault-injecting TCP proxy for one link (this machine has no netem and no nftables):
// every byte between a client and a relay, or two relays, goes through one of these, so the
// nemesis can cut the link (open connections reset, new ones refused until healed), delay it
// (with jitter), lose "packets" and cap its bandwidth.
//
// Packet loss, duplication and reordering cannot be injected above TCP: TCP retransmits, drops
// duplicates and reorders before any byte reaches libp2p. What the application sees of loss is
// the retransmission: the lost chunk and everything behind it stall for a retransmission timeout
// (Linux's minimum RTO is 200 ms, doubling on repeated losses). That is what `loss` emulates, with
// a Gilbert-style correlation. Byte order is always kept, so jitter never reorders.
import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'

export class LinkProxy {
  readonly name: string
  /** Where the link leads; a restarted relay gets a new port. */
  targetPort: number
  /** Whether the target is the relay's WebSocket listener (else its TCP one). */
  ws = false
  /** The port this proxy listens on (127.0.0.1), once `listen()` resolved. */
  port = 0
  /** Extra delay for every chunk, both ways (order kept). */
  delayMs = 0
  /** Uniform jitter added to the delay, ± this many ms (order kept: a chunk never overtakes). */
  jitterMs = 0
  /** Chance that a chunk is "lost": it and what follows stall for a retransmission timeout. */
  loss = 0
  /** Chance that a chunk right after a lost one is lost too (Gilbert correlation). @default 0 */
  lossCorrelation = 0
  /** Bytes per second each way; 0 = unlimited. */
  bandwidth = 0
  /**
   * Bytes one connection may carry in each direction before it is reset, as a circuit relay
   * resets a relayed connection at its data limit (libp2p's default is 128 KiB); 0 = no limit.
   * New connections start a fresh allowance.
   */
  dataLimit = 0
  /** Connections reset at `dataLimit` so far. */
  limitResets = 0
  /** Bytes forwarded, both directions, all connections. */
  forwarded = 0
  /** Random numbers for jitter and loss (the run's seeded generator). */
  rand: () => number = Math.random
  /** Bytes held back per direction before the sending side is paused (bounds the proxy's memory). */
  static readonly MAX_QUEUED = 4 * 1024 * 1024
  #cut = false
  #server: Server | undefined
  readonly #pairs = new Set<[Socket, Socket]>()

  constructor (name: string, targetPort: number) {
    this.name = name
    this.targetPort = targetPort
  }

  get isCut (): boolean {
    return this.#cut
  }

  async listen (): Promise<number> {
    this.#server = createServer(client => { this.#accept(client) })
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject)
      this.#server!.listen(0, '127.0.0.1', resolve)
    })
    this.port = (this.#server.address() as AddressInfo).port
    return this.port
  }

  /** Resets every open connection and refuses new ones until `heal()`. */
  cut (): void {
    this.#cut = true
    for (const [a, b] of this.#pairs) {
      a.resetAndDestroy()
      b.resetAndDestroy()
    }
    this.#pairs.clear()
  }

  heal (): void {
    this.#cut = false
  }

  async close (): Promise<void> {
    this.cut()
    await new Promise<void>(resolve => this.#server === undefined ? resolve() : this.#server.close(() => resolve()))
  }

  #accept (client: Socket): void {
    if (this.#cut) {
      client.resetAndDestroy()
      return
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort })
    const pair: [Socket, Socket] = [client, upstream]
    this.#pairs.add(pair)
    const forward = (from: Socket, to: Socket): void => {
      // chunks held back, in order, each with the time it may go out (never before the one ahead)
      const queue: Array<{ chunk: Buffer, at: number }> = []
      let queued = 0
      let lostRun = 0
      let tail = 0 // when the last chunk queued goes out
      let timer: ReturnType<typeof setTimeout> | undefined
      let carried = 0
      const pump = (): void => {
        timer = undefined
        const now = Date.now()
        while (queue.length > 0 && queue[0]!.at <= now) {
          const { chunk } = queue.shift()!
          queued -= chunk.length
          if (!to.destroyed) to.write(chunk)
        }
        if (queued <= LinkProxy.MAX_QUEUED && from.isPaused()) from.resume()
        if (queue.length > 0 && !to.destroyed) timer = setTimeout(pump, queue[0]!.at - now)
      }
      to.once('close', () => { if (timer !== undefined) clearTimeout(timer) })
      from.on('data', (chunk: Buffer) => {
        if (this.dataLimit > 0 && carried + chunk.length > this.dataLimit) {
          // forward up to the limit, then end the connection: like a relay's stream reset, it
          // comes after the bytes already relayed, so the receiver reads those first
          const rest = this.dataLimit - carried
          carried = this.dataLimit
          this.forwarded += rest
          this.limitResets++
          // the pair stays listed until `to` closes too, so cut() and close() reset a far side
          // that keeps its half open instead of waiting for it
          from.removeAllListeners('close')
          from.removeAllListeners('error')
          from.on('error', () => {})
          from.resetAndDestroy()
          if (!to.destroyed) to.end(chunk.subarray(0, rest))
          return
        }
        carried += chunk.length
        this.forwarded += chunk.length
        const shaped = this.delayMs > 0 || this.jitterMs > 0 || this.loss > 0 || this.bandwidth > 0
        if (!shaped && queue.length === 0) {
          if (!to.write(chunk)) {
            from.pause()
            to.once('drain', () => from.resume())
          }
          return
        }
        let at = Date.now() + this.delayMs + (this.jitterMs > 0 ? (this.rand() * 2 - 1) * this.jitterMs : 0)
        const lost = this.rand() < (lostRun > 0 ? this.lossCorrelation : this.loss)
        lostRun = lost ? lostRun + 1 : 0
        if (lost) at += 200 * 2 ** Math.min(lostRun - 1, 5) // RTO, doubling, at most 6.4 s
        if (this.bandwidth > 0) at = Math.max(at, Math.max(tail, Date.now()) + chunk.length * 1000 / this.bandwidth)
        tail = Math.max(at, tail)
        queue.push({ chunk, at: tail })
        queued += chunk.length
        if (queued > LinkProxy.MAX_QUEUED) from.pause()
        if (timer === undefined) timer = setTimeout(pump, Math.max(0, queue[0]!.at - Date.now()))
      })
    }
    forward(client, upstream)
    forward(upstream, client)
    const end = (): void => {
      this.#pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const s of pair) {
      s.on('error', end)
      s.on('close', end)
    }
  }
}
