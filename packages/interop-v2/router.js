// A plain gossipsub router on the previous generation of the stack: libp2p v2 with
// @chainsafe/libp2p-gossipsub 14, noise and yamux from ChainSafe. It knows nothing of weft:
// it subscribes to the topics named on the command line and forwards messages.
//   node router.js <topic>...   prints {"event":"ready","addr":"…"} then runs until killed.
// Same signature policy as weft (StrictNoSign), whose default message id is SHA-256 of the data.
import { gossipsub } from 'chainsafe-gossipsub-v14'
import { noise } from 'chainsafe-noise-v16'
import { yamux } from 'chainsafe-yamux-v7'
import { createLibp2p } from 'libp2p-v2'
import { identify } from 'libp2p-identify-v3'
import { tcp } from 'libp2p-tcp-v10'

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionManager: { inboundConnectionThreshold: 1000 },
  services: { identify: identify(), pubsub: gossipsub({ globalSignaturePolicy: 'StrictNoSign', allowPublishToZeroTopicPeers: true }) }
})
let forwarded = 0
node.services.pubsub.addEventListener('message', () => { forwarded++ })
for (const topic of process.argv.slice(2)) node.services.pubsub.subscribe(topic)
process.stdout.write(JSON.stringify({ event: 'ready', addr: node.getMultiaddrs()[0].toString() }) + '\n')
setInterval(() => { process.stdout.write(JSON.stringify({ event: 'stats', seen: forwarded }) + '\n') }, 500).unref()
process.on('SIGTERM', () => { void node.stop().then(() => process.exit(0)) })
