/**
 * The StoreAdapter conformance suite: the same assertions for every store
 * (memory, SQLite on disk, IndexedDB in Chromium), first on the adapter's own
 * contract, then on WeftStore running over it.
 */
import { describe, expect, it } from 'vitest'
import {
  WeftStore, authorIdFromKey, nobleCrypto, nobleSigner, sealEnvelope, utf8, toHex
} from '@weft/core'
import type { CorruptRecord, Envelope, Signer, StoreAdapter, StoreKey } from '@weft/core'

export interface StoreSetup {
  adapter: StoreAdapter
  /** Closes the adapter and opens the same storage again; absent where nothing persists. */
  reopen?: () => Promise<StoreAdapter>
  /** Caps the storage at about `bytes` (StorageFullError past it); `Infinity` lifts the cap. Absent where no cap can be set from here. */
  setCap?: (bytes: number) => Promise<void>
  teardown: () => Promise<void>
}

const crypto = nobleCrypto()
const bytes = (...n: number[]): Uint8Array => Uint8Array.from(n)
const keys = (entries: Array<{ key: StoreKey }>): string[][] => entries.map(e => [...e.key])

async function errorName (p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return (err as Error).name
  }
  return 'no error'
}

function signer (i: number): Signer {
  const seed = new Uint8Array(32)
  seed[0] = 0x5e
  seed[1] = i
  return nobleSigner(seed)
}

async function message (s: Signer, topic: string, seq: number, text = `m${seq}`): Promise<Envelope> {
  return await sealEnvelope({ network: 'suite', topic, seq, time: 1000 + seq, context: { full: false, deps: [] }, payload: utf8(text) }, s, crypto)
}

function ids (): () => string {
  let n = 0
  return () => `store-${++n}`
}

export function runStoreAdapterTests (name: string, setup: () => Promise<StoreSetup>): void {
  const withStore = (title: string, fn: (s: StoreSetup) => Promise<void>, timeout?: number): void => {
    it(title, async () => {
      const s = await setup()
      try {
        await fn(s)
      } finally {
        await s.teardown()
      }
    }, timeout)
  }
  const open = async (adapter: StoreAdapter, corrupt: CorruptRecord[] = []): Promise<WeftStore> =>
    await WeftStore.open(adapter, { now: () => 5000, randomId: ids(), onCorrupt: c => corrupt.push(c) })

  describe(`StoreAdapter conformance: ${name}`, () => {
    withStore('get, put, delete; values are copies', async ({ adapter }) => {
      expect(await adapter.get(['a'])).toBeUndefined()
      const v = bytes(1, 2, 3)
      await adapter.write([{ type: 'put', key: ['a'], value: v }])
      v[0] = 9
      expect(await adapter.get(['a'])).toEqual(bytes(1, 2, 3))
      const got = (await adapter.get(['a']))!
      got[0] = 7
      expect(await adapter.get(['a'])).toEqual(bytes(1, 2, 3))
      await adapter.write([{ type: 'put', key: ['a'], value: bytes(4) }])
      expect(await adapter.get(['a'])).toEqual(bytes(4))
      await adapter.write([{ type: 'del', key: ['a'] }])
      expect(await adapter.get(['a'])).toBeUndefined()
      await adapter.write([{ type: 'del', key: ['never'] }])
      await adapter.write([])
    })

    withStore('empty and large values', async ({ adapter }) => {
      const big = new Uint8Array(100 * 1024).map((_, i) => i * 7)
      await adapter.write([{ type: 'put', key: ['empty'], value: new Uint8Array(0) }, { type: 'put', key: ['big'], value: big }])
      expect(await adapter.get(['empty'])).toEqual(new Uint8Array(0))
      expect(toHex((await adapter.get(['big']))!)).toBe(toHex(big))
    })

    withStore('range: element-wise order, shorter first, prefix itself excluded', async ({ adapter }) => {
      const all: StoreKey[] = [['m', 'b'], ['m'], ['m', 'a', 'z'], ['m', 'a'], ['m', 'ab'], ['n', 'a'], ['l', 'z'], ['m', 'a', 'b'], ['m', '0000000000000010'], ['m', '0000000000000009']]
      await adapter.write(all.map((key, i) => ({ type: 'put', key, value: bytes(i) })))
      expect(keys(await adapter.range(['m']))).toEqual([
        ['m', '0000000000000009'], ['m', '0000000000000010'], ['m', 'a'], ['m', 'a', 'b'], ['m', 'a', 'z'], ['m', 'ab'], ['m', 'b']
      ])
      expect(keys(await adapter.range(['m', 'a']))).toEqual([['m', 'a', 'b'], ['m', 'a', 'z']])
      expect(keys(await adapter.range(['x']))).toEqual([])
      expect((await adapter.range(['n']))[0]!.value).toEqual(bytes(5))
    })

    withStore('range: gte, lt, limit, reverse', async ({ adapter }) => {
      await adapter.write([1, 2, 3, 4, 5].map(n => ({ type: 'put', key: ['t', 'x', String(n)], value: bytes(n) })))
      const r = (o: object): Promise<string[]> => adapter.range(['t', 'x'], o).then(es => es.map(e => e.key[2]!))
      expect(await r({ gte: ['t', 'x', '2'], lt: ['t', 'x', '5'] })).toEqual(['2', '3', '4'])
      expect(await r({ limit: 2 })).toEqual(['1', '2'])
      expect(await r({ reverse: true, limit: 2 })).toEqual(['5', '4'])
      expect(await r({ gte: ['t', 'x', '3'], reverse: true })).toEqual(['5', '4', '3'])
      expect(await r({ lt: ['t', 'x', '1'] })).toEqual([])
    })

    withStore('keys with separators, NUL and non-ASCII stay apart', async ({ adapter }) => {
      const odd: StoreKey[] = [['k', 'a/b'], ['k', 'a', 'b'], ['k', 'a\u0000b'], ['k', 'a\u0001'], ['k', 'é'], ['k', 'a b']]
      await adapter.write(odd.map((key, i) => ({ type: 'put', key, value: bytes(i) })))
      for (const [i, key] of odd.entries()) expect(await adapter.get(key)).toEqual(bytes(i))
      expect(await adapter.range(['k'])).toHaveLength(odd.length)
      expect(keys(await adapter.range(['k', 'a']))).toEqual([['k', 'a', 'b']])
    })

    withStore('delPrefix removes the extensions only', async ({ adapter }) => {
      await adapter.write([['p'], ['p', '1'], ['p', '1', 'x'], ['p', '2'], ['pq', '1'], ['q', '1']].map(key => ({ type: 'put' as const, key, value: bytes(1) })))
      await adapter.write([{ type: 'delPrefix', prefix: ['p'] }])
      expect(await adapter.get(['p'])).toEqual(bytes(1))
      expect(await adapter.range(['p'])).toEqual([])
      expect(await adapter.get(['pq', '1'])).toEqual(bytes(1))
      expect(await adapter.get(['q', '1'])).toEqual(bytes(1))
    })

    withStore('a failed expect writes nothing; a met one writes all', async ({ adapter }) => {
      await adapter.write([{ type: 'put', key: ['c'], value: bytes(1) }])
      const name = await errorName(adapter.write([
        { type: 'put', key: ['d'], value: bytes(2) },
        { type: 'expect', key: ['c'], value: bytes(9) },
        { type: 'del', key: ['c'] }
      ]))
      expect(name).toBe('WriteConflictError')
      expect(await adapter.get(['d'])).toBeUndefined()
      expect(await adapter.get(['c'])).toEqual(bytes(1))
      expect(await errorName(adapter.write([{ type: 'expect', key: ['c'], value: undefined }]))).toBe('WriteConflictError')
      await adapter.write([{ type: 'expect', key: ['c'], value: bytes(1) }, { type: 'expect', key: ['none'], value: undefined }, { type: 'put', key: ['d'], value: bytes(3) }])
      expect(await adapter.get(['d'])).toEqual(bytes(3))
    })

    withStore('close twice is safe', async ({ adapter }) => {
      await adapter.close()
      await adapter.close()
    })

    withStore('what was written survives a reopen', async (s) => {
      if (s.reopen === undefined) return
      await s.adapter.write([{ type: 'put', key: ['keep', 'me'], value: bytes(4, 2) }])
      const again = await s.reopen()
      expect(await again.get(['keep', 'me'])).toEqual(bytes(4, 2))
    })

    withStore('out of space: a typed StorageFullError, earlier data intact, works again once space returns', async (s) => {
      if (s.setCap === undefined) return
      const store = await open(s.adapter)
      const alice = signer(1)
      const me = authorIdFromKey(alice.publicKey)
      await store.createIdentity('default', bytes(1, 2, 3), me)
      const first = await message(alice, 'q', 1)
      await store.appendOwn(first)
      await s.setCap(64 * 1024)
      let seq = 2
      let failure = 'no error'
      for (; seq < 2000; seq++) {
        failure = await errorName(store.appendOwn(await message(alice, 'q', seq, 'x'.repeat(4000))))
        if (failure !== 'no error') break
      }
      expect(failure).toBe('StorageFullError')
      const held = (await store.held('q')).get(me)!
      expect(held).toBe(seq - 1) // the counter did not move
      const { messages, corrupt } = await store.read('q', me, 1, held)
      expect(messages.map(m => m.seq)).toEqual(Array.from({ length: held }, (_, i) => i + 1))
      expect(corrupt).toEqual([])
      expect(toHex(messages[0]!.bytes)).toBe(toHex(first.bytes))
      await s.setCap(Infinity)
      await store.appendOwn(await message(alice, 'q', seq, 'x'.repeat(4000)))
      expect((await store.held('q')).get(me)).toBe(seq)
    }, 60_000)

    describe('WeftStore over it', () => {
      withStore('creates its meta once; a reopen keeps the epoch id', async (s) => {
        const store = await open(s.adapter)
        expect(store.created).toBe(true)
        expect(store.meta.schema).toBe(1)
        const again = await open(s.reopen === undefined ? s.adapter : await s.reopen())
        expect(again.created).toBe(false)
        expect(again.meta.storeId).toBe(store.meta.storeId)
      })

      withStore('two opens racing on an empty store agree on one meta', async ({ adapter }) => {
        const [a, b] = await Promise.all([open(adapter), open(adapter)])
        expect([a.created, b.created].filter(Boolean)).toHaveLength(1)
        expect(a.meta.storeId).toBe(b.meta.storeId)
      })

      withStore('appendOwn: message + seq counter + outbox together; no seq reused', async ({ adapter }) => {
        const store = await open(adapter)
        const alice = signer(2)
        const me = authorIdFromKey(alice.publicKey)
        expect(await errorName(store.appendOwn(await message(alice, 't', 1)))).toBe('AuthorNotEstablishedError')
        await store.createIdentity('default', bytes(7, 7), me)
        expect(await store.identity()).toEqual(bytes(7, 7))
        expect(await errorName(store.createIdentity('default', bytes(8), me))).toBe('WriteConflictError')
        const m1 = await message(alice, 't', 1)
        const outbox = { id: m1.id, seq: 1, state: 'queued' as const, attempts: 0, createdAt: 1, nextAttemptAt: 1, expiresAt: 99, ackedBy: [] }
        const stored = await store.appendOwn(m1, outbox)
        expect(stored).toMatchObject({ author: me, seq: 1, order: 1 })
        expect((await store.held('t')).get(me)).toBe(1)
        expect(await store.outbox('t', me)).toEqual([outbox])
        expect(await errorName(store.appendOwn(await message(alice, 't', 1, 'again')))).toBe('WriteConflictError')
        expect(await errorName(store.appendOwn(await message(alice, 't', 3)))).toBe('WriteConflictError')
        // two writers racing for seq 2: exactly one wins
        const [a, b] = await Promise.allSettled([store.appendOwn(await message(alice, 't', 2, 'x')), store.appendOwn(await message(alice, 't', 2, 'y'))])
        expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected'])
        expect((await store.read('t', me, 1, 10)).messages.map(m => m.seq)).toEqual([1, 2])
        await store.updateOutbox('t', me, [{ ...outbox, state: 'sent', attempts: 1 }])
        expect((await store.outbox('t', me))[0]).toMatchObject({ state: 'sent', attempts: 1 })
        await store.updateOutbox('t', me, [], [1])
        expect(await store.outbox('t', me)).toEqual([])
      })

      withStore('an author learned from peers continues above its frontier', async ({ adapter }) => {
        const store = await open(adapter)
        const bob = signer(3)
        const id = authorIdFromKey(bob.publicKey)
        await store.establishAuthor(id, { t: 41 })
        expect(await store.authorOrigin(id)).toEqual({ kind: 'learned', frontier: { t: 41 } })
        expect(await errorName(store.appendOwn(await message(bob, 't', 1)))).toBe('WriteConflictError')
        await store.appendOwn(await message(bob, 't', 42))
        expect((await store.held('t')).get(id)).toBe(42)
        expect((await store.oldest('t')).get(id)).toBe(42)
      })

      withStore('appendReceived: group commit, duplicates and gaps skipped, held contiguous, causal order kept', async ({ adapter }) => {
        const store = await open(adapter)
        const [a, b] = [signer(4), signer(5)]
        const [ia, ib] = [authorIdFromKey(a.publicKey), authorIdFromKey(b.publicKey)]
        const batch = [await message(a, 'r', 1), await message(b, 'r', 1), await message(a, 'r', 2), await message(a, 'r', 2), await message(b, 'r', 3)]
        const r = await store.appendReceived('r', batch)
        expect(r.stored.map(m => [m.author, m.seq, m.order])).toEqual([[ia, 1, 1], [ib, 1, 2], [ia, 2, 3]])
        expect(r).toMatchObject({ duplicates: 1, gaps: 1 })
        expect(Object.fromEntries(await store.held('r'))).toEqual({ [ia]: 2, [ib]: 1 })
        const read = await store.read('r', ia, 1, 2)
        expect(read.messages.map(m => toHex(m.bytes))).toEqual([toHex(batch[0]!.bytes), toHex(batch[2]!.bytes)])
        expect(read.messages[0]!.receivedAt).toBe(5000)
        expect((await store.read('r', ia, 2, 100, 1)).messages.map(m => m.seq)).toEqual([2])
        expect(await store.stats('r')).toEqual({ nextOrder: 4, count: 3, bytes: batch[0]!.bytes.length + batch[1]!.bytes.length + batch[2]!.bytes.length })
        expect(await store.topics()).toEqual(['r'])
      })

      withStore('delivered frontier per consumer, never moving back', async ({ adapter }) => {
        const store = await open(adapter)
        await store.markDelivered('d', [{ author: 'A', seq: 3 }, { author: 'B', seq: 1 }, { author: 'A', seq: 2 }])
        await store.markDelivered('d', [{ author: 'A', seq: 4 }], 'audit')
        expect(Object.fromEntries(await store.delivered('d'))).toEqual({ A: 3, B: 1 })
        expect(Object.fromEntries(await store.delivered('d', 'audit'))).toEqual({ A: 4 })
      })

      withStore('equivocation proofs round-trip', async ({ adapter }) => {
        const store = await open(adapter)
        const proof = { author: 'X', topic: 'e', seq: 3, first: bytes(1, 0, 2), second: bytes(0, 3, 4, 0) }
        await store.addProof(proof)
        expect(await store.proofs('e')).toEqual([proof])
      })

      withStore('retention by count, bytes and age; oldest moves, unacked own messages stay', async ({ adapter }) => {
        let now = 0
        const store = await WeftStore.open(adapter, { now: () => now, randomId: ids() })
        const [a, b] = [signer(6), signer(7)]
        const [ia, ib] = [authorIdFromKey(a.publicKey), authorIdFromKey(b.publicKey)]
        await store.createIdentity('default', bytes(1), ia)
        const own1 = await message(a, 'k', 1)
        await store.appendOwn(own1, { id: own1.id, seq: 1, state: 'sent', attempts: 1, createdAt: 0, nextAttemptAt: 0, expiresAt: 1e9, ackedBy: [] })
        for (let s = 1; s <= 10; s++) {
          now = s * 100
          await store.appendReceived('k', [await message(b, 'k', s)])
        }
        await store.setRetention('k', { maxCount: 6 })
        expect(await store.retention('k')).toEqual({ maxCount: 6 })
        const pruned = await store.prune('k')
        expect(pruned).toMatchObject({ removed: 5 })
        expect(pruned.oldest).toEqual(new Map([[ib, 6]])) // the authors it moved, where they start now
        expect((await store.oldest('k')).get(ib)).toBe(6)
        expect((await store.oldest('k')).get(ia)).toBeUndefined() // own, unacked: kept
        expect((await store.held('k')).get(ib)).toBe(10)
        expect((await store.read('k', ib, 1, 10)).messages.map(m => m.seq)).toEqual([6, 7, 8, 9, 10])
        await store.setRetention('k', { maxAgeMs: 250 })
        expect(await store.prune('k', { now: 1000 })).toMatchObject({ removed: 2 }) // received at 600, 700
        await store.setRetention('k', { maxBytes: own1.bytes.length + 1 })
        await store.prune('k', { now: 1000 })
        expect((await store.read('k', ib, 1, 10)).messages).toEqual([])
        expect((await store.read('k', ia, 1, 10)).messages.map(m => m.seq)).toEqual([1])
        expect((await store.stats('k')).count).toBe(1)
      })

      withStore('prune stops at what a subscriber has not finished, and at its per-call maximum', async ({ adapter }) => {
        const store = await WeftStore.open(adapter, { now: () => 0, randomId: ids() })
        const [b, c] = [signer(9), signer(10)]
        const [ib, ic] = [authorIdFromKey(b.publicKey), authorIdFromKey(c.publicKey)]
        for (let s = 1; s <= 10; s++) await store.appendReceived('u', [await message(b, 'u', s), await message(c, 'u', s)])
        await store.setRetention('u', { maxCount: 0 })
        // b finished up to 4, c up to 7: at most 5 per call
        const upTo = new Map([[ib, 4], [ic, 7]])
        expect(await store.prune('u', { upTo, max: 5 })).toMatchObject({ removed: 5, more: true })
        expect(await store.prune('u', { upTo, max: 5 })).toMatchObject({ removed: 5, more: true })
        expect(await store.prune('u', { upTo, max: 5 })).toMatchObject({ removed: 1, more: false })
        // no further: everything left is above upTo
        expect(await store.prune('u', { upTo, max: 5 })).toMatchObject({ removed: 0, more: false })
        expect(await store.oldest('u')).toEqual(new Map([[ib, 5], [ic, 8]]))
        expect((await store.read('u', ib, 1, 10)).messages.map(m => m.seq)).toEqual([5, 6, 7, 8, 9, 10])
        expect((await store.stats('u')).count).toBe(9)
        // an author absent from upTo keeps everything
        expect(await store.prune('u', { upTo: new Map([[ib, 10]]) })).toMatchObject({ removed: 6 })
        expect((await store.read('u', ic, 1, 10)).messages.map(m => m.seq)).toEqual([8, 9, 10])
      })

      withStore('prune steps over a corrupt record at the head of an author\'s log, removing it with the next message; a corrupt last record stays', async ({ adapter }) => {
        const store = await WeftStore.open(adapter, { now: () => 0, randomId: ids() })
        const c = signer(11)
        const id = authorIdFromKey(c.publicKey)
        for (let s = 1; s <= 6; s++) await store.appendReceived('p', [await message(c, 'p', s)])
        const flip = async (seq: number): Promise<void> => {
          const e = (await adapter.range(['msg', 'p', id]))[seq - 1]!
          const v = Uint8Array.from(e.value)
          v[v.length - 3]! ^= 0x01
          await adapter.write([{ type: 'put', key: e.key, value: v }])
        }
        await flip(1)
        await flip(2)
        await flip(6)
        await store.setRetention('p', { maxCount: 3 })
        expect(await store.prune('p')).toMatchObject({ removed: 3, more: false }) // 1 and 2 (corrupt) with 3
        expect((await store.oldest('p')).get(id)).toBe(4)
        expect((await adapter.range(['msg', 'p', id])).map(e => Number(e.key[3]))).toEqual([4, 5, 6])
        await store.setRetention('p', { maxCount: 0 })
        expect(await store.prune('p')).toMatchObject({ removed: 2 }) // 6, corrupt, has no sound message after it
        expect((await adapter.range(['msg', 'p', id])).map(e => Number(e.key[3]))).toEqual([6])
        expect((await store.stats('p')).count).toBe(1)
      })

      withStore('a corrupt record is skipped and reported, never returned', async ({ adapter }) => {
        const corrupt: CorruptRecord[] = []
        const store = await open(adapter, corrupt)
        const c = signer(8)
        const id = authorIdFromKey(c.publicKey)
        await store.appendReceived('z', [await message(c, 'z', 1), await message(c, 'z', 2), await message(c, 'z', 3)])
        const [, second] = await adapter.range(['msg', 'z', id])
        const flipped = Uint8Array.from(second!.value)
        flipped[flipped.length - 5]! ^= 0x10
        await adapter.write([{ type: 'put', key: second!.key, value: flipped }])
        const [, , third] = await adapter.range(['msg', 'z', id])
        await adapter.write([{ type: 'put', key: third!.key, value: third!.value.subarray(0, 10) }]) // truncated
        const read = await store.read('z', id, 1, 3)
        expect(read.messages.map(m => m.seq)).toEqual([1])
        expect(read.corrupt.map(r => r.key[3])).toEqual(['0000000000000002', '0000000000000003'])
        expect(corrupt).toHaveLength(2)
        await adapter.write([{ type: 'put', key: ['held', 'z', id], value: bytes(0, 0, 0, 0, 5) }])
        expect((await store.held('z')).get(id)).toBeUndefined()
        expect(corrupt).toHaveLength(3)
      })

      withStore('a corrupt message record is written back from a sound copy, in its place in the log; a sound or unheld one is left alone', async ({ adapter }) => {
        const corrupt: CorruptRecord[] = []
        const store = await open(adapter, corrupt)
        const seen: CorruptRecord[] = []
        const stopWatching = store.watchCorrupt(c => seen.push(c))
        const c = signer(9)
        const id = authorIdFromKey(c.publicKey)
        const envs = [await message(c, 'r', 1), await message(c, 'r', 2), await message(c, 'r', 3)]
        await store.appendReceived('r', envs)
        const before = await store.read('r', id, 1, 3)
        const [, second] = await adapter.range(['msg', 'r', id])
        const flipped = Uint8Array.from(second!.value)
        flipped[flipped.length - 7]! ^= 0x01
        await adapter.write([{ type: 'put', key: second!.key, value: flipped }])
        expect((await store.read('r', id, 1, 3)).messages.map(m => m.seq)).toEqual([1, 3])
        expect(seen.map(r => r.key[3])).toEqual(['0000000000000002'])
        expect(await store.repairMessage(envs[0]!)).toBe(false) // sound: left alone
        expect(await store.repairMessage(await message(c, 'r', 4))).toBe(false) // not held here
        expect(await store.repairMessage(envs[1]!)).toBe(true)
        const after = await store.read('r', id, 1, 3)
        expect(after.corrupt).toEqual([])
        expect(after.messages.map(m => [m.seq, [...m.bytes].join()])).toEqual(envs.map(e => [e.seq, [...e.bytes].join()]))
        // it sits between its neighbours in log order
        expect(after.messages[1]!.order).toBeGreaterThan(before.messages[0]!.order)
        expect(after.messages[1]!.order).toBeLessThanOrEqual(after.messages[2]!.order)
        expect(await store.repairMessage(envs[1]!)).toBe(false)
        expect((await store.stats('r')).count).toBe(3)
        stopWatching()
        expect(corrupt).toHaveLength(1)
      })
    })
  })
}
