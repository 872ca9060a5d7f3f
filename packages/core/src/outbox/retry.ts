/**
 * The outbox's retry schedule: exponential backoff with "equal jitter" (half
 * the delay fixed, half random), capped. Pure: the random number comes in.
 */
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS } from '../constants.ts'

export interface RetryPolicy {
  /** First delay. @default DEFAULT_RETRY_BASE_MS (1 s) */
  baseMs?: number
  /** Largest delay. @default DEFAULT_RETRY_MAX_MS (60 s) */
  maxMs?: number
}

/**
 * Delay before attempt `attempt + 1`, after `attempt` attempts (1, 2, …).
 * `random` is a number in [0, 1).
 */
export function retryDelay (attempt: number, random: number, policy: RetryPolicy = {}): number {
  const base = policy.baseMs ?? DEFAULT_RETRY_BASE_MS
  const max = policy.maxMs ?? DEFAULT_RETRY_MAX_MS
  const exp = Math.min(max, base * 2 ** Math.min(Math.max(attempt - 1, 0), 52))
  return Math.round(exp / 2 + (exp / 2) * Math.min(Math.max(random, 0), 1))
}
