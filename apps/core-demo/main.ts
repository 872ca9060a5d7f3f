// `npm start` (until the relay and the web demo land): three people chat through
// weft's core with no network at all. Carol writes while offline; when she is back,
// the peers compare version vectors, send each other what is missing, and a late
// observer that gets everything backwards, twice, still reads it in causal order.
import { Inbox, Outbox, authorIdFromKey, contextWireBytes, fromUtf8, openEnvelope, planSync, sealEnvelope, utf8 } from '@weft/core'
import { generateSeed, nodeCrypto, nodeSigner } from '@weft/crypto-node'
import type { Envelope, Signer } from '@weft/core'

const crypto = nodeCrypto()
const NETWORK = 'weft-demo'
const TOPIC = 'lobby'

class Person {
  readonly signer: Signer = nodeSigner(generateSeed())
  readonly id = authorIdFromKey(this.signer.publicKey)
  readonly inbox = new Inbox()
  readonly outbox = new Outbox({ random: Math.random })
  readonly log: Envelope[] = [] // what this peer holds and would serve, in the order it delivered it
  seq = 0
  readonly name: string
  constructor (name: string) {
    this.name = name
  }

  async say (text: string): Promise<Envelope> {
    const env = await sealEnvelope({ network: NETWORK, topic: TOPIC, seq: ++this.seq, time: Date.now(), context: this.inbox.contextFor(this.id), payload: utf8(text) }, this.signer, crypto)
    this.outbox.add(env, Date.now())
    this.take(env)
    console.log(`  ${this.name.padEnd(5)} writes #${env.seq} "${text}" (causal context: ${env.context.deps.length} heads, ${contextWireBytes(env.context)} bytes)`)
    return env
  }

  take (env: Envelope): void {
    for (const out of this.inbox.receive(env, Date.now()).deliverable) {
      this.inbox.markDelivered(out)
      this.log.push(out)
    }
  }

  /** One sync exchange: both sides send what the other lacks; each side's frontier acks the other's outbox. */
  async syncWith (peer: Person): Promise<void> {
    const plan = planSync({ held: this.inbox.delivered }, { held: peer.inbox.delivered })
    const pick = (from: Person, ranges: typeof plan.send): Envelope[] =>
      from.log.filter(e => ranges.some(r => r.author === e.author && e.seq >= r.from && e.seq <= r.to))
    for (const env of pick(this, plan.send)) peer.take(await openEnvelope(env.bytes, { crypto, network: NETWORK, topic: TOPIC }))
    for (const env of pick(peer, plan.request)) this.take(await openEnvelope(env.bytes, { crypto, network: NETWORK, topic: TOPIC }))
    for (const [a, b] of [[this, peer], [peer, this]] as const) {
      const acked = a.outbox.ackUpTo(b.name, b.inbox.delivered.get(a.id) ?? 0)
      if (acked.length > 0) console.log(`  ${b.name} confirms custody of ${a.name}'s #${acked.map(e => e.seq).join(', #')}`)
    }
  }
}

const [alice, bob, carol] = [new Person('alice'), new Person('bob'), new Person('carol')]
const names = new Map([alice, bob, carol].map(p => [p.id, p.name]))

console.log('\n1. alice and bob are online; carol is offline and writes anyway')
bob.take(await alice.say('anyone up for lunch?'))
alice.take(await bob.say('yes! noodles?'))
await carol.say('(offline) I will be late today')
await carol.say('(offline) save me a seat')
bob.take(await alice.say('noodles it is'))

console.log('\n2. carol comes back: version vectors are exchanged, what is missing flows both ways')
console.log(`  carol's outbox before: ${carol.outbox.inFlight} messages await custody`)
await carol.syncWith(bob)
await alice.syncWith(bob)
console.log(`  carol's outbox after: ${carol.outbox.inFlight} messages await custody`)

console.log('\n3. a late observer gets every message backwards and twice; it still delivers in causal order, once each')
const observer = new Person('eve')
const everything = [...bob.log].reverse()
for (const env of [...everything, ...everything]) observer.take(env)
for (const env of observer.log) {
  console.log(`  ${names.get(env.author)!.padEnd(5)} #${env.seq}  ${fromUtf8(env.payload)}`)
}
console.log(`\n  delivered ${observer.log.length} of ${everything.length}, duplicates dropped: ${everything.length}, still waiting: ${observer.inbox.buffered.messages}`)
console.log('\nThis is the core alone. The relay, the CLI and the browser demo come with the next issues.')
