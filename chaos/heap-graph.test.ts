import { describe, expect, it } from 'vitest'
import { dominators, parseSnapshot, retainedSizes } from './heap-graph.ts'

/** A snapshot in V8's layout: nodes [type, name, self_size, edge_count], edges [type, name, to_node]. */
function snapshot (nodes: Array<[string, number, Array<[string, string, number]>]>): Parameters<typeof parseSnapshot>[0] {
  const strings: string[] = []
  const str = (s: string): number => { const i = strings.indexOf(s); return i >= 0 ? i : strings.push(s) - 1 }
  const nodeTypes = ['object', 'string']
  const edgeTypes = ['property', 'element', 'weak']
  const flatNodes: number[] = []
  const flatEdges: number[] = []
  for (const [name, self, edges] of nodes) {
    flatNodes.push(0, str(name), self, edges.length)
    for (const [type, label, to] of edges) flatEdges.push(edgeTypes.indexOf(type), type === 'element' ? 0 : str(label), to * 4)
  }
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'self_size', 'edge_count'], node_types: [nodeTypes], edge_fields: ['type', 'name_or_index', 'to_node'], edge_types: [edgeTypes] } },
    nodes: flatNodes,
    edges: flatEdges,
    strings
  }
}

describe('heap graph', () => {
  it('computes dominators and retained sizes; weak edges retain nothing', () => {
    // root → A, root → B, A → C, B → C (shared: the root dominates it), C → D, A → E, B ⇢ E (weak)
    const g = parseSnapshot(snapshot([
      ['', 0, [['property', 'a', 1], ['property', 'b', 2]]],
      ['A', 10, [['property', 'c', 3], ['property', 'e', 5]]],
      ['B', 20, [['property', 'c', 3], ['weak', 'e', 5]]],
      ['C', 30, [['element', '', 4]]],
      ['D', 40, []],
      ['E', 50, []]
    ]))
    const idom = dominators(g)
    expect([...idom]).toEqual([0, 0, 0, 0, 3, 1])
    expect([...retainedSizes(g, idom)]).toEqual([150, 60, 20, 70, 40, 50])
    expect(g.name(1)).toBe('A')
    expect(g.edgeName(1, 5)).toBe('e')
    expect(g.edgeName(3, 4)).toBe('[]')
    expect(g.edgeName(0, 3)).toBe('~c') // not the root's own edge: the first edge into C
  })

  it('leaves nodes the root does not reach without a dominator', () => {
    const g = parseSnapshot(snapshot([['', 0, []], ['lost', 5, []]]))
    expect([...dominators(g)]).toEqual([0, -1])
  })
})
