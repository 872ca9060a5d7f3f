// C10's resource checks (RELIABILITY.md 10.3: RSS growth ≤ 20%, fd count stable; and, with a
// retention, the stores' size on disk, Node's and the tabs'), read from the
// history's samples alone. Nodes restart often in a soak, so no process lives through it: the
// check is on the fleet, comparing the peaks of the second tenth of the fault phase (the first is
// the ramp-up: heaps and caches fill) with those of the last tenth.
import type { HistoryEvent } from './history.ts'

export interface Peaks { rssMb: number, fds: number, tabHeapMb: number, storeMb: number, tabStoreMb: number }
export interface Growth { phaseMs: number, first: Peaks, last: Peaks }

export function growth (history: readonly HistoryEvent[]): Growth | undefined {
  let from: number | undefined
  let to: number | undefined
  for (const e of history) {
    if (e.type === 'phase' && e.phase === 'faults') from = e.t
    if (e.type === 'phase' && e.phase === 'heal' && from !== undefined && to === undefined) to = e.t
  }
  if (from === undefined || to === undefined || to <= from) return undefined
  const tenth = (to - from) / 10
  const peaks = (lo: number, hi: number): Peaks => {
    const p = { rssMb: 0, fds: 0, tabHeapMb: 0, storeMb: 0, tabStoreMb: 0 }
    for (const e of history) {
      if (e.type !== 'sample' || e.t < lo || e.t >= hi) continue
      p.rssMb = Math.max(p.rssMb, e.rssMb ?? 0)
      p.fds = Math.max(p.fds, e.fds ?? 0)
      p.tabHeapMb = Math.max(p.tabHeapMb, e.heapMb ?? 0)
      p.storeMb = Math.max(p.storeMb, e.storeMb ?? 0)
      p.tabStoreMb = Math.max(p.tabStoreMb, e.tabStoreMb ?? 0)
    }
    return p
  }
  return { phaseMs: to - from, first: peaks(from + tenth, from + 2 * tenth), last: peaks(to - tenth, to) }
}

/**
 * The growth from the second tenth to the last of each peak in `limits`, in words where it passes
 * its limit (0.2: 20%). Judged only on a phase of `minPhaseMs` or more: a short run is still
 * ramping up.
 */
export function growthFailures (g: Growth | undefined, limits: Partial<Record<keyof Peaks, number>>, minPhaseMs: number): string[] {
  if (g === undefined) return ['no fault phase in the history: growth not measured']
  if (g.phaseMs < minPhaseMs) return []
  const out: string[] = []
  for (const [k, limit] of Object.entries(limits) as Array<[keyof Peaks, number]>) {
    if (g.first[k] === 0) {
      out.push(`no ${k} samples in the second tenth of the fault phase`)
      continue
    }
    const r = g.last[k] / g.first[k] - 1
    if (r > limit) out.push(`${k} peak grew ${Math.round(r * 100)}% (${g.first[k]} → ${g.last[k]}; limit ${Math.round(limit * 100)}%)`)
  }
  return out
}
