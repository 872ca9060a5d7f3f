// chaos/growth.ts on hand-written samples: C10's fleet peaks, first tenth against last tenth.
import { describe, expect, it } from 'vitest'
import type { HistoryEvent } from './history.ts'
import { growth, growthFailures } from './growth.ts'

function history (lastRss: number): HistoryEvent[] {
  return [
    { t: 0, type: 'phase', phase: 'faults' },
    { t: 50, node: 'n1', type: 'sample', rssMb: 50, fds: 10 }, // the ramp-up does not count
    { t: 150, node: 'n1', type: 'sample', rssMb: 100, fds: 30 },
    { t: 160, node: 'b1', type: 'sample', heapMb: 20 },
    { t: 500, node: 'n1', type: 'sample', rssMb: 900, fds: 300 }, // the middle does not count
    { t: 950, node: 'n1', type: 'sample', rssMb: lastRss, fds: 33 },
    { t: 960, node: 'b1', type: 'sample', heapMb: 21 },
    { t: 1_000, type: 'phase', phase: 'heal' }
  ]
}

describe('growth (C10)', () => {
  it('compares the peaks of the second and the last tenth of the fault phase', () => {
    expect(growth(history(110))).toEqual({ phaseMs: 1_000, first: { rssMb: 100, fds: 30, tabHeapMb: 20 }, last: { rssMb: 110, fds: 33, tabHeapMb: 21 } })
    expect(growthFailures(growth(history(110)), 0.2, 1_000)).toEqual([])
  })

  it('fails past the limit, and without samples to compare; judges no phase shorter than asked', () => {
    expect(growthFailures(growth(history(130)), 0.2, 1_000)).toEqual(['rssMb peak grew 30% (100 → 130; limit 20%)'])
    expect(growthFailures(growth(history(130)), 0.2, 1_001)).toEqual([])
    expect(growthFailures(growth([]), 0.2, 1_000)).toEqual(['no fault phase in the history: growth not measured'])
  })
})
