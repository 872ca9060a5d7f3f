// Prometheus text exposition of a peer's counters and gauges, and the /healthz answer.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { WeftPeer } from '@weft/mesh'

/** Counters the relay keeps from the peer's events. */
export interface Counters {
  messagesIn: number
  messagesPublished: number
  messagesPruned: number
  rejected: Map<string, number>
  errors: number
}

export function countersOf (peer: WeftPeer): Counters {
  const c: Counters = { messagesIn: 0, messagesPublished: 0, messagesPruned: 0, rejected: new Map(), errors: 0 }
  peer.addEventListener('messages:stored', (e) => { c.messagesIn += e.detail.count })
  peer.addEventListener('message:queued', () => { c.messagesPublished++ })
  peer.addEventListener('message:rejected', (e) => { c.rejected.set(e.detail.reason, (c.rejected.get(e.detail.reason) ?? 0) + 1) })
  peer.addEventListener('messages:pruned', (e) => { c.messagesPruned += e.detail.count })
  peer.addEventListener('error', () => { c.errors++ })
  return c
}

export async function metricsText (peer: WeftPeer, c: Counters, topics: () => Array<{ name: string, buffered: { messages: number, bytes: number } }>): Promise<string> {
  const list = topics()
  let stored = 0
  let storedBytes = 0
  let buffered = 0
  for (const t of list) {
    const stats = await peer.store.stats(t.name)
    stored += stats.count
    storedBytes += stats.bytes
    buffered += t.buffered.messages
  }
  const lines = [
    '# HELP weft_peers Connected libp2p peers.', '# TYPE weft_peers gauge', `weft_peers ${peer.libp2p.getPeers().length}`,
    '# HELP weft_sync_sessions Connected weft peers (sync sessions).', '# TYPE weft_sync_sessions gauge', `weft_sync_sessions ${peer.sessionCount}`,
    '# HELP weft_topics Topics this peer stores.', '# TYPE weft_topics gauge', `weft_topics ${list.length}`,
    '# HELP weft_messages_in_total Messages received from other peers and stored.', '# TYPE weft_messages_in_total counter', `weft_messages_in_total ${c.messagesIn}`,
    '# HELP weft_messages_out_total Messages sent to peers that asked for them (catch-up and repair).', '# TYPE weft_messages_out_total counter', `weft_messages_out_total ${peer.stats.envelopesServed}`,
    '# HELP weft_messages_published_total Messages this peer wrote.', '# TYPE weft_messages_published_total counter', `weft_messages_published_total ${c.messagesPublished}`,
    '# HELP weft_messages_pruned_total Messages dropped from the store by retention.', '# TYPE weft_messages_pruned_total counter', `weft_messages_pruned_total ${c.messagesPruned}`,
    '# HELP weft_messages_stored Messages in the store, summed over topics (retention removes the oldest).', '# TYPE weft_messages_stored gauge', `weft_messages_stored ${stored}`,
    '# HELP weft_messages_stored_bytes Envelope bytes of the messages in the store, summed over topics.', '# TYPE weft_messages_stored_bytes gauge', `weft_messages_stored_bytes ${storedBytes}`,
    '# HELP weft_acks_sent_total Frontier updates sent (custody acks).', '# TYPE weft_acks_sent_total counter', `weft_acks_sent_total ${peer.stats.havesSent}`,
    '# HELP weft_sync_wants_served_total Sync requests served.', '# TYPE weft_sync_wants_served_total counter', `weft_sync_wants_served_total ${peer.stats.wantsServed}`,
    '# HELP weft_sync_envelopes_in_total Envelopes received by sync.', '# TYPE weft_sync_envelopes_in_total counter', `weft_sync_envelopes_in_total ${peer.stats.batchEnvelopes}`,
    '# HELP weft_causal_buffer_messages Messages waiting for dependencies.', '# TYPE weft_causal_buffer_messages gauge', `weft_causal_buffer_messages ${buffered}`,
    '# HELP weft_rejected_total Messages refused, by typed error.', '# TYPE weft_rejected_total counter',
    ...[...c.rejected].map(([kind, n]) => `weft_rejected_total{kind="${kind}"} ${n}`),
    '# HELP weft_errors_total Background errors (store writes, handlers).', '# TYPE weft_errors_total counter', `weft_errors_total ${c.errors}`
  ]
  return lines.join('\n') + '\n'
}

export async function serveMetrics (host: string, port: number, peer: WeftPeer, text: () => Promise<string>): Promise<{ server: Server, url: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      const ok = peer.libp2p.status === 'started'
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: ok ? 'ok' : 'stopping', peerId: peer.me, peers: peer.libp2p.getPeers().length }))
    } else if (req.url === '/metrics') {
      text().then(body => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        res.end(body)
      }, () => {
        res.writeHead(500)
        res.end()
      })
    } else {
      res.writeHead(404)
      res.end('not found: try /healthz or /metrics\n')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const a = server.address() as AddressInfo
  return { server, url: `http://${a.address}:${a.port}` }
}
