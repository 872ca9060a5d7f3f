// Starts `weft relay` as a child process and waits for the JSON line with its peer id and
// addresses. Used by `npm start` (scripts/demo-server.ts), the benchmarks and the chaos harness.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'

const WEFT = new URL('../apps/cli/bin/weft.js', import.meta.url).pathname

export interface RelayProcess {
  child: ChildProcess
  peerId: string
  addrs: string[]
}

/** `args` follow `weft relay` (e.g. `--data DIR --listen …`); the relay's stderr also goes to `log` when given. */
export async function startRelayProcess (args: string[], log?: NodeJS.WritableStream): Promise<RelayProcess> {
  const child = spawn(process.execPath, [WEFT, 'relay', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000) })
  if (log !== undefined) child.stderr!.pipe(log)
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the relay did not start within 30 s: ${stderr.trim()}`)) }, 30_000)
    createInterface({ input: child.stdout! }).once('line', l => { clearTimeout(timer); resolve(l) })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`the relay exited (${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`)) })
  })
  const info = JSON.parse(line) as { peerId: string, addrs: string[] }
  return { child, peerId: info.peerId, addrs: info.addrs }
}
