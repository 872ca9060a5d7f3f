/**
 * Sync planning: from my version vector and a peer's, what each side should
 * send. Version vectors say, per author, the highest contiguous seq held; a
 * peer's vector also serves as its cumulative custody ack. Ranges come out per
 * author; the sender streams them in its own log order (the order it released
 * them), which is a causal order, in batches of at most `maxBatch` messages.
 */
import { DEFAULT_SYNC_BATCH_MESSAGES } from '../constants.ts'
import { InvalidArgumentError } from '../errors.ts'
import { clockGet } from '../clock/vector-clock.ts'
import type { SeqRange } from '../causal/causal-buffer.ts'
import type { VersionVector } from '../clock/vector-clock.ts'
import type { AuthorId } from '../util/author.ts'

export interface SyncSide {
  /** Per author, the highest contiguous seq held. */
  held: VersionVector
  /** Per author, the lowest seq still retained (1 when nothing was pruned). @default all 1 */
  oldest?: VersionVector
}

export interface SyncPlan {
  /** Ranges I hold and the peer lacks. */
  send: SeqRange[]
  /** Ranges the peer holds and I lack. */
  request: SeqRange[]
  /** Ranges I lack that the peer no longer retains: skip them (treat as delivered) or ask someone else. */
  unavailable: SeqRange[]
}

/** What each side should send the other. */
export function planSync (mine: SyncSide, theirs: SyncSide): SyncPlan {
  return {
    send: ranges(mine, theirs).served,
    request: ranges(theirs, mine).served,
    unavailable: ranges(theirs, mine).gone
  }
}

/** Ranges `from` can give `to`, and those it lacks because it pruned them. */
function ranges (from: SyncSide, to: SyncSide): { served: SeqRange[], gone: SeqRange[] } {
  const served: SeqRange[] = []
  const gone: SeqRange[] = []
  const authors = [...from.held.keys()].sort()
  for (const author of authors) {
    const have = clockGet(from.held, author)
    const want = clockGet(to.held, author) + 1
    if (have < want) continue
    const oldest = Math.max(1, from.oldest?.get(author) ?? 1)
    if (want < oldest) gone.push({ author, from: want, to: Math.min(oldest - 1, have) })
    const start = Math.max(want, oldest)
    if (start <= have) served.push({ author, from: start, to: have })
  }
  return { served, gone }
}

/** Splits ranges into batches of at most `maxBatch` messages, keeping their order. */
export function batchRanges (list: readonly SeqRange[], maxBatch = DEFAULT_SYNC_BATCH_MESSAGES): SeqRange[][] {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidArgumentError('maxBatch must be a positive integer')
  const batches: SeqRange[][] = []
  let batch: SeqRange[] = []
  let room = maxBatch
  for (const r of list) {
    let from = r.from
    while (from <= r.to) {
      const to = Math.min(r.to, from + room - 1)
      batch.push({ author: r.author, from, to })
      room -= to - from + 1
      from = to + 1
      if (room === 0) {
        batches.push(batch)
        batch = []
        room = maxBatch
      }
    }
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}

/** Messages in `list` ranges: the count, for budgeting. */
export function rangeSize (list: readonly SeqRange[]): number {
  let n = 0
  for (const r of list) n += r.to - r.from + 1
  return n
}

/** True when (author, seq) falls in one of `list`. */
export function inRanges (list: readonly SeqRange[], author: AuthorId, seq: number): boolean {
  return list.some(r => r.author === author && seq >= r.from && seq <= r.to)
}
