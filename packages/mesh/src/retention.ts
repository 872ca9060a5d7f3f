/**
 * How much history a topic keeps (DESIGN.md "Retention"): checked here, applied by the topic
 * every PRUNE_INTERVAL_MS through `WeftStore.prune`.
 */
import type { Retention } from '@weft/core'

/** A copy of `r` with its limits checked: each absent, or a whole number (count, bytes ≥ 0; age ≥ 1 ms). Throws RangeError otherwise. */
export function checkRetention (r: Retention): Retention {
  const out: Retention = {}
  for (const [key, min] of [['maxCount', 0], ['maxBytes', 0], ['maxAgeMs', 1]] as const) {
    const v = r[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new RangeError(`retention.${key} must be a whole number ≥ ${min}, got ${String(v)}`)
    out[key] = v
  }
  return out
}

/** True when `r` sets any limit. */
export function limitsHistory (r: Retention): boolean {
  return r.maxCount !== undefined || r.maxBytes !== undefined || r.maxAgeMs !== undefined
}

export function sameRetention (a: Retention, b: Retention): boolean {
  return a.maxCount === b.maxCount && a.maxBytes === b.maxBytes && a.maxAgeMs === b.maxAgeMs
}
