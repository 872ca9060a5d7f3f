/**
 * The causal-delivery contract, as a property: authors publish with random
 * interleavings, each building its context only from what it delivered; every
 * receiver gets all envelopes in random order, with duplicates and drops that
 * are repaired through the sync planner. Happened-before is computed here from
 * what the simulation observed, never read back from the code under test.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clockGet, dominates } from '../clock/vector-clock.ts'
import { Inbox } from '../inbox/inbox.ts'
import { planSync } from '../sync/sync-planner.ts'
import { TestAuthor, prng } from '../testing/authors.ts'
import type { Envelope } from '../envelope/envelope.ts'

interface World {
  all: Envelope[]
  /** For each message id, the ids its author had delivered before writing it (its own earlier ones included). */
  before: Map<string, string[]>
  authors: TestAuthor[]
}

async function simulate (nAuthors: number, steps: number, seed: number, publishBias: number): Promise<World> {
  const rand = prng(seed)
  const authors = Array.from({ length: nAuthors }, (_, i) => new TestAuthor(i + seed * 16))
  const offered = authors.map(() => new Set<number>())
  const world: World = { all: [], before: new Map(), authors }
  for (let step = 0; step < steps; step++) {
    const a = Math.floor(rand() * nAuthors)
    const author = authors[a]!
    const unseen = world.all.map((_, i) => i).filter(i => !offered[a]!.has(i))
    if (unseen.length === 0 || rand() < publishBias) {
      const before = [...author.delivered]
      const env = await author.publish(`m${step}`, step)
      offered[a]!.add(world.all.length)
      world.all.push(env)
      world.before.set(env.id, before)
    } else {
      const i = unseen[Math.floor(rand() * unseen.length)]!
      offered[a]!.add(i)
      author.receive(world.all[i]!, step)
    }
  }
  return world
}

/** Ancestors of every message: the transitive closure of `before`, computed by the test. */
function ancestors (world: World): Map<string, Set<string>> {
  const anc = new Map<string, Set<string>>()
  for (const env of world.all) { // publish order is a topological order of `before`
    const set = new Set<string>()
    for (const id of world.before.get(env.id)!) {
      set.add(id)
      for (const x of anc.get(id)!) set.add(x)
    }
    anc.set(env.id, set)
  }
  return anc
}

function shuffle<T> (items: T[], rand: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * Feeds `inbox` the world's messages shuffled, duplicated and with drops, then repairs through
 * planSync. With `quarantine`, everything still waiting after the feed first waits past its
 * deadline (quarantined, the oldest forgotten past `quarantine.max`), as when repair comes late.
 */
function receiveAll (world: World, rand: () => number, dropRate: number, quarantine?: { max: number }): string[] {
  const inbox = new Inbox({ maxQuarantined: quarantine?.max })
  const delivered: string[] = []
  const take = (env: Envelope, now: number): void => {
    for (const out of inbox.receive(env, now).deliverable) {
      inbox.markDelivered(out)
      delivered.push(out.id)
    }
  }
  const feed: Envelope[] = []
  for (const env of world.all) {
    if (rand() < dropRate) continue
    const copies = 1 + Math.floor(rand() * 3)
    for (let c = 0; c < copies; c++) feed.push(env)
  }
  shuffle(feed, rand).forEach((env, i) => take(env, i))
  if (quarantine !== undefined) {
    const waited = inbox.buffered.messages
    const out = inbox.expire(Number.MAX_SAFE_INTEGER)
    expect(out.filter(e => e.reason === 'dependency-timeout')).toHaveLength(waited)
    expect(inbox.quarantined.messages).toBe(Math.min(waited, quarantine.max))
    expect(inbox.missing()).toEqual({ ranges: [], unknown: [] })
  }
  // Repair: ask a peer holding everything for what we lack, as the mesh will.
  const full = new Map<string, number>()
  for (const env of world.all) full.set(env.author, Math.max(full.get(env.author) ?? 0, env.seq))
  for (let round = 0; round < 10 && delivered.length < world.all.length; round++) {
    const plan = planSync({ held: inbox.released }, { held: full })
    const wanted = world.all.filter(e => plan.request.some(r => r.author === e.author && e.seq >= r.from && e.seq <= r.to))
    shuffle(wanted, rand).forEach(env => take(env, feed.length + round))
  }
  expect(inbox.buffered.messages).toBe(0)
  expect(inbox.quarantined.messages).toBe(0)
  expect(inbox.missing()).toEqual({ ranges: [], unknown: [] })
  return delivered
}

function checkOrder (world: World, anc: Map<string, Set<string>>, delivered: string[]): void {
  expect(delivered.length).toBe(world.all.length)
  expect(new Set(delivered).size).toBe(world.all.length)
  const position = new Map(delivered.map((id, i) => [id, i]))
  for (const [id, before] of anc) {
    const at = position.get(id)
    expect(at).toBeDefined()
    for (const dep of before) expect(position.get(dep)!).toBeLessThan(at!)
  }
}

describe('causal delivery (property)', () => {
  it('every receiver delivers every message once, in happened-before order (also after quarantine)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 3, max: 8 }),
      fc.integer({ min: 10, max: 70 }),
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.double({ min: 0.2, max: 0.8, noNaN: true }),
      fc.double({ min: 0, max: 0.4, noNaN: true }),
      fc.integer({ min: 1, max: 20 }),
      async (nAuthors, steps, seed, publishBias, dropRate, maxQuarantined) => {
        const world = await simulate(nAuthors, steps, seed, publishBias)
        const anc = ancestors(world)
        const rand = prng(seed ^ 0x5eed)
        for (let receiver = 0; receiver < 2; receiver++) {
          checkOrder(world, anc, receiveAll(world, rand, dropRate))
        }
        // a receiver whose repair came after the deadline: what waited was quarantined
        checkOrder(world, anc, receiveAll(world, rand, dropRate, { max: maxQuarantined }))
        // Authors too, once they have received everything.
        for (const author of world.authors) {
          for (const env of shuffle(world.all, rand)) author.receive(env, 1e6)
          checkOrder(world, anc, author.delivered)
        }
      }
    ), { numRuns: 60 })
  })

  it('expanded clocks never claim more than the true causal past', async () => {
    const world = await simulate(6, 120, 4242, 0.5)
    const anc = ancestors(world)
    const byId = new Map(world.all.map(e => [e.id, e]))
    const rand = prng(7)
    const observer = new TestAuthor(999)
    for (const env of shuffle(world.all, rand)) observer.receive(env, 0)
    expect(observer.delivered.length).toBe(world.all.length)
    let exact = 0
    for (const env of world.all) {
      const truth = new Map<string, number>([[env.author, env.seq]])
      for (const id of anc.get(env.id)!) {
        const m = byId.get(id)!
        truth.set(m.author, Math.max(truth.get(m.author) ?? 0, m.seq))
      }
      const clock = observer.inbox.clockOf(env.author, env.seq)
      expect(clock).toBeDefined()
      expect(dominates(truth, clock!)).toBe(true)
      expect(clockGet(clock!, env.author)).toBe(env.seq)
      if (dominates(clock!, truth)) exact++
    }
    // With every clock cached, the expansion is exact.
    expect(exact).toBe(world.all.length)
  })
})
