/**
 * Batch signatures: one Ed25519 signature over the root of a Merkle tree of up
 * to 16 message bodies, so an author under load signs once per 16 messages and
 * a receiver verifies once per 16 (docs/PROTOCOL.md, "Batch signatures"). Every
 * envelope still carries what proves it alone (the signature and its path to
 * the root), so stores, sync, repair and equivocation proofs treat it like any
 * other envelope.
 *
 * Tree: a leaf is SHA-256(0x00 ‖ body), an inner node SHA-256(0x01 ‖ left ‖ right)
 * (RFC 6962's domain separation, so a leaf can never pass for an inner node); the
 * tree has a fixed depth d (2^d ≥ the batch) and empty slots are 32 zero bytes.
 * A leaf's path lists its d siblings from the bottom up; bit k of its index says
 * whether it is the right child (1) at level k.
 */
import { BATCH_SIGNING_PREFIX, MAX_BATCH_DEPTH } from '../constants.ts'
import { BoundedMap } from '../util/lru.ts'
import { concatBytes, equalBytes, toHex, utf8 } from '../util/bytes.ts'
import type { CryptoSuite } from '../crypto/crypto.ts'

const HASH_BYTES = 32
const PREFIX = utf8(BATCH_SIGNING_PREFIX)
const EMPTY = new Uint8Array(HASH_BYTES)
const LEAF = Uint8Array.of(0)

/** The bytes an author signs for a batch: the domain prefix, then the root. */
export function batchSigningBytes (root: Uint8Array): Uint8Array {
  return concatBytes(PREFIX, root)
}

/** The root a body's path leads to. `path` holds `path.length / 32` sibling hashes; `index` is below 2^that. */
export function batchRoot (body: Uint8Array, path: Uint8Array, index: number, crypto: CryptoSuite): Uint8Array {
  let node = leafHash(body, crypto)
  for (let level = 0; level * HASH_BYTES < path.length; level++) {
    const sibling = path.subarray(level * HASH_BYTES, (level + 1) * HASH_BYTES)
    node = ((index >>> level) & 1) === 1 ? innerHash(sibling, node, crypto) : innerHash(node, sibling, crypto)
  }
  return node
}

function leafHash (body: Uint8Array, crypto: CryptoSuite): Uint8Array {
  return crypto.sha256(concatBytes(LEAF, body))
}

/** 0x01 ‖ left ‖ right, rewritten for each inner hash (sha256 is synchronous and keeps nothing): no allocation per node. */
const innerInput = new Uint8Array(1 + 2 * HASH_BYTES)
innerInput[0] = 1

function innerHash (left: Uint8Array, right: Uint8Array, crypto: CryptoSuite): Uint8Array {
  innerInput.set(left, 1)
  innerInput.set(right, 1 + HASH_BYTES)
  return crypto.sha256(innerInput)
}

/** The tree over 2 to 2^MAX_BATCH_DEPTH bodies: its root, and each body's path (index = position). */
export function buildBatch (bodies: readonly Uint8Array[], crypto: CryptoSuite): { root: Uint8Array, paths: Uint8Array[] } {
  if (bodies.length < 2 || bodies.length > 2 ** MAX_BATCH_DEPTH) throw new RangeError(`a signed batch holds 2 to ${2 ** MAX_BATCH_DEPTH} bodies, not ${bodies.length}`)
  const depth = Math.ceil(Math.log2(bodies.length))
  let level: Uint8Array[] = bodies.map(b => leafHash(b, crypto))
  const paths = bodies.map(() => new Uint8Array(depth * HASH_BYTES))
  for (let k = 0; k < depth; k++) {
    const width = 2 ** (depth - k)
    const node = (i: number): Uint8Array => level[i] ?? EMPTY
    for (let leaf = 0; leaf < bodies.length; leaf++) {
      paths[leaf]!.set(node(((leaf >>> k) ^ 1)), k * HASH_BYTES)
    }
    const up: Uint8Array[] = []
    for (let i = 0; i < width; i += 2) {
      up.push(i >= level.length ? EMPTY : innerHash(node(i), node(i + 1), crypto))
    }
    level = up
  }
  return { root: level[0]!, paths }
}

/**
 * Batch signature checks, per author, root and signature, so that the other
 * envelopes of a batch cost hashes only; envelopes opened at the same time
 * share one check in flight. Bounded (least recently added forgotten first); a
 * forgotten root is simply checked again, and a failed check is not kept.
 */
export class VerifiedBatches {
  /** By root (hex): whose signature it is, and its check. */
  readonly #checks: BoundedMap<string, { authorKey: Uint8Array, signature: Uint8Array, check: Promise<void> }>

  constructor (max = 4096) {
    this.#checks = new BoundedMap(max)
  }

  /** Resolves once `check` (run only if this batch signature is not already checked or being checked) passed; rejects as it did. */
  async once (authorKey: Uint8Array, root: Uint8Array, signature: Uint8Array, check: () => Promise<void>): Promise<void> {
    const k = toHex(root)
    const known = this.#checks.get(k)
    if (known !== undefined) {
      // another key or signature on a known root (a forgery, or a replay with a bad signature) is checked on its own and not kept
      if (equalBytes(known.authorKey, authorKey) && equalBytes(known.signature, signature)) return await known.check
      return await check()
    }
    // copies: the caller's are views into a whole envelope, which the cache would otherwise keep alive
    const entry = { authorKey: authorKey.slice(), signature: signature.slice(), check: check() }
    this.#checks.set(k, entry)
    entry.check.catch(() => { if (this.#checks.get(k) === entry) this.#checks.delete(k) })
    await entry.check
  }
}
