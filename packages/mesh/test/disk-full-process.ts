// A publisher whose data folder is a small tmpfs, for the disk-full test (RELIABILITY.md row 27):
// `node disk-full-process.ts <dataDir> <bootstrap>`. It fills the disk with a filler file to within
// 256 KiB, publishes 4 KiB messages until publish() rejects, deletes the filler on the "free"
// command from stdin, publishes 5 more and waits until everything is acked. Each step is a JSON line.
import { openSync, closeSync, statfsSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createNodePeer } from '@weft/mesh/node'

const [dataDir, bootstrap] = process.argv.slice(2)
if (dataDir === undefined || bootstrap === undefined) throw new Error('usage: disk-full-process.ts <dataDir> <bootstrap>')
const print = (o: object): void => { process.stdout.write(JSON.stringify(o) + '\n') }
const errors: string[] = []
process.on('unhandledRejection', err => { print({ event: 'unhandled', error: String(err) }) })

const peer = await createNodePeer({ dataDir, network: 'weft-mesh-test', bootstrap: [bootstrap] })
peer.addEventListener('error', e => { errors.push(e.detail.error.name) })
const topic = await peer.topic('disk')

// leave 256 KiB free
const filler = join(dataDir, 'filler')
const fd = openSync(filler, 'w')
const chunk = Buffer.alloc(64 * 1024, 7)
for (let i = 0; i < 10_000; i++) {
  const { bavail, bsize } = statfsSync(dataDir)
  if (bavail * bsize <= 256 * 1024 + chunk.length) break
  writeSync(fd, chunk)
}
closeSync(fd)
print({ event: 'filled', free: statfsSync(dataDir).bavail * statfsSync(dataDir).bsize })

const payload = (i: number): string => `message ${i} `.padEnd(4096, '.')
let i = 0
for (; i < 1000; i++) {
  try {
    const { seq } = await topic.publish(payload(i))
    print({ event: 'published', seq, text: `message ${i}` })
  } catch (err) {
    print({ event: 'rejected', name: (err as Error).name, message: (err as Error).message, text: `message ${i}` })
    break
  }
}
// the peer stays up and keeps its other duties while the disk is full
await new Promise(resolve => setTimeout(resolve, 500))
print({ event: 'still-up', errors })

for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'free') continue
  unlinkSync(filler)
  for (let k = 1; k <= 5; k++) {
    const { seq } = await topic.publish(payload(i + k))
    print({ event: 'published', seq, text: `message ${i + k}` })
  }
  const deadline = Date.now() + 20_000
  while (topic.outbox.length > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  print({ event: topic.outbox.length === 0 ? 'all-acked' : 'timeout', outbox: topic.outbox.length, errors })
  await peer.stop()
  process.exit(0)
}
