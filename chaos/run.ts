// `npm run chaos [-- --long] [--seed N] [--only C2,C3] [--keep]`: the fault scenarios of
// RELIABILITY.md (chaos/scenarios.ts) against real processes, one after the other. Each run:
// 10 s warm-up, the fault phase (nemesis), heal (links healed, paused nodes resumed, dead
// ones restarted, publishing stopped), the drain (until every committed message is delivered
// at every client, 60 s at most; 300 s with --long), then the checkers (chaos/checkers.ts).
// One seed drives every random choice; it is printed first. A failing run keeps its history,
// report and logs in chaos/results/<run>/<scenario>/; --keep keeps passing ones too.
// --heap-snapshots writes every tab's heap at the end of the faults' second tenth and after the
// drain into <scenario>/heap/ (chaos/heap-summary.ts compares two).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { prng } from '@weft/test-suites/prng'
import { check } from './checkers.ts'
import { Cluster } from './cluster.ts'
import { DeliveryTracker } from './delivery-tracker.ts'
import { SCENARIOS, SIMULATIONS } from './scenarios.ts'
import { simulate } from './simulate.ts'
import type { CheckReport } from './checkers.ts'
import type { HistoryEvent } from './history.ts'
import type { Scenario, Simulation } from './scenarios.ts'

const WARMUP_MS = 10_000
const TOPICS = ['t1', 't2', 't3']
const RATE = 20
const PAYLOAD = { min: 1024, max: 4096, big: 60 * 1024, bigEvery: 100 }

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const long = args.includes('--long')
const keep = args.includes('--keep')
const heapSnapshots = args.includes('--heap-snapshots')
const seeds = flag('--seed') !== undefined ? [Number(flag('--seed'))] : long ? Array.from({ length: 5 }, (_, i) => Date.now() % 1_000_000 + i) : [Date.now() % 1_000_000]
const only = flag('--only')?.split(',')
const known = new Set(['--long', '--keep', '--heap-snapshots', '--seed', '--only', flag('--seed'), flag('--only')])
const unknown = args.filter(a => !known.has(a))
if (unknown.length > 0 || seeds.some(s => !Number.isSafeInteger(s))) {
  console.error(`usage: npm run chaos [-- --long] [--seed N] [--only ${[...SCENARIOS, ...SIMULATIONS].map(s => s.id).join(',')}] [--keep] [--heap-snapshots]`)
  process.exit(2)
}
const scenarios = SCENARIOS.filter(s => only === undefined ? (s.manual !== true && (long || s.longOnly !== true)) : only.includes(s.id))
const simulations = SIMULATIONS.filter(s => only === undefined || only.includes(s.id))
const drainMs = long ? 300_000 : 60_000
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, Math.max(0, ms))) }
const runDir = join(new URL('./results/', import.meta.url).pathname, new Date().toISOString().replace(/[:.]/g, '-'))

interface Outcome { scenario: string, seed: number, report: CheckReport, failures: string[], seconds: number, drainedMs: number | undefined, faults: Record<string, number>, measured?: Record<string, unknown>, sim?: { graylistedAfterMs: Array<number | undefined>, connections: number } }

/** What a clean history must show (RELIABILITY.md 9.3, checkers 1–7), in words. */
function checkerFailures (report: CheckReport): string[] {
  return [
    ...(report.lost.total > 0 ? [`lost ${report.lost.total} (prefix ${report.lost.prefix}, middle ${report.lost.middle}, postfix ${report.lost.postfix}): ${report.lost.examples.join('; ')}`] : []),
    ...(report.unexpected.total > 0 ? [`unexpected ${report.unexpected.total}: ${report.unexpected.examples.join('; ')}`] : []),
    ...(report.duplicated.violations > 0 ? [`duplicates ${report.duplicated.violations}: ${report.duplicated.examples.join('; ')}`] : []),
    ...(report.fifo.regress + report.fifo.skip > 0 ? [`FIFO ${report.fifo.regress} regress, ${report.fifo.skip} skip: ${report.fifo.examples.join('; ')}`] : []),
    ...(report.causal.violations > 0 ? [`causal ${report.causal.violations}: ${report.causal.examples.join('; ')}`] : []),
    ...(report.equivocation.split > 0 ? [`equivocation split at ${report.equivocation.split} (sender, seq)`] : [])
  ]
}

/** Runs an in-process simulation; its history goes through the same checkers. */
async function runSimulation (s: Simulation, seed: number): Promise<Outcome> {
  const started = Date.now()
  const dir = join(runDir, `${s.id}-seed${seed}`)
  mkdirSync(dir, { recursive: true })
  const history: HistoryEvent[] = []
  const deliveries = new DeliveryTracker()
  const record = (e: HistoryEvent): void => {
    history.push(e)
    deliveries.observe(e)
  }
  const peers = long ? s.peers.long : s.peers.short
  const names = Array.from({ length: peers }, (_, i) => `p${i + 1}`)
  const drained = (): boolean => deliveries.complete(names)
  const sim = await simulate({ peers, dials: s.dials, publishers: s.publishers, rate: s.rate, durationMs: long ? s.durationMs.long : s.durationMs.short, spammers: s.spammers, spamRate: s.spamRate, rand: prng(seed), record, drained })
  const report = check(history, { eligible: names })
  const failures = [...checkerFailures(report), ...s.pass(report, sim.graylistedAfterMs)]
  const faults: Record<string, number> = s.spammers === undefined ? {} : { 'invalid messages sent': sim.spamSent }
  for (const [i, ms] of sim.graylistedAfterMs.entries()) faults[`spammer ${i + 1} graylisted after ms`] = ms ?? -1
  const outcome = { scenario: s.id, seed, report, failures, seconds: Math.round((Date.now() - started) / 1000), drainedMs: drained() ? 0 : undefined, faults, sim: { ...sim } }
  writeFileSync(join(dir, 'report.json'), JSON.stringify(outcome, null, 2))
  if (failures.length > 0 || keep) writeFileSync(join(dir, 'history.jsonl'), history.map(e => JSON.stringify(e)).join('\n'))
  return outcome
}

/** Waits until every client has delivered every committed (L1) message, or `ms` passes; returns how long it took. */
async function drain (cluster: Cluster, ms: number): Promise<number | undefined> {
  const start = Date.now()
  let stableSince: number | undefined
  while (Date.now() - start < ms) {
    const done = cluster.subscriberNames.every(n => cluster.isUp(n)) && cluster.deliveries.complete(cluster.subscriberNames)
    if (done) {
      stableSince ??= Date.now()
      if (Date.now() - stableSince >= 1_000) return stableSince - start
    } else {
      stableSince = undefined
    }
    await sleep(250)
  }
  return undefined
}

async function runOne (s: Scenario, seed: number): Promise<Outcome> {
  const started = Date.now()
  const dir = join(runDir, `${s.id}-seed${seed}`)
  const rand = prng(seed)
  const clients = long ? s.clients : s.shortClients ?? s.clients
  const cluster = new Cluster({ dir, relays: s.relays, clients, browsers: s.browsers, clocks: s.clocks, pageClocks: s.pageClocks, relayFlags: s.relayFlags, retainCount: s.retainCount, smallDisks: s.smallDisks, smallDiskBytes: s.smallDiskBytes, topics: TOPICS, rate: s.rate ?? RATE, payload: PAYLOAD, seed })
  let drainedMs: number | undefined
  try {
    await cluster.start()
    cluster.record({ t: Date.now(), type: 'phase', phase: 'warmup' })
    await sleep(WARMUP_MS)
    cluster.record({ t: Date.now(), type: 'phase', phase: 'faults' })
    const faultMs = long ? s.faultMs.long : s.faultMs.short
    // --heap-snapshots: every tab's heap at the end of the faults' second tenth and after the drain (the growth check's two phases)
    const early = heapSnapshots ? sleep(faultMs * 0.2).then(async () => await cluster.heapSnapshots('second-tenth')) : undefined
    await s.nemesis({ cluster, rand, until: Date.now() + faultMs, sleep, long })
    await early
    // heal everything, stop publishing, drain
    cluster.healAll()
    for (const name of cluster.procs.keys()) {
      cluster.resume(name)
      if (!cluster.isUp(name)) await cluster.restart(name)
    }
    cluster.stopPublishing()
    cluster.record({ t: Date.now(), type: 'phase', phase: 'heal' })
    drainedMs = await drain(cluster, drainMs)
    cluster.record({ t: Date.now(), type: 'phase', phase: 'drained' })
    if (heapSnapshots) console.log(`heap snapshots: ${(await cluster.heapSnapshots('drained')).join(' ')}`)
    if (s.settleMs !== undefined) await sleep(s.settleMs)
  } finally {
    await cluster.stop()
  }
  const report = check(cluster.history, { eligible: cluster.subscriberNames })
  const measured = s.measure?.(cluster.history, cluster) ?? {}
  const failures = [...checkerFailures(report), ...(drainedMs === undefined ? [`not drained within ${drainMs / 1000} s`] : []), ...s.pass(report, measured)]
  const faults: Record<string, number> = {}
  for (const e of cluster.history) {
    if (e.type !== 'nemesis') continue
    if (e.phase === 'start') faults[e.fault] = (faults[e.fault] ?? 0) + Math.max(1, e.targets.length)
    // what the power losses found: frames written past the last commit (never synced), and how many losses found any
    if (e.fault === 'power-loss' && e.phase === 'stop' && typeof e.info?.unsyncedBytes === 'number') {
      faults['power-loss unsynced bytes'] = (faults['power-loss unsynced bytes'] ?? 0) + e.info.unsyncedBytes
      if (e.info.unsyncedBytes > 0) faults['power-loss with unsynced frames'] = (faults['power-loss with unsynced frames'] ?? 0) + 1
    }
  }
  const outcome = { scenario: s.id, seed, report, failures, seconds: Math.round((Date.now() - started) / 1000), drainedMs, faults, ...(s.measure === undefined ? {} : { measured }) }
  writeFileSync(join(dir, 'report.json'), JSON.stringify(outcome, null, 2))
  if (failures.length === 0 && !keep) {
    rmSync(join(dir, 'history.jsonl'), { force: true })
    rmSync(join(dir, 'logs'), { recursive: true, force: true })
    for (let i = 1; i <= s.relays + clients; i++) for (const p of [`r${i}`, `n${i}`]) rmSync(join(dir, p), { recursive: true, force: true })
  }
  return outcome
}

mkdirSync(runDir, { recursive: true })
console.log(`chaos: seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')} (${long ? 'long' : 'short'} tier), results in ${runDir}`)
const outcomes: Outcome[] = []
for (const seed of seeds) {
  const runs: Array<{ id: string, what: string, run: () => Promise<Outcome> }> = [
    ...scenarios.map(s => ({ id: s.id, what: s.what, run: async () => await runOne(s, seed) })),
    ...simulations.map(s => ({ id: s.id, what: s.what, run: async () => await runSimulation(s, seed) }))
  ]
  for (const s of runs) {
    console.log(`chaos: ${s.id} seed ${seed}: ${s.what} …`)
    const o = await s.run()
    outcomes.push(o)
    const r = o.report
    const faults = Object.entries(o.faults).map(([f, n]) => `${f} x${n}`).join(', ') || 'none'
    console.log(`  ${o.failures.length === 0 ? 'PASS' : 'FAIL'} in ${o.seconds} s (faults: ${faults}): ${r.l1} committed, ${r.l2} acked by a peer, ${r.recovered} recovered, ${r.failed} failed; ` +
      `lost ${r.lost.total}, unexpected ${r.unexpected.total}, duplicates ${r.duplicated.violations} (+${r.duplicated.allowed} flagged redeliveries), FIFO ${r.fifo.regress + r.fifo.skip}, causal ${r.causal.violations}; ` +
      `delivery p50/p99/max ${r.latency.p50}/${r.latency.p99}/${r.latency.max} ms, convergence p50/p99/max ${r.convergence.p50}/${r.convergence.p99}/${r.convergence.max} ms ` +
      `(warm-up: delivery p99 ${r.warmup.latency.p99} ms, convergence p99 ${r.warmup.convergence.p99} ms, ${r.warmup.latency.count} deliveries), ` +
      `drained ${o.drainedMs ?? '–'} ms after heal, unseen 0 ${r.unseen.zeroAfterHealMs ?? '–'} ms after it; peak RSS ${r.resources.maxRssMb} MB, fds ${r.resources.maxFds}, causal buffer ${r.resources.maxBuffered}`)
    if (o.measured !== undefined) console.log(`  measured: ${JSON.stringify(o.measured)}`)
    for (const f of o.failures) console.log(`  ✗ ${f}`)
  }
}
writeFileSync(join(runDir, 'summary.json'), JSON.stringify(outcomes, null, 2))
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify({ long, seeds, runDir, outcomes }, null, 2))
const failed = outcomes.filter(o => o.failures.length > 0)
console.log(`chaos: ${outcomes.length - failed.length} passed, ${failed.length} failed`)
process.exit(failed.length === 0 ? 0 : 1)
