// The weft command line: parse, validate (one-line errors, exit 2), run.
import { UsageError, idConfig, parse, pubConfig, relayConfig, subConfig } from './args.ts'
import { chat, id, pub, sub } from './client.ts'
import { startRelay } from './relay.ts'
import type { Log } from './relay.ts'

const HELP = `weft: a brokerless messaging mesh

usage:
  weft relay --data DIR [--listen MULTIADDR]... [--bootstrap MULTIADDR]... [--metrics HOST:PORT] [--topic T]... [--inbound-per-host N] [--author-rate N] [--circuit-bytes N] [--circuit-seconds N]
             [--retain-count N] [--retain-bytes N] [--retain-seconds N] [--json]
  weft pub TOPIC [MESSAGE...] --bootstrap MULTIADDR [--data DIR] [--count N --size BYTES] [--rate PER_SEC] [--no-wait] [--timeout SECONDS] [--json]
  weft sub TOPIC --bootstrap MULTIADDR [--data DIR] [--json] [--count N] [--timeout SECONDS]
  weft chat TOPIC --bootstrap MULTIADDR [--data DIR] [--json] [--timeout SECONDS]
  weft id --data DIR

common: --network NAME (default "weft"), --config FILE (JSON with the same keys).
environment: WEFT_DATA, WEFT_BOOTSTRAP and WEFT_LISTEN (comma-separated), WEFT_TOPIC, WEFT_METRICS,
  WEFT_NETWORK, WEFT_JSON=1, WEFT_CONFIG. Flags win over the file, the file over the environment.
relay defaults: --listen /ip4/127.0.0.1/tcp/4001 and /ip4/127.0.0.1/tcp/4002/ws (pass your public
  addresses on a server); --topic '*' stores every topic peers subscribe to; --inbound-per-host N
  refuses new connections from one IP address past N per second (default 1000: behind a reverse
  proxy every browser comes from one address); --author-rate N takes at most N gossip messages per
  second (burst 5N) from one author in one topic and ignores the rest, which then come by sync;
  --circuit-bytes N and --circuit-seconds N end a relayed connection past N bytes each way or
  N seconds (default 1 GiB and 3600; libp2p's own defaults are 131072 and 120);
  --retain-count N, --retain-bytes N and --retain-seconds N keep at most the newest N messages,
  N bytes of messages, or N seconds of history per topic, pruned every 10 s (default: all history;
  a peer that was away longer starts after what is gone).
`

const log: Log = (level, event, fields = {}) => {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }) + '\n')
}

async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP)
    return 0
  }
  const { raw, positionals } = parse(command, rest, process.env)
  if ((raw as { help?: boolean }).help === true) {
    process.stdout.write(HELP)
    return 0
  }
  switch (command) {
    case 'relay': {
      const config = relayConfig(raw)
      const relay = await startRelay(config, log).catch((err: Error) => {
        if (/EADDRINUSE|address already in use/i.test(err.message)) {
          const addrs = [...err.message.matchAll(/(\/\S+): Error: listen EADDRINUSE/g)].map(m => m[1])
          throw new UsageError(`address already in use: ${addrs.length > 0 ? addrs.join(', ') : (config.metrics !== undefined ? `${config.metrics.host}:${config.metrics.port}` : 'a listen address')}`)
        }
        throw err
      })
      process.stdout.write(JSON.stringify({ event: 'listening', peerId: relay.peer.me, addrs: relay.addrs, ...(relay.metricsUrl === undefined ? {} : { metrics: relay.metricsUrl }) }) + '\n')
      await new Promise<void>(resolve => {
        const stop = (signal: string): void => {
          log('info', 'stopping', { signal })
          setTimeout(() => process.exit(0), 5_000).unref() // never hang past 5 s
          void relay.stop().then(resolve, resolve)
        }
        process.once('SIGINT', () => stop('SIGINT'))
        process.once('SIGTERM', () => stop('SIGTERM'))
      })
      log('info', 'stopped')
      return 0
    }
    case 'pub': return await pub(pubConfig(raw, positionals))
    case 'sub': return await sub(subConfig(raw, positionals))
    case 'chat': return await chat(subConfig(raw, positionals, 'chat'))
    case 'id': return await id(idConfig(raw).data)
    default: throw new UsageError(`unknown command "${command}" (try weft --help)`)
  }
}

main(process.argv.slice(2)).then(code => { process.exit(code) }, (err: Error) => {
  if (err.name === 'UsageError') {
    process.stderr.write(`weft: ${err.message}\n`)
    process.exit(2)
  }
  process.stderr.write(`weft: ${err.message}\n`)
  process.exit(1)
})
