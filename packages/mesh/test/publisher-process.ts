// A publisher in its own process, for crash tests: `node publisher-process.ts <dataDir> <count> [bootstrap]`.
// Publishes <count> messages, printing {"event":"published",...} once each publish() resolved, then
// waits until its outbox is empty (everything acked) and prints {"event":"all-acked"}.
import { createNodePeer } from '@weft/mesh/node'

const [dataDir, countArg, bootstrap] = process.argv.slice(2)
if (dataDir === undefined || countArg === undefined) throw new Error('usage: publisher-process.ts <dataDir> <count> [bootstrap]')
const peer = await createNodePeer({ dataDir, network: 'weft-mesh-test', bootstrap: bootstrap === undefined ? [] : [bootstrap] })
const topic = await peer.topic('crash')
const print = (o: object): void => { process.stdout.write(JSON.stringify(o) + '\n') }
print({ event: 'started', author: peer.me, outbox: topic.outbox.length })
for (let i = 0; i < Number(countArg); i++) {
  const { seq, id } = await topic.publish(`message ${i}`)
  print({ event: 'published', seq, id })
}
const deadline = Date.now() + 30_000
while (topic.outbox.length > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
print({ event: topic.outbox.length === 0 ? 'all-acked' : 'timeout', outbox: topic.outbox.length })
await peer.stop()
