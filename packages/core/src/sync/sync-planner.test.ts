import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { batchRanges, inRanges, planSync, rangeSize } from './sync-planner.ts'
import { clockFrom } from '../clock/vector-clock.ts'

const vv = (o: Record<string, number>): ReturnType<typeof clockFrom> => clockFrom(Object.entries(o))

describe('planSync', () => {
  it('sends what the other lacks, both ways', () => {
    const plan = planSync({ held: vv({ a: 5, b: 2 }) }, { held: vv({ a: 3, c: 4 }) })
    expect(plan.send).toEqual([{ author: 'a', from: 4, to: 5 }, { author: 'b', from: 1, to: 2 }])
    expect(plan.request).toEqual([{ author: 'c', from: 1, to: 4 }])
    expect(plan.unavailable).toEqual([])
  })

  it('knows what the other pruned', () => {
    const plan = planSync({ held: vv({ a: 2 }) }, { held: vv({ a: 100 }), oldest: vv({ a: 50 }) })
    expect(plan.request).toEqual([{ author: 'a', from: 50, to: 100 }])
    expect(plan.unavailable).toEqual([{ author: 'a', from: 3, to: 49 }])
  })

  it('after applying both plans the two sides hold the same (property)', () => {
    const side = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(50))
    fc.assert(fc.property(side, side, (x, y) => {
      const plan = planSync({ held: vv(x) }, { held: vv(y) })
      const apply = (held: Record<string, number>, got: typeof plan.send): Record<string, number> => {
        const out = { ...held }
        for (const r of got) {
          expect(r.from).toBe((out[r.author] ?? 0) + 1)
          out[r.author] = r.to
        }
        return out
      }
      const nx = apply(x, plan.request)
      const ny = apply(y, plan.send)
      expect(vv(nx)).toEqual(vv(ny))
    }))
  })
})

describe('batchRanges', () => {
  it('splits into bounded batches keeping order and coverage (property)', () => {
    const range = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 100 }), fc.nat(300))
      .map(([author, from, len]) => ({ author, from, to: from + len }))
    fc.assert(fc.property(fc.array(range, { maxLength: 6 }), fc.integer({ min: 1, max: 64 }), (ranges, max) => {
      const batches = batchRanges(ranges, max)
      for (const b of batches) expect(rangeSize(b)).toBeLessThanOrEqual(max)
      for (const b of batches.slice(0, -1)) expect(rangeSize(b)).toBe(max)
      expect(batches.reduce((n, b) => n + rangeSize(b), 0)).toBe(rangeSize(ranges))
      const flat = batches.flat()
      for (const r of ranges) for (let s = r.from; s <= r.to; s += 17) expect(inRanges(flat, r.author, s)).toBe(true)
    }))
    expect(() => batchRanges([], 0)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})
