import { describe, expect, it } from 'vitest'
import { CEILING_MS, WantCaps } from '../src/sync/want-cap.ts'

describe('want caps (row 35)', () => {
  it('halves a peer\'s cap on each cut down to 1, holds below the cap that failed, and grows back past it once the ceiling lapses', () => {
    const caps = new WantCaps(2048, 10)
    expect(caps.of('a')).toBe(2048)
    let now = 0
    for (const want of [1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1, 1]) {
      caps.cut('a', now)
      expect(caps.of('a')).toBe(want)
    }
    expect(caps.of('b')).toBe(2048) // per peer
    // the cap that failed last was 1 (a cut at 1 stays 1): answered wants may not reach it again while the ceiling lasts
    caps.answered('a', ++now)
    expect(caps.of('a')).toBe(1)
    // at 2 it failed before: from 1 it stays below 2
    caps.cut('a', now) // ceiling 1, cap 1
    caps.answered('a', now)
    expect(caps.of('a')).toBe(1)
    now += CEILING_MS
    const grown: number[] = []
    for (let i = 0; i < 12; i++) {
      caps.answered('a', now)
      grown.push(caps.of('a'))
    }
    expect(grown).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 2048])
  })

  it('converges below a failing size instead of swinging across it', () => {
    const caps = new WantCaps(2048, 10)
    const fits = 5 // a frame of more than 5 messages cannot cross
    const asked: number[] = []
    for (let i = 0; i < 20; i++) {
      const cap = caps.of('a')
      asked.push(cap)
      if (cap > fits) caps.cut('a', i)
      else caps.answered('a', i)
    }
    // halving to 4, then feeling upwards below each size that failed: 7 and 6 fail once each, then 5 holds
    expect(asked).toEqual([2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4, 7, 3, 6, 3, 5, 5, 5, 5, 5, 5])
  })

  it('keeps at most maxPeers caps, forgetting the oldest (which starts again at the maximum)', () => {
    const caps = new WantCaps(64, 2)
    caps.cut('a', 0)
    caps.cut('b', 0)
    caps.cut('c', 0)
    expect([caps.of('a'), caps.of('b'), caps.of('c')]).toEqual([64, 32, 32])
  })
})
