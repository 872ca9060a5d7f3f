/**
 * Test helpers: deterministic authors that publish through a real Inbox, as
 * an app would, and seeded randomness. Not part of the build.
 */
import { nobleCrypto, nobleSigner } from '../crypto/noble.ts'
import { sealEnvelope } from '../envelope/seal.ts'
import { Inbox } from '../inbox/inbox.ts'
import { authorIdFromKey } from '../util/author.ts'
import { utf8 } from '../util/bytes.ts'
import type { Signer } from '../crypto/crypto.ts'
import type { Envelope } from '../envelope/envelope.ts'
import type { InboxInit } from '../inbox/inbox.ts'
import type { AuthorId } from '../util/author.ts'

export const crypto = nobleCrypto()
export const NETWORK = 'weft-test'
export const TOPIC = 'room'

/** A deterministic secret seed for author `i`. */
export function seedOf (i: number): Uint8Array {
  const seed = new Uint8Array(32)
  seed[0] = 0x57
  seed[1] = i & 0xff
  seed[2] = (i >> 8) & 0xff
  return seed
}

export { prng } from '@weft/test-suites/prng'

/** An author with its own inbox: it delivers what it receives and writes causal contexts from that. */
export class TestAuthor {
  readonly signer: Signer
  readonly id: AuthorId
  readonly inbox: Inbox
  /** Ids this author delivered (its own messages included), in delivery order. */
  readonly delivered: string[] = []
  seq = 0

  constructor (index: number, init: InboxInit = {}) {
    this.signer = nobleSigner(seedOf(index))
    this.id = authorIdFromKey(this.signer.publicKey)
    this.inbox = new Inbox(init)
  }

  /** Writes the next message and delivers it to itself. */
  async publish (text: string, now = 0, options: { full?: boolean, topic?: string } = {}): Promise<Envelope> {
    const env = await sealEnvelope({
      network: NETWORK,
      topic: options.topic ?? TOPIC,
      seq: ++this.seq,
      time: now,
      context: this.inbox.contextFor(this.id, { full: options.full === true }),
      payload: utf8(text)
    }, this.signer, crypto)
    this.receive(env, now)
    return env
  }

  /** Receives an envelope; returns what it delivered. */
  receive (env: Envelope, now = 0): Envelope[] {
    const result = this.inbox.receive(env, now)
    for (const out of result.deliverable) {
      this.inbox.markDelivered(out)
      this.delivered.push(out.id)
    }
    return result.deliverable
  }
}
