// A fault-injecting TCP proxy for one link (this machine has no netem and no nftables):
// every byte between a client and a relay, or two relays, goes through one of these, so the
// nemesis can cut the link (open connections reset, new ones refused until healed) or delay it.
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
      from.on('data', (chunk: Buffer) => {
        if (this.delayMs > 0) setTimeout(() => { if (!to.destroyed) to.write(chunk) }, this.delayMs)
        else if (!to.write(chunk)) {
          from.pause()
          to.once('drain', () => from.resume())
        }
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
