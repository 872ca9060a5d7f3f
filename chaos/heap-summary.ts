// `node chaos/heap-summary.ts A.heapsnapshot [B.heapsnapshot] [--min-mb N]`: what holds a heap.
// Reads V8 heap snapshots (run.ts --heap-snapshots writes them for the chaos tabs), computes each
// object's retained size (the bytes freed were it gone: its dominator subtree), and prints the
// objects retaining at least --min-mb (default 1) with their path from the root along the
// dominator tree (edge names: properties, private fields, Map internals). With two snapshots it
// prints the same paths side by side with the growth, largest first.
import { readFileSync } from 'node:fs'
import { dominators, parseSnapshot, retainedSizes } from './heap-graph.ts'
import type { HeapGraph } from './heap-graph.ts'

const args = process.argv.slice(2)
const minAt = args.indexOf('--min-mb')
const minMb = minAt >= 0 ? Number(args[minAt + 1]) : 1
const files = args.filter((a, i) => !a.startsWith('--') && i !== minAt + 1)
if (files.length < 1 || files.length > 2 || !(minMb > 0)) {
  console.error('usage: node chaos/heap-summary.ts A.heapsnapshot [B.heapsnapshot] [--min-mb N]')
  process.exit(2)
}

/** Path → retained bytes of the objects at least `min` bytes, keyed by their dominator-tree path. */
function summarise (file: string, min: number): { total: number, paths: Map<string, number> } {
  const g: HeapGraph = parseSnapshot(JSON.parse(readFileSync(file, 'utf8')))
  const idom = dominators(g)
  const retained = retainedSizes(g, idom)
  const paths = new Map<string, number>()
  const label = new Map<number, string>()
  const pathOf = (n: number): string => {
    const known = label.get(n)
    if (known !== undefined) return known
    const d = idom[n]!
    const p = n === 0 || d === n ? g.name(n) : `${pathOf(d)} → ${g.edgeName(d, n)}:${g.name(n)}`
    label.set(n, p)
    return p
  }
  for (let n = 0; n < g.count; n++) {
    if (retained[n]! < min) continue
    const p = pathOf(n)
    paths.set(p, (paths.get(p) ?? 0) + retained[n]!)
  }
  return { total: retained[0]!, paths }
}

const mb = (b: number): string => (b / 1048576).toFixed(1).padStart(7)
const min = minMb * 1048576
// comparing, a path is listed where it retained `min` in either snapshot, so both sides are read to a quarter of it
const [a, b] = files.map(f => summarise(f, files.length === 2 ? min / 4 : min))
if (b === undefined) {
  console.log(`${mb(a!.total)} MB  total`)
  for (const [p, size] of [...a!.paths].sort((x, y) => y[1] - x[1])) console.log(`${mb(size)} MB  ${p}`)
} else {
  console.log(`${mb(a!.total)} → ${mb(b.total)} MB  total`)
  const rows = [...new Set([...a!.paths.keys(), ...b.paths.keys()])]
    .map(p => ({ p, from: a!.paths.get(p) ?? 0, to: b.paths.get(p) ?? 0 }))
    .filter(r => Math.max(r.from, r.to) >= min)
    .sort((x, y) => Math.abs(y.to - y.from) - Math.abs(x.to - x.from))
  for (const r of rows) console.log(`${mb(r.from)} → ${mb(r.to)} MB  ${r.p}`)
}
