// `weft relay`: a long-running peer that relays (circuit relay v2), routes gossip, stores
// the topics it is given (or every topic it sees with --topic '*'), serves catch-up and
// sends custody acks, with /healthz and Prometheus /metrics.
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { RESERVED_TOPIC_PREFIX, startPresence } from '@weft/mesh'
import { createNodePeer } from '@weft/mesh/node'
import { countersOf, metricsText, serveMetrics } from './metrics.ts'
import type { RelayConfig } from './args.ts'
import type { TopicHandle, WeftPeer } from '@weft/mesh'
import type { Server } from 'node:http'

/** Topics a relay stores at most with --topic '*'. */
export const MAX_RELAY_TOPICS = 1_000

/**
 * Circuit relay limits per relayed connection, raised from libp2p's defaults (128 KiB and
 * 2 minutes). weft runs no sync or gossip on a relayed connection, so they bound WebRTC
 * signalling and whatever else an application runs there; `--circuit-bytes` and
 * `--circuit-seconds` set them (chaos C9 runs its relays at libp2p's defaults).
 */
export const RELAY_DATA_LIMIT = 1n << 30n
export const RELAY_DURATION_LIMIT_MS = 60 * 60 * 1000
export const RELAY_MAX_RESERVATIONS = 1024

export interface Relay {
  peer: WeftPeer
  addrs: string[]
  metricsUrl?: string
  stop(): Promise<void>
}

export type Log = (level: 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>) => void

export async function startRelay (config: RelayConfig, log: Log): Promise<Relay> {
  const peer = await createNodePeer({
    network: config.network,
    dataDir: config.data,
    listen: config.listen,
    bootstrap: config.bootstrap,
    ...(config.inboundPerHost === undefined ? {} : { inbound: { perHostPerS: config.inboundPerHost } }),
    ...(config.authorRate === undefined ? {} : { authorRate: { perSecond: config.authorRate, burst: Math.max(1, 5 * config.authorRate) } }),
    ...(config.retention === undefined ? {} : { retention: config.retention }),
    services: {
      relay: circuitRelayServer({
        reservations: {
          maxReservations: RELAY_MAX_RESERVATIONS,
          defaultDataLimit: config.circuitBytes === undefined ? RELAY_DATA_LIMIT : BigInt(config.circuitBytes),
          defaultDurationLimit: config.circuitSeconds === undefined ? RELAY_DURATION_LIMIT_MS : config.circuitSeconds * 1000
        }
      })
    }
  })
  // forward presence announcements, so browsers that meet here can go direct (BROWSER-NOTES G4)
  const stopPresence = startPresence(peer, {})
  const counters = countersOf(peer)
  const topics = new Map<string, TopicHandle>()
  const open = async (name: string): Promise<void> => {
    if (topics.has(name) || topics.size >= MAX_RELAY_TOPICS || name.startsWith(RESERVED_TOPIC_PREFIX)) return
    topics.set(name, await peer.topic(name))
    log('info', 'topic:stored', { topic: name })
  }
  for (const t of config.topics) if (t !== '*') await open(t)
  if (config.topics.includes('*')) {
    peer.libp2p.services.pubsub.addEventListener('subscription-change', (e) => {
      for (const s of e.detail.subscriptions) if (s.subscribe) void open(s.topic)
    })
  }
  peer.addEventListener('message:rejected', (e) => { log('warn', 'message:rejected', e.detail) })
  peer.addEventListener('error', (e) => { log('error', 'error', { topic: e.detail.topic, message: e.detail.error.message }) })
  peer.libp2p.addEventListener('peer:connect', (e) => { log('info', 'peer:connect', { peer: e.detail.toString() }) })
  peer.libp2p.addEventListener('peer:disconnect', (e) => { log('info', 'peer:disconnect', { peer: e.detail.toString() }) })
  let metrics: { server: Server, url: string } | undefined
  if (config.metrics !== undefined) {
    try {
      metrics = await serveMetrics(config.metrics.host, config.metrics.port, peer, async () => await metricsText(peer, counters, () => [...topics.values()]))
    } catch (err) {
      await peer.stop()
      throw err
    }
  }
  return {
    peer,
    addrs: peer.libp2p.getMultiaddrs().map(a => a.toString()),
    metricsUrl: metrics?.url,
    stop: async () => {
      metrics?.server.close()
      metrics?.server.closeAllConnections()
      stopPresence()
      await peer.stop()
    }
  }
}
