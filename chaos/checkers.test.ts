// Each checker must be able to fail: small hand-made histories, one violation each, and a clean one.
import { describe, expect, it } from 'vitest'
import { check } from './checkers.ts'
import type { HistoryEvent } from './history.ts'

/** A tiny history builder: nodes a, b (senders A, B). */
function history (): { h: HistoryEvent[], t: () => number, pub: (node: string, sender: string, seq: number, key?: string) => string, del: (node: string, sender: string, seq: number, redelivered?: boolean) => void } {
  const h: HistoryEvent[] = []
  let clock = 1_000
  const t = (): number => (clock += 10)
  h.push({ t: t(), node: 'a', type: 'start', sender: 'A' }, { t: t(), node: 'b', type: 'start', sender: 'B' })
  return {
    h,
    t,
    pub: (node, sender, seq, key = `${node}:${seq}`) => {
      h.push({ t: t(), node, type: 'publish-invoke', key, topic: 'x' })
      h.push({ t: t(), node, type: 'publish-ok', key, id: `${sender}${seq}`, sender, seq, topic: 'x', level: 'L1' })
      return `${sender}${seq}`
    },
    del: (node, sender, seq, redelivered = false) => { h.push({ t: t(), node, type: 'deliver', id: `${sender}${seq}`, sender, seq, topic: 'x', redelivered }) }
  }
}

const eligible = { eligible: ['a', 'b'] }

describe('chaos checkers', () => {
  it('a clean history passes', () => {
    const { h, pub, del } = history()
    pub('a', 'A', 1); del('a', 'A', 1); del('b', 'A', 1)
    pub('b', 'B', 1); del('b', 'B', 1); del('a', 'B', 1)
    const r = check(h, eligible)
    expect(r.ok).toBe(true)
    expect(r.l1).toBe(2)
    expect(r.latency.count).toBe(2)
  })

  it('lost: split into prefix, middle and postfix around what the node delivered', () => {
    const { h, pub, del } = history()
    for (let i = 1; i <= 5; i++) { pub('a', 'A', i); del('a', 'A', i) }
    del('b', 'A', 2); del('b', 'A', 4) // b misses 1 (prefix), 3 (middle), 5 (postfix)
    const r = check(h, eligible)
    expect(r.lost).toMatchObject({ total: 3, prefix: 1, middle: 1, postfix: 1 })
    expect(r.ok).toBe(false)
  })

  it('unexpected: a delivery nobody attempted; recovered: one from a publisher that died before its outcome', () => {
    const { h, pub, del, t } = history()
    pub('a', 'A', 1); del('a', 'A', 1); del('b', 'A', 1)
    del('b', 'Z', 1) // forged
    expect(check(h, eligible).unexpected.total).toBe(1)
    const c = history()
    c.pub('a', 'A', 1); c.del('a', 'A', 1); c.del('b', 'A', 1)
    c.h.push({ t: t(), node: 'a', type: 'publish-invoke', key: 'a:2', topic: 'x' }) // killed before its L1 line
    c.del('b', 'A', 2)
    const r = check(c.h, eligible)
    expect(r.unexpected.total).toBe(0)
    expect(r.recovered).toBe(1)
  })

  it('duplicated: allowed only flagged, after a crash, and not app-acked before it', () => {
    const base = (): ReturnType<typeof history> => {
      const x = history()
      x.pub('a', 'A', 1); x.del('a', 'A', 1); x.del('b', 'A', 1)
      return x
    }
    const flaggedAfterCrash = base()
    flaggedAfterCrash.h.push({ t: flaggedAfterCrash.t(), node: 'b', type: 'crash' })
    flaggedAfterCrash.del('b', 'A', 1, true)
    expect(check(flaggedAfterCrash.h, eligible).duplicated).toMatchObject({ allowed: 1, violations: 0 })
    const unflagged = base()
    unflagged.h.push({ t: unflagged.t(), node: 'b', type: 'crash' })
    unflagged.del('b', 'A', 1, false)
    expect(check(unflagged.h, eligible).duplicated.violations).toBe(1)
    const noCrash = base()
    noCrash.del('b', 'A', 1, true)
    expect(check(noCrash.h, eligible).duplicated.violations).toBe(1)
    const acked = base()
    acked.h.push({ t: acked.t(), node: 'b', type: 'app-ack', id: 'A1' }, { t: acked.t(), node: 'b', type: 'crash' })
    acked.del('b', 'A', 1, true)
    expect(check(acked.h, eligible).duplicated.violations).toBe(1)
  })

  it('FIFO: a regress and a skip', () => {
    const { h, pub, del } = history()
    for (let i = 1; i <= 3; i++) { pub('a', 'A', i); del('a', 'A', i) }
    del('b', 'A', 2); del('b', 'A', 1); del('b', 'A', 3) // skip (2 first), then regress (1)
    const r = check(h, eligible)
    expect(r.fifo.skip).toBe(1)
    expect(r.fifo.regress).toBe(1)
  })

  it('causal: b delivers B1 (published after B saw A1) before A1, from the checker\'s own record', () => {
    const { h, pub, del } = history()
    pub('a', 'A', 1); del('a', 'A', 1)
    del('b', 'A', 1) // b saw A1 ...
    pub('b', 'B', 1) // ... before publishing B1
    del('b', 'B', 1)
    const bad = history()
    bad.pub('a', 'A', 1); bad.del('a', 'A', 1); bad.del('b', 'A', 1)
    bad.pub('b', 'B', 1); bad.del('b', 'B', 1)
    expect(check(h.concat([{ t: 99_999, node: 'a', type: 'deliver', id: 'B1', sender: 'B', seq: 1, topic: 'x', redelivered: false }]), eligible).causal.violations).toBe(0)
    // a node c that gets B1 before A1
    const c = bad.h.concat([
      { t: 99_998, node: 'c', type: 'deliver', id: 'B1', sender: 'B', seq: 1, topic: 'x', redelivered: false },
      { t: 99_999, node: 'c', type: 'deliver', id: 'A1', sender: 'A', seq: 1, topic: 'x', redelivered: false }
    ])
    expect(check(c, eligible).causal.violations).toBe(1)
  })

  it('equivocation: two ids for one (sender, seq), split when nodes keep different ones', () => {
    const { h, pub, del } = history()
    pub('a', 'A', 1, 'k1')
    h.push({ t: 5_000, node: 'a', type: 'publish-ok', key: 'k2', id: 'A1-other', sender: 'A', seq: 1, topic: 'x', level: 'L1' })
    del('a', 'A', 1)
    h.push({ t: 5_001, node: 'b', type: 'deliver', id: 'A1-other', sender: 'A', seq: 1, topic: 'x', redelivered: false })
    const r = check(h, eligible)
    expect(r.equivocation).toEqual({ pairs: 1, split: 1 })
  })

  it('convergence counts from the later of the ack and the last heal touching either node', () => {
    const { h, pub, del } = history()
    pub('a', 'A', 1)
    h.push({ t: 2_000, type: 'nemesis', fault: 'partition', targets: ['b'], phase: 'stop' })
    h.push({ t: 2_500, node: 'b', type: 'deliver', id: 'A1', sender: 'A', seq: 1, topic: 'x', redelivered: false })
    del('a', 'A', 1)
    expect(check(h, eligible).convergence.max).toBe(500)
  })

  it('latency and convergence of messages published in the warm-up are reported apart; the rest are measured', () => {
    const { h, t, pub, del } = history()
    pub('a', 'A', 1) // in the warm-up: delivered 3 s later
    h.push({ t: t(), type: 'phase', phase: 'faults' })
    h.push({ t: t() + 3_000, node: 'b', type: 'deliver', id: 'A1', sender: 'A', seq: 1, topic: 'x', redelivered: false })
    pub('a', 'A', 2); del('b', 'A', 2)
    const r = check(h, eligible)
    expect(r.warmup.latency).toMatchObject({ count: 1 })
    expect(r.warmup.latency.max).toBeGreaterThanOrEqual(3_000)
    expect(r.latency.count).toBe(1)
    expect(r.latency.max).toBeLessThan(100)
    expect(r.convergence.max).toBeLessThan(100)
    // without phases (the simulations) everything is measured
    expect(check(h.filter(e => e.type !== 'phase'), eligible).latency.count).toBe(2)
  })
})
