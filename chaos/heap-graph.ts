// A V8 heap snapshot as a graph (the `.heapsnapshot` JSON that DevTools and CDP's
// HeapProfiler.takeHeapSnapshot write), its dominator tree and its retained sizes, for
// chaos/heap-summary.ts. Weak edges do not retain, as in DevTools.

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[], node_types: [string[], ...unknown[]], edge_fields: string[], edge_types: [string[], ...unknown[]] } }
  nodes: number[]
  edges: number[]
  strings: string[]
}

export interface HeapGraph {
  /** Objects in the snapshot; node 0 is the root. */
  count: number
  selfSize: Float64Array
  /** Outgoing edges of n: targets firstEdge[n] … firstEdge[n + 1] − 1 of `to` (weak ones left out). */
  firstEdge: Uint32Array
  to: Uint32Array
  /** The edge's label: a property or private field name, `[]` for an element, or an internal name. */
  edgeLabel: string[]
  name(n: number): string
  /** The label of the edge from → to, or (with a leading ~) of the first edge into `to` when there is none. */
  edgeName(from: number, to: number): string
}

export function parseSnapshot (json: SnapshotJson): HeapGraph {
  const meta = json.snapshot.meta
  const nf = meta.node_fields.length
  const ef = meta.edge_fields.length
  const nType = meta.node_fields.indexOf('type')
  const nName = meta.node_fields.indexOf('name')
  const nSelf = meta.node_fields.indexOf('self_size')
  const nEdges = meta.node_fields.indexOf('edge_count')
  const eType = meta.edge_fields.indexOf('type')
  const eName = meta.edge_fields.indexOf('name_or_index')
  const eTo = meta.edge_fields.indexOf('to_node')
  const nodeTypes = meta.node_types[0]
  const edgeTypes = meta.edge_types[0]
  const count = json.nodes.length / nf
  const selfSize = new Float64Array(count)
  const firstEdge = new Uint32Array(count + 1)
  const to: number[] = []
  const edgeLabel: string[] = []
  let e = 0
  for (let n = 0; n < count; n++) {
    selfSize[n] = json.nodes[n * nf + nSelf]!
    firstEdge[n] = to.length
    const edges = json.nodes[n * nf + nEdges]!
    for (let k = 0; k < edges; k++, e += ef) {
      const type = edgeTypes[json.edges[e + eType]!]
      if (type === 'weak') continue
      const nameOrIndex = json.edges[e + eName]!
      to.push(json.edges[e + eTo]! / nf)
      edgeLabel.push(type === 'element' || type === 'hidden' ? '[]' : String(json.strings[nameOrIndex]).slice(0, 40))
    }
  }
  firstEdge[count] = to.length
  const targets = Uint32Array.from(to)
  return {
    count,
    selfSize,
    firstEdge,
    to: targets,
    edgeLabel,
    name: (n) => {
      const type = nodeTypes[json.nodes[n * nf + nType]!]!
      const name = json.strings[json.nodes[n * nf + nName]!]!
      return type === 'object' || type === 'closure' || type === 'native' || type === 'synthetic' ? name.slice(0, 40) : `(${type})`
    },
    edgeName: (from, target) => {
      for (let k = firstEdge[from]!; k < firstEdge[from + 1]!; k++) if (targets[k] === target) return edgeLabel[k]!
      // reached from its dominator only through others: name the first edge into it, marked with ~
      const k = targets.indexOf(target)
      return k < 0 ? '…' : `~${edgeLabel[k]!}`
    }
  }
}

/**
 * Immediate dominators (Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm"):
 * idom[n] for every node reached from the root; the root is its own; unreached nodes get −1.
 */
export function dominators (g: HeapGraph): Int32Array {
  const { count, firstEdge, to } = g
  // reverse postorder from the root, iteratively
  const post = new Int32Array(count).fill(-1)
  const order: number[] = []
  const stack: number[] = [0]
  const next = new Uint32Array(count)
  const visited = new Uint8Array(count)
  visited[0] = 1
  next[0] = firstEdge[0]!
  while (stack.length > 0) {
    const n = stack[stack.length - 1]!
    if (next[n]! < firstEdge[n + 1]!) {
      const m = to[next[n]!]!
      next[n]!++
      if (visited[m] === 0) {
        visited[m] = 1
        next[m] = firstEdge[m]!
        stack.push(m)
      }
    } else {
      stack.pop()
      post[n] = order.length
      order.push(n)
    }
  }
  // predecessors among reached nodes
  const predCount = new Uint32Array(count + 1)
  for (const n of order) for (let k = firstEdge[n]!; k < firstEdge[n + 1]!; k++) predCount[to[k]! + 1]!++
  for (let n = 0; n < count; n++) predCount[n + 1]! += predCount[n]!
  const preds = new Uint32Array(predCount[count]!)
  const fill = predCount.slice(0, count)
  for (const n of order) for (let k = firstEdge[n]!; k < firstEdge[n + 1]!; k++) preds[fill[to[k]!]!++] = n
  const idom = new Int32Array(count).fill(-1)
  idom[0] = 0
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (post[a]! < post[b]!) a = idom[a]!
      while (post[b]! < post[a]!) b = idom[b]!
    }
    return a
  }
  for (let changed = true, pass = 0; changed && pass < 1_000; pass++) {
    changed = false
    for (let i = order.length - 2; i >= 0; i--) { // reverse postorder, the root (last) left out
      const n = order[i]!
      let d = -1
      for (let k = predCount[n]!; k < predCount[n + 1]!; k++) {
        const p = preds[k]!
        if (idom[p] === -1) continue
        d = d === -1 ? p : intersect(p, d)
      }
      if (d !== -1 && idom[n] !== d) {
        idom[n] = d
        changed = true
      }
    }
  }
  return idom
}

/** Each node's own size plus that of every node it dominates. */
export function retainedSizes (g: HeapGraph, idom: Int32Array): Float64Array {
  const retained = Float64Array.from(g.selfSize)
  // children before their dominators: sort reached nodes by depth, deepest first
  const depth = new Int32Array(g.count).fill(-1)
  depth[0] = 0
  const depthOf = (n: number): number => {
    const path: number[] = []
    let m = n
    while (depth[m] === -1) { path.push(m); m = idom[m]! }
    let d = depth[m]!
    for (let i = path.length - 1; i >= 0; i--) depth[path[i]!] = ++d
    return depth[n]!
  }
  const reached: number[] = []
  for (let n = 1; n < g.count; n++) if (idom[n] !== -1) { depthOf(n); reached.push(n) }
  reached.sort((a, b) => depth[b]! - depth[a]!)
  for (const n of reached) retained[idom[n]!]! += retained[n]!
  return retained
}
