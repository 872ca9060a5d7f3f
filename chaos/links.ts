// What C9 (RELIABILITY.md 10.3) asks of browser tabs behind relays, read from the history alone:
// the tabs' `link` events (a connection opened or closed), the relays' crashes and restarts, and
// the publishes and deliveries. A pure function, like chaos/checkers.ts.
import type { HistoryEvent } from './history.ts'

export interface Reconnect {
  relay: string
  tab: string
  /** ms from the relay's restart (listening again) to the tab's next link to it; undefined: none before the history ends */
  ms: number | undefined
}

export interface LinkReport {
  /** For each relay restart, each tab that keeps that relay dialled and had a link to it when it crashed. */
  reconnects: Reconnect[]
  /** Per tab, when its first direct WebRTC link came up (ms since its first event); undefined: never. */
  webrtcAfterMs: Record<string, number | undefined>
  /**
   * While every relay was down (`relays-down` nemesis, to the first relay restart): messages one tab
   * committed, and how many of them another tab delivered before any relay was back, so over the
   * direct WebRTC link.
   */
  relayless: { windows: number, published: number, deliveredDirect: number }
  /** Relayed connections the tabs saw: opened, closed (by a relay's limit, a crash, or libp2p), the longest-lived closed one. */
  circuits: { opened: number, closed: number, longestMs: number }
}

/**
 * `relaysOf` names the relays a tab keeps dialled (its bootstrap). A tab may also hold a link to
 * another relay, opened to reach the other tab's circuit address: that one it does not redial.
 */
export function checkLinks (history: readonly HistoryEvent[], tabs: readonly string[], relaysOf: (tab: string) => readonly string[]): LinkReport {
  const relayIds = new Map<string, string>() // relay name -> peer id, from its start events
  const up = new Map<string, Set<string>>() // tab -> peer ids it has a link to now
  const firstAt = new Map<string, number>()
  const webrtcAfterMs: Record<string, number | undefined> = Object.fromEntries(tabs.map(t => [t, undefined]))
  const waiting: Array<{ relay: string, tab: string, since: number | undefined, ms: number | undefined }> = []
  const windows: Array<{ from: number, to: number }> = []
  let down: number | undefined
  const circuitOpen = new Map<string, number>() // tab + peer -> when its circuit opened
  const circuits = { opened: 0, closed: 0, longestMs: 0 }
  for (const e of history) {
    if ('node' in e && !firstAt.has(e.node)) firstAt.set(e.node, e.t)
    if ((e.type === 'start' || e.type === 'restart') && e.sender !== undefined && e.node.startsWith('r')) relayIds.set(e.node, e.sender)
    if (e.type === 'crash' && relayIds.has(e.node)) {
      const id = relayIds.get(e.node)!
      for (const tab of tabs) if (relaysOf(tab).includes(e.node) && up.get(tab)?.has(id) === true) waiting.push({ relay: e.node, tab, since: undefined, ms: undefined })
    }
    if (e.type === 'restart' && relayIds.has(e.node)) {
      for (const w of waiting) if (w.relay === e.node && w.since === undefined) w.since = e.t
      if (down !== undefined) {
        windows.push({ from: down, to: e.t })
        down = undefined
      }
    }
    if (e.type === 'nemesis' && e.fault === 'relays-down' && e.phase === 'start') down = e.t
    if (e.type === 'link' && tabs.includes(e.node)) {
      const ids = up.get(e.node) ?? new Set<string>()
      up.set(e.node, ids)
      if (e.kind === 'circuit') {
        const key = `${e.node} ${e.peer}`
        if (e.up) {
          circuits.opened++
          circuitOpen.set(key, e.t)
        } else if (circuitOpen.has(key)) {
          circuits.closed++
          circuits.longestMs = Math.max(circuits.longestMs, e.t - circuitOpen.get(key)!)
          circuitOpen.delete(key)
        }
      }
      if (!e.up) {
        ids.delete(e.peer)
        continue
      }
      ids.add(e.peer)
      if (e.kind === 'webrtc' && webrtcAfterMs[e.node] === undefined) webrtcAfterMs[e.node] = e.t - firstAt.get(e.node)!
      for (const w of waiting) {
        if (w.tab === e.node && w.since !== undefined && w.ms === undefined && relayIds.get(w.relay) === e.peer && e.kind === 'ws') w.ms = e.t - w.since
      }
    }
  }
  // the relay-less windows: what tabs committed in them, and what other tabs delivered before they closed
  const committed = new Map<string, { node: string, t: number }>() // id -> publisher tab and commit time
  const deliveredAt = new Map<string, Map<string, number>>() // id -> tab -> first delivery time
  for (const e of history) {
    if (e.type === 'publish-ok' && e.level === 'L1' && tabs.includes(e.node)) committed.set(e.id, { node: e.node, t: e.t })
    if (e.type === 'deliver' && tabs.includes(e.node)) {
      const at = deliveredAt.get(e.id) ?? new Map<string, number>()
      deliveredAt.set(e.id, at)
      if (!at.has(e.node)) at.set(e.node, e.t)
    }
  }
  let published = 0
  let deliveredDirect = 0
  for (const [id, c] of committed) {
    const w = windows.find(w => c.t >= w.from && c.t < w.to)
    if (w === undefined) continue
    for (const other of tabs) {
      if (other === c.node) continue
      published++
      const t = deliveredAt.get(id)?.get(other)
      if (t !== undefined && t < w.to) deliveredDirect++
    }
  }
  return {
    reconnects: waiting.filter(w => w.since !== undefined).map(w => ({ relay: w.relay, tab: w.tab, ms: w.ms })),
    webrtcAfterMs,
    relayless: { windows: windows.length, published, deliveredDirect },
    circuits
  }
}
