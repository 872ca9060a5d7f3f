/** Every event a weft peer emits, with its detail. */
import type { EquivocationProof, Expired, OutboxEntry } from '@weft/core'

export type ConnectionState = 'offline' | 'connecting' | 'relayed' | 'direct'

export interface MessageLifecycle {
  topic: string
  id: string
  seq: number
}

export interface MeshEvents {
  /** The peer's overall reachability changed. */
  'connection:state': CustomEvent<{ state: ConnectionState }>
  /** My message was committed locally and waits for custody acks. */
  'message:queued': CustomEvent<MessageLifecycle>
  /** My message was sent (gossip and frontier updates); `attempt` counts from 1. */
  'message:sent': CustomEvent<MessageLifecycle & { attempt: number }>
  /** My message reached its ack quorum. */
  'message:acked': CustomEvent<MessageLifecycle & { peers: string[] }>
  /** My message expired unacked (kept in the outbox's expired list). */
  'message:expired': CustomEvent<{ topic: string, entry: OutboxEntry }>
  /** Received messages were committed to the store (custody taken). */
  'messages:stored': CustomEvent<{ topic: string, count: number }>
  /** Retention (`PeerInit.retention`) dropped the oldest messages of a topic from the store. */
  'messages:pruned': CustomEvent<{ topic: string, count: number, bytes: number }>
  /** A message was handed to the application (its handlers resolved). */
  'message:delivered': CustomEvent<MessageLifecycle & { author: string }>
  /**
   * Deliveries are now recorded in the store: these messages will not be delivered again,
   * even after a crash (until then a restart may deliver them again, flagged `redelivered`).
   */
  'delivery:persisted': CustomEvent<{ topic: string, entries: Array<{ author: string, seq: number }> }>
  /** A message from the network was refused; `from` is the peer that sent it. */
  'message:rejected': CustomEvent<{ topic: string, from: string, reason: string }>
  /** Messages are missing for causal delivery; repair was asked for. */
  'dependency:missing': CustomEvent<{ topic: string, ranges: Array<{ author: string, from: number, to: number }> }>
  /**
   * A message waited too long for its dependencies (`expired.reason` `dependency-timeout`): it is
   * quarantined, no longer repaired, and delivered (after what it waits for) if that comes after
   * all; copies of it meanwhile are duplicates. Or (`quarantine-full`) the oldest quarantined
   * message was forgotten to keep the quarantine within its bounds; a copy (by sync) is then
   * taken again like a new message.
   */
  'dependency:gave-up': CustomEvent<{ topic: string, expired: Expired }>
  /**
   * Two different messages with one (author, seq): the proof, reported once per (author, seq),
   * whether this peer saw both (`from` unset; the first is the one it kept) or a peer told it
   * (`from`). Every peer of the topic gets the proof, whichever message it kept.
   */
  'equivocation': CustomEvent<{ topic: string, proof: EquivocationProof, from?: string }>
  /**
   * A store record failed its checksum (a bit flip on disk, a torn write). It is never returned
   * as data. A message record (`topic`, `author`, `seq` set) is fetched again from peers that
   * hold it; what waits behind it is delivered once it is back.
   */
  'store:corrupt': CustomEvent<{ key: string[], reason: 'checksum' | 'format', topic?: string, author?: string, seq?: number }>
  /** A corrupt message record was written back from a verified copy a peer sent. */
  'store:repaired': CustomEvent<{ topic: string, author: string, seq: number }>
  /**
   * The store is gone from under the peer (RELIABILITY.md row 32: the browser cleared or evicted
   * the site's storage; only adapters with `onLost`, IndexedDB's, report it). The peer stops at
   * once. `unconfirmed`: my messages no peer had confirmed: they may be lost (some may have
   * reached peers without their ack coming back); tell the user. Messages peers confirmed are
   * safe with them. A new peer on the emptied store (a reload) starts with a new identity, so no
   * (author, seq) is ever written twice.
   */
  'store:lost': CustomEvent<{ error: Error, unconfirmed: MessageLifecycle[] }>
  /** `stop()` began. */
  'stopping': Event
  /** Something failed that the caller did not await (a store write in the background, a handler). */
  'error': CustomEvent<{ topic?: string, error: Error }>
}
