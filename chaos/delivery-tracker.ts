// What a drain waits for, kept up to date as events arrive: every committed (L1) message
// delivered at every subscriber.
import type { HistoryEvent } from './history.ts'

export class DeliveryTracker {
  readonly #committed = new Set<string>()
  readonly #delivered = new Map<string, Set<string>>()

  observe (e: HistoryEvent): void {
    if (e.type === 'publish-ok' && e.level === 'L1') this.#committed.add(e.id)
    if (e.type === 'deliver') {
      let d = this.#delivered.get(e.node)
      if (d === undefined) this.#delivered.set(e.node, d = new Set())
      d.add(e.id)
    }
  }

  /** True when each of `nodes` has delivered every message committed so far. */
  complete (nodes: string[]): boolean {
    return nodes.every(n => {
      const d = this.#delivered.get(n)
      if (d === undefined || d.size < this.#committed.size) return false
      for (const id of this.#committed) if (!d.has(id)) return false
      return true
    })
  }
}
