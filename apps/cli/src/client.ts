// `weft pub`, `weft sub`, `weft chat`, `weft id`: short-lived peers for scripts and people.
import { createInterface } from 'node:readline'
import { createNodePeer, loadOrCreateIdentity, openNodeStore } from '@weft/mesh/node'
import type { PubConfig, SubConfig } from './args.ts'
import type { DeliveredMessage, WeftPeer } from '@weft/mesh'

const out = (line: string): void => { process.stdout.write(line + '\n') }
const err = (line: string): void => { process.stderr.write(line + '\n') }

export class TimeoutError extends Error {
  override name = 'TimeoutError'
}

async function peerFor (config: { network: string, data?: string, bootstrap: string[] }): Promise<WeftPeer> {
  if (config.data === undefined) err('weft: no --data: this identity is ephemeral (a new author every run)')
  return await createNodePeer({ network: config.network, dataDir: config.data, bootstrap: config.bootstrap, listen: [] })
}

/** One JSON line per delivered message, as `sub --json` prints it: `data` as UTF-8, or `data64` when it is not. */
export function messageJson (m: DeliveredMessage, own?: boolean): string {
  const text = m.text()
  return JSON.stringify({
    topic: m.topic,
    author: m.author,
    seq: m.seq,
    id: m.id,
    deps: m.deps,
    ...(text === undefined ? { data64: Buffer.from(m.payload).toString('base64') } : { data: text }),
    ...(own === true ? { own: true } : {})
  })
}

function human (m: DeliveredMessage): string {
  return `${m.own ? 'me' : m.author.slice(-8)} #${m.seq}: ${m.text() ?? `<${m.payload.length} bytes>`}`
}

async function stdinLines (): Promise<string[]> {
  if (process.stdin.isTTY) return []
  const lines: string[] = []
  for await (const line of createInterface({ input: process.stdin })) if (line !== '') lines.push(line)
  return lines
}

export async function pub (config: PubConfig): Promise<number> {
  const peer = await peerFor(config)
  try {
    const topic = await peer.topic(config.topic)
    const messages: Uint8Array[] = config.messages.map(m => new TextEncoder().encode(m))
    if (config.count !== undefined) {
      for (let i = 0; i < config.count; i++) {
        // generated load: the index, then 0xff filler (binary, so subscribers print it as data64)
        const p = new Uint8Array(config.size).fill(0xff)
        new TextEncoder().encodeInto(`${i} `, p)
        messages.push(p)
      }
    } else if (messages.length === 0) {
      for (const line of await stdinLines()) messages.push(new TextEncoder().encode(line))
    }
    const deadline = Date.now() + config.timeoutS * 1000
    const progress = config.count !== undefined && !config.json && process.stderr.isTTY
    const acks: Array<Promise<boolean>> = []
    const start = Date.now()
    for (const [i, payload] of messages.entries()) {
      if (config.rate !== undefined) {
        const wait = start + (i * 1000) / config.rate - Date.now()
        if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      }
      const { seq, id, acked } = await topic.publish(payload)
      if (!config.wait) {
        if (config.json) out(JSON.stringify({ event: 'published', topic: config.topic, author: peer.me, seq, id }))
        continue
      }
      acks.push(acked.then(o => {
        if (o.acked && config.json) out(JSON.stringify({ event: 'acked', topic: config.topic, author: peer.me, seq, id }))
        return o.acked
      }))
      if (progress) process.stderr.write(`\rpublished ${i + 1}/${messages.length}`)
    }
    if (progress) process.stderr.write('\n')
    if (!config.wait) {
      // the messages are committed locally; give the network a moment, the outbox resends later runs
      await new Promise(resolve => setTimeout(resolve, 200))
      return 0
    }
    const timer = new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())).unref())
    const all = await Promise.race([Promise.all(acks), timer])
    if (all === 'timeout') {
      err(`weft pub: ${topic.outbox.length} of ${messages.length} messages not acked within ${config.timeoutS} s (they stay in the outbox${config.data === undefined ? ', which is in memory and lost on exit' : ''})`)
      return 1
    }
    if (!config.json) err(`weft pub: ${messages.length} messages acked`)
    return all.every(Boolean) ? 0 : 1
  } finally {
    await peer.stop()
  }
}

export async function sub (config: SubConfig): Promise<number> {
  const peer = await peerFor(config)
  try {
    const topic = await peer.topic(config.topic)
    let count = 0
    return await new Promise<number>((resolve) => {
      if (config.timeoutS !== undefined) {
        setTimeout(() => {
          err(`weft sub: timed out after ${config.timeoutS} s with ${count}${config.count === undefined ? '' : ` of ${config.count}`} messages`)
          resolve(1)
        }, config.timeoutS * 1000).unref()
      }
      const stop = (): void => resolve(0)
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      topic.subscribe(m => {
        if (config.count !== undefined && count >= config.count) return
        count++
        out(config.json ? messageJson(m) : human(m))
        if (config.count !== undefined && count === config.count) resolve(0)
      })
    })
  } finally {
    await peer.stop()
  }
}

export async function chat (config: SubConfig): Promise<number> {
  const peer = await peerFor(config)
  try {
    const topic = await peer.topic(config.topic)
    topic.subscribe(m => { out(config.json ? messageJson(m, m.own) : human(m)) })
    const rl = createInterface({ input: process.stdin })
    for await (const line of rl) if (line !== '') await topic.publish(line)
    const deadline = Date.now() + (config.timeoutS ?? 30) * 1000
    while (topic.outbox.length > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    if (topic.outbox.length > 0) {
      err(`weft chat: ${topic.outbox.length} messages not acked in time`)
      return 1
    }
    await new Promise(resolve => setTimeout(resolve, 300)) // answers to the last lines
    return 0
  } finally {
    await peer.stop()
  }
}

export async function id (data: string): Promise<number> {
  const store = await openNodeStore(data)
  try {
    out((await loadOrCreateIdentity(store)).peerId)
    return 0
  } finally {
    await store.close()
  }
}
