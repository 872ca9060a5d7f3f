/**
 * Presence (src/presence.ts): announcements decode or fail with a typed error; two Node
 * peers that share only a third one learn each other's addresses from it and connect
 * directly (the lower peer id dials); garbage on the presence topic is rejected and never
 * dialled; application topics cannot use weft's reserved names.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ReservedTopicError } from '../src/errors.ts'
import { InvalidAnnouncementError, PRESENCE_MAX_ADDRS, PRESENCE_MAX_BYTES, PRESENCE_MAX_TOPICS, decodeAnnouncement, encodeAnnouncement, presenceTopic, startPresence } from '../src/presence.ts'
import { Cluster, NETWORK, connect, until } from './helpers.ts'
import { prng } from '@weft/test-suites/prng'

let cluster: Cluster
const stops: Array<() => void> = []
afterEach(async () => {
  for (const s of stops.splice(0)) s()
  await cluster?.stop()
})

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('presence announcements', () => {
  it('round-trip, and every malformed one is a typed InvalidAnnouncementError', () => {
    const a = { peer: '12D3KooWabc', addrs: ['/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWabc'], topics: ['chat'], at: 1_700_000_000_000 }
    expect(decodeAnnouncement(encodeAnnouncement(a))).toEqual(a)
    const bad = [
      new Uint8Array([0xff, 0xfe]),
      utf8('not json'),
      utf8('null'),
      utf8('{"v":2,"peer":"x","addrs":[],"topics":[],"at":1}'),
      utf8('{"v":1,"peer":"x","addrs":[],"at":1}'),
      utf8('{"v":1,"peer":"x","addrs":[],"topics":[7],"at":1}'),
      utf8(JSON.stringify({ v: 1, peer: 'x', addrs: [], topics: Array(PRESENCE_MAX_TOPICS + 1).fill('t'), at: 1 })),
      utf8('{"v":1,"peer":5,"addrs":[],"topics":[],"at":1}'),
      utf8('{"v":1,"peer":"x","addrs":"no","topics":[],"at":1}'),
      utf8('{"v":1,"peer":"x","addrs":[],"topics":[],"at":1.5}'),
      utf8('{"v":1,"peer":"x","addrs":["not a multiaddr"],"topics":[],"at":1}'),
      utf8(JSON.stringify({ v: 1, peer: 'x', addrs: Array(PRESENCE_MAX_ADDRS + 1).fill('/ip4/127.0.0.1/tcp/1'), topics: [], at: 1 })),
      utf8(JSON.stringify({ v: 1, peer: 'x'.repeat(129), addrs: [], topics: [], at: 1 })),
      new Uint8Array(PRESENCE_MAX_BYTES + 1)
    ]
    for (const b of bad) expect(() => decodeAnnouncement(b)).toThrow(InvalidAnnouncementError)
    const rand = prng(7)
    for (let i = 0; i < 2_000; i++) {
      const b = new Uint8Array(Math.floor(rand() * 200))
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256)
      try {
        decodeAnnouncement(b)
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidAnnouncementError)
      }
    }
  })

  it('two peers that share only a third one, and a topic, connect directly; the third only forwards; a peer in another topic is not dialled', async () => {
    cluster = new Cluster()
    const hub = await cluster.add()
    const [a, b, c] = [await cluster.add(), await cluster.add(), await cluster.add()]
    await a.topic('room')
    await b.topic('room')
    await c.topic('elsewhere')
    stops.push(startPresence(c, { announce: addrs => addrs, dialable: addrs => addrs }))
    stops.push(startPresence(hub, {}))
    const dialled: string[] = []
    for (const p of [a, b]) {
      stops.push(startPresence(p, {
        announce: addrs => addrs,
        dialable: addrs => { dialled.push(p.me); return addrs }
      }))
    }
    await connect(a, hub)
    await connect(b, hub)
    await connect(c, hub)
    const direct = (x: typeof a, y: typeof a): boolean => x.libp2p.getConnections().some(c => c.remotePeer.equals(y.libp2p.peerId))
    expect(direct(a, b)).toBe(false)
    await until(() => direct(a, b) && direct(b, a), 20_000, 'a direct connection between a and b')
    // one dialer per pair: the lower peer id
    const lower = a.me < b.me ? a.me : b.me
    expect(new Set(dialled)).toEqual(new Set([lower]))
    expect(hub.topicNames).toEqual([])
    // c hears a and b (and they c) every second, but shares no topic with them
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect(direct(c, a) || direct(c, b)).toBe(false)
  })

  it('rejects garbage on the presence topic (the sender is scored down) and dials nothing from it', async () => {
    cluster = new Cluster()
    const [a, b] = [await cluster.add(), await cluster.add()]
    let dials = 0
    stops.push(startPresence(a, {}))
    stops.push(startPresence(b, { dialable: addrs => { dials++; return addrs } }))
    await connect(a, b)
    const topic = presenceTopic(NETWORK)
    await until(() => a.libp2p.services.pubsub.getSubscribers(topic).length > 0, 10_000, 'b subscribed')
    await new Promise(resolve => setTimeout(resolve, 1200)) // a heartbeat: a mesh forms
    for (let i = 0; i < 20; i++) await a.libp2p.services.pubsub.publish(topic, utf8(`garbage ${i}`)).catch(() => undefined)
    const score = (): number => (b.libp2p.services.pubsub as unknown as { getScore(id: string): number }).getScore(a.me)
    await until(() => score() < 0, 10_000, "a's score at b below zero")
    expect(dials).toBe(0)
  })

  it('refuses application topics with weft\'s reserved prefix', async () => {
    cluster = new Cluster()
    const a = await cluster.add()
    await expect(a.topic('_weft/presence/x')).rejects.toThrow(ReservedTopicError)
  })
})
