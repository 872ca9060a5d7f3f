/**
 * Reads ranges of a topic's log in log order (the order this peer released
 * them, which is a causal order): a k-way merge over the authors' ranges,
 * page by page, so a large backlog is never loaded whole.
 */
import type { SeqRange, StoredMessage, WeftStore } from '@weft/core'

interface Cursor {
  range: SeqRange
  next: number
  page: StoredMessage[]
}

/** Yields chunks of at most `chunk` messages, in log order, until the ranges are read or `limit` messages were yielded. */
export async function * readInLogOrder (store: WeftStore, topic: string, ranges: readonly SeqRange[], chunk: number, limit = Infinity): AsyncGenerator<StoredMessage[]> {
  const cursors: Cursor[] = ranges.filter(r => r.from <= r.to).map(range => ({ range, next: range.from, page: [] }))
  const fill = async (c: Cursor): Promise<void> => {
    while (c.page.length === 0 && c.next <= c.range.to) {
      const to = Math.min(c.range.to, c.next + chunk - 1)
      const { messages } = await store.read(topic, c.range.author, c.next, to)
      c.page = messages
      c.next = to + 1
    }
  }
  for (const c of cursors) await fill(c)
  let out: StoredMessage[] = []
  let yielded = 0
  for (;;) {
    let best: Cursor | undefined
    for (const c of cursors) {
      const head = c.page[0]
      if (head !== undefined && (best === undefined || head.order < best.page[0]!.order)) best = c
    }
    if (best === undefined || yielded >= limit) break
    out.push(best.page.shift()!)
    yielded++
    if (best.page.length === 0) await fill(best)
    if (out.length >= chunk) {
      yield out
      out = []
    }
  }
  if (out.length > 0) yield out
}
