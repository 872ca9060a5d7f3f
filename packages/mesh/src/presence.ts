/**
 * Presence: how two peers that only share a relay learn each other's addresses and
 * upgrade to a direct connection (two browsers: WebRTC, signalled through the relay's
 * circuit). Each peer announces its peer id and its dialable addresses on one gossipsub
 * topic per network, with the weft topics it has open; a peer that hears of another one
 * it shares a topic with and has no direct connection to dials it, if its peer id sorts
 * lower (one dialer per pair, BROWSER-NOTES G5), up to PRESENCE_MAX_DIALLED such
 * connections (more peers: reached through the relay and the gossip mesh, not dialled).
 *
 * Announcements carry their send time, so repeating one is a new gossipsub message
 * (message ids are hashes of the data, G8) and a peer that joins late still hears it.
 * They are not signed: a forged one can only make us dial an address that then fails
 * noise's identity check. Limits: PRESENCE_MAX_BYTES per announcement,
 * PRESENCE_MAX_ADDRS addresses and PRESENCE_MAX_TOPICS topics (more: rejected; a
 * peer with more topics open, or names too long for the size, announces the first ones
 * that fit; with no topic open it announces nothing), announcements older than
 * PRESENCE_MAX_AGE_MS ignored, one upgrade dial per peer per PRESENCE_REDIAL_MS.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { RESERVED_TOPIC_PREFIX } from './constants.ts'
import { scoreTopic } from './gossip.ts'
import type { WeftPeer } from './peer.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export const presenceTopic = (network: string): string => `${RESERVED_TOPIC_PREFIX}presence/${network}`

export const PRESENCE_MAX_BYTES = 4096
export const PRESENCE_MAX_ADDRS = 16
export const PRESENCE_MAX_TOPICS = 32
export const PRESENCE_MAX_DIALLED = 16
export const PRESENCE_MAX_AGE_MS = 60_000
/** Announce this often for PRESENCE_FAST_FOR_MS after start or an address change, then every PRESENCE_SLOW_MS. */
export const PRESENCE_FAST_MS = 1_000
export const PRESENCE_FAST_FOR_MS = 30_000
export const PRESENCE_SLOW_MS = 10_000
export const PRESENCE_REDIAL_MS = 10_000
export const PRESENCE_DIAL_TIMEOUT_MS = 10_000

export interface Announcement {
  peer: string
  addrs: string[]
  /** Weft topics the sender has open. */
  topics: string[]
  /** Sender's clock, ms since the epoch. */
  at: number
}

/** An announcement that is not one (bad JSON, wrong shapes, too large, too many addresses). */
export class InvalidAnnouncementError extends Error {
  static override name = 'InvalidAnnouncementError'
  constructor (message: string) {
    super(message)
    this.name = 'InvalidAnnouncementError'
  }
}

export function encodeAnnouncement (a: Announcement): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: 1, peer: a.peer, addrs: a.addrs, topics: a.topics, at: a.at }))
}

export function decodeAnnouncement (data: Uint8Array): Announcement {
  if (data.length > PRESENCE_MAX_BYTES) throw new InvalidAnnouncementError(`announcement of ${data.length} bytes (limit ${PRESENCE_MAX_BYTES})`)
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data))
  } catch {
    throw new InvalidAnnouncementError('announcement is not UTF-8 JSON')
  }
  const o = v as Record<string, unknown>
  if (typeof v !== 'object' || v === null || o.v !== 1) throw new InvalidAnnouncementError('not a version 1 announcement')
  if (typeof o.peer !== 'string' || o.peer.length > 128) throw new InvalidAnnouncementError('bad peer id')
  if (typeof o.at !== 'number' || !Number.isSafeInteger(o.at)) throw new InvalidAnnouncementError('bad time')
  if (!Array.isArray(o.addrs) || o.addrs.length > PRESENCE_MAX_ADDRS || !o.addrs.every(a => typeof a === 'string')) {
    throw new InvalidAnnouncementError(`addresses must be at most ${PRESENCE_MAX_ADDRS} strings`)
  }
  if (!Array.isArray(o.topics) || o.topics.length > PRESENCE_MAX_TOPICS || !o.topics.every(t => typeof t === 'string')) {
    throw new InvalidAnnouncementError(`topics must be at most ${PRESENCE_MAX_TOPICS} strings`)
  }
  for (const a of o.addrs as string[]) {
    try {
      multiaddr(a)
    } catch {
      throw new InvalidAnnouncementError(`bad address ${a.slice(0, 80)}`)
    }
  }
  return { peer: o.peer, addrs: o.addrs as string[], topics: o.topics as string[], at: o.at }
}

export interface PresenceInit {
  /** Our addresses worth announcing (none: announce nothing, only forward). */
  announce?: (addrs: Multiaddr[]) => Multiaddr[]
  /** Of a peer's announced addresses, those to dial for a direct connection, best first (none: never dial). */
  dialable?: (addrs: Multiaddr[]) => Multiaddr[]
  /** Allowed to dial at all (e.g. not while offline). @default always */
  canDial?: () => boolean
  now?: () => number
}

/** Announces this peer and upgrades to direct connections; returns a function that stops it. */
export function startPresence (peer: WeftPeer, init: PresenceInit): () => void {
  const libp2p = peer.libp2p
  const pubsub = libp2p.services.pubsub
  const topic = presenceTopic(peer.network)
  const now = init.now ?? Date.now
  const me = libp2p.peerId.toString()
  const lastDial = new Map<string, number>()
  /** Peers connected because we dialled them from an announcement. */
  const dialled = new Set<string>()
  let fastUntil = now() + PRESENCE_FAST_FOR_MS
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  pubsub.topicValidators.set(topic, async (_from: PeerId, msg: { data: Uint8Array }) => {
    try {
      const a = decodeAnnouncement(msg.data)
      return Math.abs(now() - a.at) > PRESENCE_MAX_AGE_MS ? TopicValidatorResult.Ignore : TopicValidatorResult.Accept
    } catch {
      return TopicValidatorResult.Reject
    }
  })
  scoreTopic(pubsub, topic)
  pubsub.subscribe(topic)

  const direct = (id: string): boolean => libp2p.getConnections().some(c => c.remotePeer.toString() === id && c.limits === undefined)

  const onMessage = (evt: CustomEvent<{ topic: string, data: Uint8Array }>): void => {
    if (evt.detail.topic !== topic || init.dialable === undefined || init.canDial?.() === false) return
    let a: Announcement
    try {
      a = decodeAnnouncement(evt.detail.data)
    } catch {
      return
    }
    if (a.peer === me || !(me < a.peer) || direct(a.peer) || dialled.size >= PRESENCE_MAX_DIALLED) return
    const mine = new Set(peer.topicNames)
    if (!a.topics.some(t => mine.has(t))) return
    const last = lastDial.get(a.peer)
    if (last !== undefined && now() - last < PRESENCE_REDIAL_MS) return
    const target = init.dialable(a.addrs.map(s => multiaddr(s))).find(ma => ma.getComponents().at(-1)?.value === a.peer)
    if (target === undefined) return
    lastDial.set(a.peer, now())
    if (lastDial.size > 1024) lastDial.delete(lastDial.keys().next().value!)
    void libp2p.dial(target, { signal: AbortSignal.timeout(PRESENCE_DIAL_TIMEOUT_MS) }).then(() => { dialled.add(a.peer) }, () => undefined)
  }
  pubsub.addEventListener('message', onMessage as never)
  const onDisconnect = (evt: CustomEvent<PeerId>): void => { dialled.delete(evt.detail.toString()) }
  libp2p.addEventListener('peer:disconnect', onDisconnect)

  const announce = (): void => {
    timer = undefined
    if (stopped) return
    const addrs = init.announce?.(libp2p.getMultiaddrs()).slice(0, PRESENCE_MAX_ADDRS) ?? []
    if (addrs.length > 0 && init.canDial?.() !== false && pubsub.getSubscribers(topic).length > 0) {
      // within the size limit every receiver applies: fewer topics if need be
      const topics = peer.topicNames.slice(0, PRESENCE_MAX_TOPICS)
      let bytes = encodeAnnouncement({ peer: me, addrs: addrs.map(a => a.toString()), topics, at: now() })
      while (bytes.length > PRESENCE_MAX_BYTES && topics.length > 0) {
        topics.pop()
        bytes = encodeAnnouncement({ peer: me, addrs: addrs.map(a => a.toString()), topics, at: now() })
      }
      if (bytes.length <= PRESENCE_MAX_BYTES && topics.length > 0) void pubsub.publish(topic, bytes).catch(() => undefined)
    }
    timer = setTimeout(announce, now() < fastUntil ? PRESENCE_FAST_MS : PRESENCE_SLOW_MS)
  }
  const onAddresses = (): void => {
    fastUntil = now() + PRESENCE_FAST_FOR_MS
    if (timer !== undefined) clearTimeout(timer)
    announce()
  }
  if (init.announce !== undefined) {
    libp2p.addEventListener('self:peer:update', onAddresses)
    announce()
  }

  return () => {
    stopped = true
    if (timer !== undefined) clearTimeout(timer)
    libp2p.removeEventListener('self:peer:update', onAddresses)
    pubsub.removeEventListener('message', onMessage as never)
    libp2p.removeEventListener('peer:disconnect', onDisconnect)
    pubsub.topicValidators.delete(topic)
  }
}
