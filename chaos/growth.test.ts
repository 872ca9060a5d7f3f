// chaos/growth.ts on hand-written samples: C10's fleet peaks, first tenth against last tenth.
import { describe, expect, it } from 'vitest'
import type { HistoryEvent } from './history.ts'
import { growth, growthFailures } from './growth.ts'

function history (lastRss: number): HistoryEvent[] {
  return [
    { t: 0, type: 'phase', phase: 'faults' },
    { t: 50, node: 'n1', type: 'sample', rssMb: 50, fds: 10 }, // the ramp-up does not count
    { t: 150, node: 'n1', type: 'sample', rssMb: 100, fds: 30, storeMb: 10 },
    { t: 160, node: 'b1', type: 'sample', heapMb: 20, tabStoreMb: 3 },
    { t: 500, node: 'n1', type: 'sample', rssMb: 900, fds: 300 }, // the middle does not count
    { t: 950, node: 'n1', type: 'sample', rssMb: lastRss, fds: 33, storeMb: 10.8 },
    { t: 960, node: 'b1', type: 'sample', heapMb: 21, tabStoreMb: 3.1 },
    { t: 1_000, type: 'phase', phase: 'heal' }
  ]
}

describe('growth (C10)', () => {
  it('compares the peaks of the second and the last tenth of the fault phase', () => {
    expect(growth(history(110))).toEqual({ phaseMs: 1_000, first: { rssMb: 100, fds: 30, tabHeapMb: 20, storeMb: 10, tabStoreMb: 3 }, last: { rssMb: 110, fds: 33, tabHeapMb: 21, storeMb: 10.8, tabStoreMb: 3.1 } })
    expect(growthFailures(growth(history(110)), { rssMb: 0.2, fds: 0.2, tabHeapMb: 0.2 }, 1_000)).toEqual([])
  })

  it('fails past the limit, and without samples to compare; judges no phase shorter than asked', () => {
    const limits = { rssMb: 0.2, fds: 0.2, tabHeapMb: 0.2, storeMb: 0.05 }
    expect(growthFailures(growth(history(130)), limits, 1_000)).toEqual(['rssMb peak grew 30% (100 → 130; limit 20%)', 'storeMb peak grew 8% (10 → 10.8; limit 5%)'])
    expect(growthFailures(growth(history(130)), limits, 1_001)).toEqual([])
    expect(growthFailures(growth([]), limits, 1_000)).toEqual(['no fault phase in the history: growth not measured'])
    const noStore = growth(history(110).filter(e => e.type !== 'sample' || e.storeMb === undefined || e.t > 900))
    expect(growthFailures(noStore, { storeMb: 0.1 }, 1_000)).toEqual(['no storeMb samples in the second tenth of the fault phase'])
  })
})
