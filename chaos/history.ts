// The history a chaos run records (RELIABILITY.md 9.2): one JSON line per event, written by
// each client process on its stdout (a short line per write: atomic in a pipe, so an event
// written before a SIGKILL is not lost) and by the controller for its own actions.

/** A publish began; `key` ties it to its outcome (the id exists only once the envelope is sealed). */
export interface PublishInvoke { t: number, node: string, type: 'publish-invoke', key: string, topic: string }
/** L1: committed to the publisher's own store. L2: custody acked by another peer. */
export interface PublishOk { t: number, node: string, type: 'publish-ok', key: string, id: string, sender: string, seq: number, topic: string, level: 'L1' | 'L2' }
export interface PublishFail { t: number, node: string, type: 'publish-fail', key: string, error: string }
export interface Deliver { t: number, node: string, type: 'deliver', id: string, sender: string, seq: number, topic: string, redelivered: boolean }
/** The client's handler finished and weft has persisted that it did: never to be delivered again. */
export interface AppAck { t: number, node: string, type: 'app-ack', id: string }
/** `sender`: a client's or tab's author id; a relay's peer id (on start and restart). */
export interface Lifecycle { t: number, node: string, type: 'start' | 'stop' | 'crash' | 'restart' | 'subscribe', topic?: string, sender?: string }
/** Periodic resource sample of a node (RSS, fds from /proc; buffered messages from the client itself). */
export interface Sample {
  t: number
  node: string
  type: 'sample'
  rssMb?: number
  fds?: number
  /** a Node process's SQLite store: weft.db and its WAL, in MB */
  storeMb?: number
  buffered?: number
  bufferedBytes?: number
  /** a tab's JavaScript heap in use (Chromium's performance.memory) */
  heapMb?: number
  /** a tab's storage in use (navigator.storage.estimate(): IndexedDB, its origin's only store), in MB */
  tabStoreMb?: number
  /** a tab's Date minus the true time */
  wallSkewMs?: number
  /** a tab's connections: to relays over WebSockets, to tabs over direct WebRTC, through a relay's circuit */
  conns?: { ws: number, webrtc: number, circuit: number }
}
/** A tab's connection opened or closed: to a relay over WebSockets, to a tab over direct WebRTC, or through a relay's circuit. */
export interface Link { t: number, node: string, type: 'link', peer: string, kind: 'ws' | 'webrtc' | 'circuit', up: boolean }
export interface Nemesis { t: number, type: 'nemesis', fault: string, targets: string[], phase: 'start' | 'stop', info?: Record<string, unknown> }
/** The controller's phases: faults healed at `heal`, drain ended at `drained`. */
export interface Phase { t: number, type: 'phase', phase: 'warmup' | 'faults' | 'heal' | 'drained' }

export type HistoryEvent = PublishInvoke | PublishOk | PublishFail | Deliver | AppAck | Lifecycle | Sample | Link | Nemesis | Phase
