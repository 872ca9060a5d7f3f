// What `npm start` runs: one weft relay on 127.0.0.1 (TCP and WebSockets, storing every
// topic) and the demo web app, built with Vite and served with /relay.json telling pages
// where the relay is. Used by scripts/start.ts and by the demo's end-to-end test.
import { mkdirSync } from 'node:fs'
import { build } from 'vite'
import { serveStatic } from '../e2e/lib/static-server.ts'
import { startRelayProcess } from './relay-process.ts'
import type { ChildProcess } from 'node:child_process'

const ROOT = new URL('../', import.meta.url)

export interface Demo {
  url: string
  /** The relay now running (another object after a restart). */
  readonly relay: { peerId: string, ws: string, tcp: string, child: ChildProcess }
  /** Ends the relay with this signal (SIGKILL: a crash) and waits for it to exit. */
  stopRelay(signal: NodeJS.Signals): Promise<void>
  /** Starts the relay again (after stopRelay, or stopping it first) on the same ports and data. */
  restartRelay(): Promise<void>
  stop(): Promise<void>
}

export interface DemoInit {
  /** Port for the web app. @default 5173 */
  port?: number
  /** The relay's data folder. @default .weft/relay in the repository */
  dataDir?: string
  /** Relay ports (0: any). @default 4001 (TCP), 4002 (WebSocket) */
  relayPorts?: [number, number]
  /** Skip the Vite build (an up-to-date apps/web/dist exists). */
  skipBuild?: boolean
}

export async function startDemo (init: DemoInit = {}): Promise<Demo> {
  const webRoot = new URL('apps/web/', ROOT).pathname
  if (init.skipBuild !== true) await build({ root: webRoot, configFile: new URL('apps/web/vite.config.ts', ROOT).pathname, logLevel: 'warn' })
  const dataDir = init.dataDir ?? new URL('.weft/relay', ROOT).pathname
  mkdirSync(dataDir, { recursive: true })
  const [tcpPort, wsPort] = init.relayPorts ?? [4001, 4002]
  let relay = await spawnRelay(dataDir, tcpPort, wsPort)
  // a restarted relay comes back on the ports it had, with its identity (in its data folder)
  const ports = [relay.tcp, relay.ws].map(a => Number(a.split('/tcp/')[1]!.split('/')[0]))
  const stopRelay = async (signal: NodeJS.Signals): Promise<void> => {
    if (relay.child.exitCode !== null || relay.child.signalCode !== null) return
    const exited = new Promise(resolve => relay.child.once('exit', resolve))
    relay.child.kill(signal)
    await exited
  }
  const server = await serveStatic(new URL('apps/web/dist/', ROOT).pathname, { port: init.port ?? 5173, routes: { '/relay.json': () => ({ addr: relay.ws }) } })
  return {
    url: server.url,
    get relay () { return relay },
    stopRelay,
    restartRelay: async () => {
      await stopRelay('SIGTERM')
      relay = await spawnRelay(dataDir, ports[0]!, ports[1]!)
    },
    stop: async () => {
      await server.close()
      await stopRelay('SIGTERM')
    }
  }
}

/** Starts `weft relay` storing every topic, on 127.0.0.1 (port 0: any). */
export async function spawnRelay (dataDir: string, tcpPort: number, wsPort: number): Promise<Demo['relay']> {
  const { child, peerId, addrs } = await startRelayProcess(['--data', dataDir, '--topic', '*',
    '--listen', `/ip4/127.0.0.1/tcp/${tcpPort}`, '--listen', `/ip4/127.0.0.1/tcp/${wsPort}/ws`])
  return { peerId, ws: addrs.find(a => a.includes('/ws'))!, tcp: addrs.find(a => !a.includes('/ws'))!, child }
}
