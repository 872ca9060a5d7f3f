// chaos/links.ts on small hand-written histories: what C9 reads from the tabs' link events.
import { describe, expect, it } from 'vitest'
import type { HistoryEvent } from './history.ts'
import { checkLinks } from './links.ts'

const R1 = '12D3KooWrelay1'
const R2 = '12D3KooWrelay2'
const B2 = '12D3KooWtab2'
const TABS = ['b1', 'b2']
const relaysOf = (tab: string): string[] => tab === 'b1' ? ['r1', 'r2'] : ['r2']

function history (): HistoryEvent[] {
  return [
    { t: 0, node: 'r1', type: 'start', sender: R1 },
    { t: 0, node: 'r2', type: 'start', sender: R2 },
    { t: 10, node: 'b1', type: 'start', sender: 'author-b1' },
    { t: 10, node: 'b2', type: 'start', sender: 'author-b2' },
    { t: 20, node: 'b1', type: 'link', peer: R1, kind: 'ws', up: true },
    { t: 20, node: 'b2', type: 'link', peer: R2, kind: 'ws', up: true },
    { t: 25, node: 'b2', type: 'link', peer: R1, kind: 'ws', up: true }, // to reach b1's circuit address: not one b2 redials
    { t: 30, node: 'b1', type: 'link', peer: B2, kind: 'circuit', up: true },
    { t: 40, node: 'b1', type: 'link', peer: B2, kind: 'webrtc', up: true },
    { t: 90, node: 'b1', type: 'link', peer: B2, kind: 'circuit', up: false },
    // r1 crashes: b1 was linked to it, b2 was not
    { t: 100, node: 'r1', type: 'crash' },
    { t: 101, node: 'b1', type: 'link', peer: R1, kind: 'ws', up: false },
    { t: 200, node: 'r1', type: 'restart', sender: R1 },
    { t: 250, node: 'b1', type: 'link', peer: R2, kind: 'ws', up: true }, // another relay: not the reconnect
    { t: 2_200, node: 'b1', type: 'link', peer: R1, kind: 'ws', up: true },
    // every relay down from 3,000 to the first restart at 4,000
    { t: 3_000, type: 'nemesis', fault: 'relays-down', targets: ['r1', 'r2'], phase: 'start' },
    { t: 3_000, node: 'r1', type: 'crash' },
    { t: 3_000, node: 'r2', type: 'crash' },
    { t: 3_100, node: 'b1', type: 'publish-ok', key: 'k1', id: 'x', sender: 'author-b1', seq: 1, topic: 't', level: 'L1' },
    { t: 3_200, node: 'b2', type: 'deliver', id: 'x', sender: 'author-b1', seq: 1, topic: 't', redelivered: false },
    { t: 3_300, node: 'b1', type: 'publish-ok', key: 'k2', id: 'y', sender: 'author-b1', seq: 2, topic: 't', level: 'L1' },
    { t: 4_000, node: 'r1', type: 'restart', sender: R1 },
    { t: 4_500, node: 'b2', type: 'deliver', id: 'y', sender: 'author-b1', seq: 2, topic: 't', redelivered: false },
    { t: 4_600, node: 'r2', type: 'restart', sender: R2 }
  ]
}

describe('checkLinks (C9)', () => {
  it('times each reconnect from the relay restart to the tab\'s next link to that relay', () => {
    const r = checkLinks(history(), TABS, relaysOf)
    // first crash: b1 only; second: b1 (linked to r1 again) and b2 and b1 to r2, never back in this history
    expect(r.reconnects).toEqual([
      { relay: 'r1', tab: 'b1', ms: 2_000 },
      { relay: 'r1', tab: 'b1', ms: undefined },
      { relay: 'r2', tab: 'b1', ms: undefined },
      { relay: 'r2', tab: 'b2', ms: undefined }
    ])
  })

  it('reports when each tab first went direct over WebRTC', () => {
    expect(checkLinks(history(), TABS, relaysOf).webrtcAfterMs).toEqual({ b1: 30, b2: undefined })
  })

  it('times the relayed connections that closed', () => {
    expect(checkLinks(history(), TABS, relaysOf).circuits).toEqual({ opened: 1, closed: 1, longestMs: 60 })
  })

  it('counts what reached the other tab while no relay was up', () => {
    expect(checkLinks(history(), TABS, relaysOf).relayless).toEqual({ windows: 1, published: 2, deliveredDirect: 1 })
  })
})
