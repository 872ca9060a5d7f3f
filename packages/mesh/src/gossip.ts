/**
 * The gossipsub configuration weft needs, for your own libp2p node or the
 * presets:
 * - `StrictNoSign`: every envelope already carries its author's signature;
 *   gossipsub's own signing would double the cost (PERF-NOTES.md) and name
 *   the forwarder, not the author. The whole mesh must agree (BROWSER-NOTES G8).
 * - message id = SHA-256 of the data: the envelope id for a lone envelope, so a
 *   message seen on many paths is one message everywhere; the bundle's hash for a
 *   bundle of envelopes (bundle.ts; a replayed envelope in another bundle is
 *   caught by the validator as already stored);
 * - a size cap at the envelope limit plus framing (a bundle is at most 64 KiB);
 * - peer scoring on, with a P4 penalty for invalid messages set per topic by
 *   the peer when it opens the topic (see docs/MESH.md for the parameters);
 * - explicit limits against hostile gossipsub peers (RELIABILITY.md section 11,
 *   rows 20, 21 and 23), listed at `GOSSIP_DECODE_LIMITS` and
 *   `GOSSIP_MAX_OUTBOUND_BUFFER_BYTES` below, each with its overflow behaviour.
 *
 * Limits that @libp2p/gossipsub 17 hard-codes (constants, not options), relied on
 * by the same rows and checked by packages/mesh/test/hostile-gossip.test.ts:
 * - at most 10 IHAVE RPCs per peer per heartbeat (1 s) are looked at; later ones
 *   are ignored, no reply (GossipsubMaxIHaveMessages);
 * - at most 5,000 message ids per peer per heartbeat are asked for with IWANT;
 *   the rest are ignored, no reply (GossipsubMaxIHaveLength);
 * - each IWANT we send carries a promise: if the asked peer has not delivered one
 *   (random) id of it within 3 s, it is charged one P7 behaviour penalty at the
 *   next heartbeat (GossipsubIWantFollowupTime; P7 weight −10 × penalty², decay
 *   0.2 per second, gossipsub's defaults);
 * - at most 10 IWANT RPCs per peer per heartbeat are answered, and one message is
 *   sent to one peer at most 3 times in answer to IWANTs (GossipsubMaxIWantMessages,
 *   GossipsubGossipRetransmission); the rest are ignored, no reply;
 * - a GRAFT while we back off from that peer (60 s after a PRUNE either way) is
 *   answered with PRUNE and costs it one P7 penalty, two within 10 s of the PRUNE
 *   (GossipsubPruneBackoff, GossipsubGraftFloodThreshold); a GRAFT for a topic we
 *   are not in is ignored without reply or penalty.
 */
import { gossipsub } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import { DEFAULT_MAX_ENVELOPE_BYTES, nobleCrypto, toHex } from '@weft/core'
import type { GossipSub, GossipSubComponents, GossipsubOpts } from '@libp2p/gossipsub'
import type { CryptoSuite } from '@weft/core'

/**
 * Caps on one inbound gossipsub RPC, checked while it is decoded (they equal
 * @libp2p/gossipsub 17's defaults; pinned here so an upgrade cannot move them).
 * On overflow the whole RPC is dropped undecoded: nothing in it is handled and
 * nothing is answered; the stream stays open (RELIABILITY.md row 20: an IHAVE
 * with 10,000 short ids gets no IWANT at all). Before these, an RPC frame longer
 * than `maxInboundDataLength` (below) fails the sender's whole stream: gossipsub
 * drops that peer from its router and closes both streams to it (10,000 ids of
 * weft's 32 bytes are ~340 KB, so a full-size IHAVE spam ends there).
 */
export const GOSSIP_DECODE_LIMITS = {
  /** subscription changes in one RPC */
  maxSubscriptions: 5000,
  /** messages in one RPC (each one is still at most `maxInboundDataLength` bytes) */
  maxMessages: 5000,
  /** message ids in one IHAVE entry (= GossipsubMaxIHaveLength) */
  maxIhaveMessageIDs: 5000,
  /** message ids in one IWANT entry */
  maxIwantMessageIDs: 5000,
  /** message ids in one IDONTWANT entry */
  maxIdontwantMessageIDs: 512,
  /** IHAVE, IWANT, GRAFT, PRUNE or IDONTWANT entries of each kind in one RPC */
  maxControlMessages: 5000,
  /** peer records in one PRUNE (peer exchange; weft does not use PX) */
  maxPeerInfos: 16
}

/**
 * Bytes queued for one peer on our outbound gossipsub stream, beyond what its
 * yamux window has taken (RELIABILITY.md row 23, slow reader). A peer that stops
 * reading stops granting window, so everything forwarded to it piles up here;
 * without this cap (gossipsub's default) the queue grows without bound. Past it
 * the stream is reset (`StreamBufferError`): gossipsub forgets the stream and
 * sends that peer nothing more on it; the peer, seeing the reset, drops us from
 * its router too. The connection (and weft's sync over it) stays up.
 *
 * gossipsub has no backpressure toward publishers: an honest burst is queued
 * whole. weft's in-flight window bounds a burst on one topic toward a subscriber
 * that has not received it yet: 256 messages × at most 88 KiB envelopes ≈ 22 MiB
 * (measured: 16.3 MB for 256 × 64 KiB payloads on loopback). The cap sits above
 * that, or a fast publisher would cut its own honest neighbours (at 4 MiB a
 * 20 MiB burst did exactly that). Worst case it costs 32 MiB per slow peer.
 */
export const GOSSIP_MAX_OUTBOUND_BUFFER_BYTES = 32 * 1024 * 1024

export interface WeftGossipsubInit {
  /** Hashing for message ids. @default nobleCrypto() */
  crypto?: CryptoSuite
  /** Any other gossipsub option; weft's required ones win. */
  overrides?: Partial<GossipsubOpts>
}

export function weftGossipsub (init: WeftGossipsubInit = {}): (components: GossipSubComponents) => GossipSub {
  const crypto = init.crypto ?? nobleCrypto()
  return gossipsub({
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    maxInboundDataLength: DEFAULT_MAX_ENVELOPE_BYTES + 64 * 1024,
    maxOutboundBufferSize: GOSSIP_MAX_OUTBOUND_BUFFER_BYTES,
    decodeRpcLimits: { ...GOSSIP_DECODE_LIMITS },
    scoreThresholds: { gossipThreshold: -10, publishThreshold: -50, graylistThreshold: -80, acceptPXThreshold: 10, opportunisticGraftThreshold: 20 },
    ...init.overrides,
    globalSignaturePolicy: 'StrictNoSign',
    msgIdFn: (msg) => crypto.sha256(msg.data),
    msgIdToStrFn: (id) => toHex(id)
  })
}

/** Scores `topic` at this router: each invalid message (validator Reject) costs its sender 100 (P4, decay 0.5 per interval). */
export function scoreTopic (pubsub: GossipSub, topic: string): void {
  const score = (pubsub as unknown as { score?: { params?: { topics: Record<string, unknown> } } }).score
  if (score?.params === undefined || score.params.topics[topic] !== undefined) return
  score.params.topics[topic] = createTopicScoreParams({
    topicWeight: 1,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.5
  })
}
