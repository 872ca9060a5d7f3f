/**
 * Equivocation: one author signing two different messages with the same
 * (topic, seq). The proof is the two envelopes; anyone can check it with the
 * author's key alone. Peers keep the first message they delivered and record
 * the proof.
 */
import { EquivocationError, InvalidArgumentError } from '../errors.ts'
import { openEnvelope, sameMessage } from '../envelope/seal.ts'
import type { CryptoSuite } from '../crypto/crypto.ts'
import type { Envelope, EnvelopeLimits } from '../envelope/envelope.ts'
import type { AuthorId } from '../util/author.ts'

export interface EquivocationProof {
  readonly author: AuthorId
  readonly topic: string
  readonly seq: number
  /** The two encoded envelopes, the one kept first. */
  readonly first: Uint8Array
  readonly second: Uint8Array
}

/** The proof that `first` and `second` equivocate; throws InvalidArgumentError when they do not. */
export function proveEquivocation (first: Envelope, second: Envelope): EquivocationProof {
  if (first.author !== second.author || first.topic !== second.topic || first.seq !== second.seq) {
    throw new InvalidArgumentError('not the same (author, topic, seq)')
  }
  if (sameMessage(first, second)) throw new InvalidArgumentError('the same message twice is not equivocation')
  return { author: first.author, topic: first.topic, seq: first.seq, first: first.bytes, second: second.bytes }
}

/**
 * Checks a proof received from anyone: resolves to the EquivocationError it
 * proves, or rejects with the typed error that makes it invalid.
 */
export async function verifyEquivocationProof (
  proof: EquivocationProof, options: { crypto: CryptoSuite, network: string, limits?: EnvelopeLimits }
): Promise<EquivocationError> {
  const open = { ...options, topic: proof.topic, author: proof.author }
  const a = await openEnvelope(proof.first, open)
  const b = await openEnvelope(proof.second, open)
  proveEquivocation(a, b)
  if (a.seq !== proof.seq) throw new InvalidArgumentError('proof names another seq')
  return new EquivocationError(`${proof.author} signed two messages as seq ${proof.seq} in topic "${proof.topic}"`)
}
