import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EMPTY_CLOCK, clockFrom, clockFromObject, clockGet, clockToObject, clockWith, compareClocks, dominates, mergeClocks } from './vector-clock.ts'
import type { VectorClock } from './vector-clock.ts'

const author = fc.constantFrom('a', 'b', 'c', 'd', 'e')
const clock = fc.array(fc.tuple(author, fc.nat(20))).map(entries => clockFrom(entries))
const same = (x: VectorClock, y: VectorClock): void => expect(clockToObject(x)).toEqual(clockToObject(y))

describe('vector clocks (laws)', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(fc.property(clock, clock, clock, (a, b, c) => {
      same(mergeClocks(a, b), mergeClocks(b, a))
      same(mergeClocks(mergeClocks(a, b), c), mergeClocks(a, mergeClocks(b, c)))
      same(mergeClocks(a, a), a)
    }))
  })

  it('merge is the least upper bound', () => {
    fc.assert(fc.property(clock, clock, (a, b) => {
      const m = mergeClocks(a, b)
      expect(dominates(m, a) && dominates(m, b)).toBe(true)
      for (const [k, v] of m) expect(v).toBe(Math.max(clockGet(a, k), clockGet(b, k)))
    }))
  })

  it('compare agrees with merge and dominates', () => {
    fc.assert(fc.property(clock, clock, (a, b) => {
      const order = compareClocks(a, b)
      const m = mergeClocks(a, b)
      const eq = (x: VectorClock, y: VectorClock): boolean => dominates(x, y) && dominates(y, x)
      expect(order === 'equal').toBe(eq(a, b))
      expect(order === 'after' || order === 'equal').toBe(eq(m, a))
      expect(order === 'before' || order === 'equal').toBe(eq(m, b))
      expect(compareClocks(b, a)).toBe({ before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' }[order])
    }))
  })

  it('never mutates its inputs', () => {
    fc.assert(fc.property(clock, clock, author, fc.nat(30), (a, b, k, v) => {
      const before = clockToObject(a)
      mergeClocks(a, b)
      clockWith(a, k, v)
      expect(clockToObject(a)).toEqual(before)
    }))
  })

  it('drops zero entries and round-trips through objects', () => {
    expect(clockFrom([['a', 0], ['b', 2]]).has('a')).toBe(false)
    same(clockFromObject(clockToObject(clockFrom([['x', 3], ['y', 1]]))), clockFrom([['y', 1], ['x', 3]]))
    expect(compareClocks(EMPTY_CLOCK, clockFrom([['a', 0]]))).toBe('equal')
    expect(compareClocks(clockFrom([['a', 1]]), clockFrom([['b', 1]]))).toBe('concurrent')
  })
})
