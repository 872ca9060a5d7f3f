// Relay benchmarks: memory per connected idle peer, and throughput through one relay
// (publisher -> relay -> subscriber, 3 processes) against a direct 1 -> 1 link in the same run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNodePeer } from '@weft/mesh/node'
import { startRelayProcess } from '../../scripts/relay-process.ts'
import { round } from '../report.ts'
import { oneToOne } from './mesh.ts'
import type { ChildProcess } from 'node:child_process'
import type { WeftPeer } from '@weft/mesh'
import type { Report } from '../report.ts'
import type { Suite } from '../suite.ts'

async function startRelay (dir: string): Promise<{ child: ChildProcess, tcp: string }> {
  const { child, addrs } = await startRelayProcess(['--data', dir, '--network', 'bench', '--listen', '/ip4/127.0.0.1/tcp/0', '--topic', '*'])
  return { child, tcp: addrs[0]! }
}

function rssMb (pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? 0) / 1024
}

async function rssPerPeer (report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'))
  const relay = await startRelay(dir)
  const peers: WeftPeer[] = []
  try {
    await new Promise(resolve => setTimeout(resolve, 2000))
    const before = rssMb(relay.child.pid!)
    for (let i = 0; i < 100; i++) {
      const p = await createNodePeer({ network: 'bench', listen: [], bootstrap: [relay.tcp] })
      await p.topic('idle')
      peers.push(p)
    }
    const deadline = Date.now() + 60_000
    while (peers.some(p => p.sessionCount === 0) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 200))
    await new Promise(resolve => setTimeout(resolve, 5000)) // idle: heartbeats only
    const after = rssMb(relay.child.pid!)
    report.add('relay.rss_mb_per_peer', { value: round((after - before) / 100, 3), unit: 'MB', note: `relay RSS ${round(before, 1)} MB idle, ${round(after, 1)} MB with 100 connected weft peers subscribed to one topic (${peers.filter(p => p.sessionCount > 0).length} with a sync session)` })
  } finally {
    await Promise.all(peers.map(p => p.stop()))
    relay.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

async function hop (report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'))
  const relay = await startRelay(dir)
  try {
    const n = 20_000
    const r = await oneToOne('weft', n, undefined, relay.tcp)
    report.add('relay.hop.msgs_per_s', { value: round(r.msgsPerS), unit: 'msg/s', baseline: 'mesh.tcp.1to1.msgs_per_s', note: `publisher -> weft relay (stores the topic, acks) -> subscriber, 3 processes, ${n} x 1 KiB, window 256` })
    if (report.metrics['mesh.tcp.1to1.msgs_per_s'] === undefined) {
      const direct = await oneToOne('weft', n)
      report.add('mesh.tcp.1to1.msgs_per_s', { value: round(direct.msgsPerS), unit: 'msg/s', note: 'direct 1 -> 1 in the same run (relay suite baseline)' })
    }
  } finally {
    relay.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

export const relaySuite: Suite = {
  name: 'relay',
  metrics: ['relay.rss_mb_per_peer', 'relay.hop'],
  async run (report, wanted) {
    if (wanted('relay.rss_mb_per_peer')) await rssPerPeer(report)
    if (wanted('relay.hop')) await hop(report)
  }
}
