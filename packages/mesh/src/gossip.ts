/**
 * The gossipsub configuration weft needs, for your own libp2p node or the
 * presets:
 * - `StrictNoSign`: every envelope already carries its author's signature;
 *   gossipsub's own signing would double the cost (PERF-NOTES.md) and name
 *   the forwarder, not the author. The whole mesh must agree (BROWSER-NOTES G8).
 * - message id = SHA-256 of the data = the envelope id, so a message seen on
 *   many paths or re-sent by an outbox is one message everywhere;
 * - a size cap at the envelope limit plus framing;
 * - peer scoring on, with a P4 penalty for invalid messages set per topic by
 *   the peer when it opens the topic (see docs/MESH.md for the parameters).
 */
import { gossipsub } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import { DEFAULT_MAX_ENVELOPE_BYTES, nobleCrypto, toHex } from '@weft/core'
import type { GossipSub, GossipSubComponents, GossipsubOpts } from '@libp2p/gossipsub'
import type { CryptoSuite } from '@weft/core'

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
