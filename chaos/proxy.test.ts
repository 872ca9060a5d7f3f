// The link proxy's shaping keeps every byte, in order (a reordered byte would break noise), while
// it delays, jitters, "loses" (stalls for an RTO) and caps bandwidth.
import { createServer } from 'node:net'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { prng } from '@weft/test-suites/prng'
import { LinkProxy } from './proxy.ts'
import type { AddressInfo, Server, Socket } from 'node:net'

let server: Server | undefined
let proxy: LinkProxy | undefined
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await proxy?.close()
  await new Promise<void>(resolve => server === undefined ? resolve() : server.close(() => resolve()))
  server = proxy = undefined
})

/** An echo server behind a proxy; returns the proxy and a function sending `bytes` through it and back. */
async function echo (): Promise<(bytes: Buffer, chunk: number) => Promise<{ back: Buffer, ms: number }>> {
  server = createServer(s => { sockets.push(s); s.pipe(s) })
  await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
  proxy = new LinkProxy('test', (server.address() as AddressInfo).port)
  await proxy.listen()
  return async (bytes, chunk) => {
    const s = connect(proxy!.port, '127.0.0.1')
    sockets.push(s)
    const parts: Buffer[] = []
    let got = 0
    const start = Date.now()
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got} of ${bytes.length} bytes back`)), 30_000)
      s.on('data', (d: Buffer) => {
        parts.push(d)
        got += d.length
        if (got >= bytes.length) { clearTimeout(timer); resolve() }
      })
    })
    for (let i = 0; i < bytes.length; i += chunk) {
      s.write(bytes.subarray(i, i + chunk))
      if (i % (chunk * 16) === 0) await new Promise(resolve => setImmediate(resolve))
    }
    await done
    return { back: Buffer.concat(parts), ms: Date.now() - start }
  }
}

const random = (n: number): Buffer => {
  const r = prng(7)
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)))
}

describe('link proxy', () => {
  it('keeps every byte in order under jitter and correlated loss', async () => {
    const send = await echo()
    proxy!.rand = prng(42)
    proxy!.delayMs = 20
    proxy!.jitterMs = 15
    proxy!.loss = 0.05
    proxy!.lossCorrelation = 0.75
    const bytes = random(512 * 1024)
    const { back } = await send(bytes, 1024)
    expect(back.equals(bytes)).toBe(true)
  }, 60_000)

  it('a lost chunk stalls for at least an RTO (200 ms) each way', async () => {
    const send = await echo()
    proxy!.loss = 1
    const { back, ms } = await send(Buffer.from('x'), 1)
    expect(back.toString()).toBe('x')
    expect(ms).toBeGreaterThanOrEqual(400)
  })

  it('caps the bandwidth: 200 KB at 100 KB/s each way takes two seconds or more', async () => {
    const send = await echo()
    proxy!.bandwidth = 100_000
    const bytes = random(200_000)
    const { back, ms } = await send(bytes, 4096)
    expect(back.equals(bytes)).toBe(true)
    expect(ms).toBeGreaterThanOrEqual(1_900)
  }, 30_000)

  it('a connection ended at the data limit does not hold up close() while the far side keeps its half open', async () => {
    // the upstream sends more than the limit toward the client; the proxy ends the client's side
    // with a FIN, and a client that allows half-open sockets (as libp2p's TCP does) never ends its
    // own. close() must still return: it resets what is left of that connection.
    server = createServer(s => { sockets.push(s); s.on('error', () => {}); s.write(Buffer.alloc(64 * 1024, 1)) })
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
    proxy = new LinkProxy('test', (server.address() as AddressInfo).port)
    proxy.dataLimit = 16 * 1024
    await proxy.listen()
    const client = connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true })
    client.on('error', () => {})
    sockets.push(client)
    let got = 0
    const ended = new Promise<void>(resolve => client.on('end', resolve))
    client.on('data', (d: Buffer) => { got += d.length })
    await ended
    expect(got).toBe(16 * 1024)
    expect(proxy.limitResets).toBe(1)
    const closed = proxy.close().then(() => 'closed')
    const late = new Promise(resolve => setTimeout(() => resolve('still open after 2 s'), 2_000))
    expect(await Promise.race([closed, late])).toBe('closed')
  })
})
