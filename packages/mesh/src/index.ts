/**
 * @packageDocumentation
 *
 * weft itself: a libp2p peer with durable publish, custody acks, causal
 * delivery, catch-up and repair. `createPeer` takes your libp2p node (with
 * `weftGossipsub()` as its pubsub service) and a `WeftStore`; the presets
 * (`@weft/mesh/node`) build both for you.
 *
 * @example
 * ```ts
 * import { createNodePeer } from '@weft/mesh/node'
 *
 * const peer = await createNodePeer({ dataDir: './data', network: 'demo', listen: ['/ip4/127.0.0.1/tcp/0'] })
 * const chat = await peer.topic('chat')
 * chat.subscribe(msg => { console.log(msg.author, msg.seq, msg.text()) })
 * const { seq, acked } = await chat.publish('hello')
 * console.log(seq, await acked)
 * await peer.stop()
 * ```
 */
export { createPeer, libp2pSigner, WeftPeer } from './peer.ts'
export type { PeerInit, TopicHandle, TopicOptions, SyncStats } from './peer.ts'
export type { Retention } from '@weft/core'
export type { RateLimit } from './rate-limit.ts'
export type { DeliveredMessage, InboxCaches, MessageHandler, PublishOptions, Published, AckOutcome } from './topic.ts'
export type { MeshEvents, ConnectionState, MessageLifecycle } from './events.ts'
export { WindowFullError, PeerStoppedError, MisconfiguredNodeError, ProtocolError, ReservedTopicError } from './errors.ts'
export { startPresence, presenceTopic, encodeAnnouncement, decodeAnnouncement, InvalidAnnouncementError } from './presence.ts'
export type { Announcement, PresenceInit } from './presence.ts'
export { weftGossipsub } from './gossip.ts'
export type { WeftGossipsubInit } from './gossip.ts'
export { SYNC_PROTOCOL, MAX_FRAME_BYTES, DEFAULT_WINDOW, RESERVED_TOPIC_PREFIX, PRUNE_INTERVAL_MS, PRUNE_BATCH, BROWSER_CACHES } from './constants.ts'
