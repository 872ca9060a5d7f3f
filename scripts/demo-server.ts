// What `npm start` runs: one weft relay on 127.0.0.1 (TCP and WebSockets, storing every
// topic) and the demo web app, built with Vite and served with /relay.json telling pages
// where the relay is. Used by scripts/start.ts and by the demo's end-to-end test.
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { build } from 'vite'
import { serveStatic } from '../e2e/lib/static-server.ts'
import type { ChildProcess } from 'node:child_process'

const ROOT = new URL('../', import.meta.url)
const WEFT = new URL('apps/cli/bin/weft.js', ROOT).pathname

export interface Demo {
  url: string
  relay: { peerId: string, ws: string, tcp: string, child: ChildProcess }
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
  const child = spawn(process.execPath, [WEFT, 'relay', '--data', dataDir, '--topic', '*',
    '--listen', `/ip4/127.0.0.1/tcp/${tcpPort}`, '--listen', `/ip4/127.0.0.1/tcp/${wsPort}/ws`], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000) })
  const line = await new Promise<string>((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`the relay did not start: ${stderr}`)), 30_000)
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      if (buf.includes('\n')) {
        clearTimeout(timer)
        resolve(buf.split('\n')[0]!)
      }
    })
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`the relay exited (${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`)) })
  })
  const info = JSON.parse(line) as { peerId: string, addrs: string[] }
  const relay = { peerId: info.peerId, ws: info.addrs.find(a => a.includes('/ws'))!, tcp: info.addrs.find(a => !a.includes('/ws'))!, child }
  const server = await serveStatic(new URL('apps/web/dist/', ROOT).pathname, { port: init.port ?? 5173, routes: { '/relay.json': () => ({ addr: relay.ws }) } })
  return {
    url: server.url,
    relay,
    stop: async () => {
      await server.close()
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('exit', resolve))
    }
  }
}
