// The checkers of RELIABILITY.md 9.3, as one pure function over a recorded history. They reason
// only from what the clients observed (publish outcomes, deliveries, app acks) and what the
// controller did (nemesis, phases); they never read weft's own clocks or dependency fields.
import type { Deliver, HistoryEvent, PublishOk } from './history.ts'

export interface Quantiles { count: number, p50: number, p99: number, max: number }

export interface CheckReport {
  attempted: number
  l1: number
  l2: number
  failed: number
  /** Publishes with no known outcome (the publisher crashed) that were delivered somewhere: allowed. */
  recovered: number
  /** Committed (L1) messages an eligible node never delivered, split per sender around what it did deliver. */
  lost: { total: number, prefix: number, middle: number, postfix: number, examples: string[] }
  /** Deliveries of ids nobody attempted. */
  unexpected: { total: number, examples: string[] }
  /** Second deliveries: allowed only flagged `redelivered`, after a crash of that node, and not app-acked before it. */
  duplicated: { allowed: number, violations: number, examples: string[] }
  /** Per (node, sender): first deliveries must go 1, 2, 3… */
  fifo: { regress: number, skip: number, examples: string[] }
  /** A delivery before something its sender had delivered before publishing it. */
  causal: { violations: number, examples: string[] }
  /** Two ids with one (sender, seq); `split` when eligible nodes ended with different choices. */
  equivocation: { pairs: number, split: number }
  /** deliver time − max(ack time, last heal touching the receiver or the sender), ms; messages published after the warm-up. */
  convergence: Quantiles
  /** deliver time − publish invoke time, first deliveries at other nodes, ms; messages published after the warm-up. */
  latency: Quantiles
  /**
   * The same two for the messages published during the warm-up (the run's first 10 s, while the
   * nodes' meshes form and their code warms up), reported apart and held to no threshold. A
   * history without phases (the in-process simulations) has no warm-up.
   */
  warmup: { latency: Quantiles, convergence: Quantiles }
  /** Committed messages not yet delivered at eligible nodes, sampled each second. */
  unseen: { max: number, final: number, zeroAfterHealMs: number | undefined }
  resources: { maxRssMb: number, maxFds: number, maxBuffered: number, maxBufferedBytes: number }
  ok: boolean
}

export interface CheckOptions {
  /** Nodes that subscribed to every topic and were up and connected in the final drain. */
  eligible: string[]
}

const EXAMPLES = 5

/** Seqs count per (sender, topic): each topic is its own log, and causal order holds within a topic. */
const stream = (sender: string, topic: string): string => `${sender} ${topic}`
const short = (st: string): string => { const [s, t] = st.split(' '); return `${s!.slice(-6)}@${t}` }

export function quantiles (xs: number[]): Quantiles {
  if (xs.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 }
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!
  return { count: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! }
}

export function check (history: HistoryEvent[], options: CheckOptions): CheckReport {
  const invokes = new Map<string, { t: number, node: string }>()
  const l1 = new Map<string, PublishOk>() // id -> L1 outcome
  const ackAt = new Map<string, number>() // id -> L2 time, else L1 time
  const l2Ids = new Set<string>()
  const failedKeys = new Set<string>()
  const nodeOfSender = new Map<string, string>()
  const deliveries = new Map<string, Deliver[]>() // node -> its deliveries in order
  const appAcks: Array<{ t: number, node: string, id: string }> = []
  const crashes = new Map<string, number[]>() // node -> crash times
  const heals: Array<{ t: number, targets: string[] }> = []
  const bySenderSeq = new Map<string, Set<string>>() // sender/seq -> ids
  let healAt: number | undefined
  let faultsAt: number | undefined
  let maxRss = 0
  let maxFds = 0
  let maxBuffered = 0
  let maxBufferedBytes = 0
  // what each node had delivered (first deliveries), per sender, at each publish-invoke: the checker's own causal truth
  const highest = new Map<string, Map<string, number>>()
  const depsAtInvoke = new Map<string, Map<string, number>>() // key -> snapshot
  const seenAt = new Map<string, Set<string>>()

  for (const e of history) {
    switch (e.type) {
      case 'publish-invoke':
        invokes.set(e.key, { t: e.t, node: e.node })
        depsAtInvoke.set(e.key, new Map(highest.get(e.node) ?? []))
        break
      case 'publish-ok':
        if (e.level === 'L1') {
          l1.set(e.id, e)
          if (!ackAt.has(e.id)) ackAt.set(e.id, e.t)
          nodeOfSender.set(e.sender, e.node)
          const k = `${stream(e.sender, e.topic)}/${e.seq}`
          if (!bySenderSeq.has(k)) bySenderSeq.set(k, new Set())
          bySenderSeq.get(k)!.add(e.id)
        } else {
          ackAt.set(e.id, e.t)
          l2Ids.add(e.id)
        }
        break
      case 'publish-fail':
        failedKeys.add(e.key)
        break
      case 'deliver': {
        if (!deliveries.has(e.node)) deliveries.set(e.node, [])
        deliveries.get(e.node)!.push(e)
        if (!seenAt.has(e.node)) seenAt.set(e.node, new Set())
        const seen = seenAt.get(e.node)!
        if (!seen.has(e.id)) {
          seen.add(e.id)
          if (!highest.has(e.node)) highest.set(e.node, new Map())
          const h = highest.get(e.node)!
          const st = stream(e.sender, e.topic)
          h.set(st, Math.max(h.get(st) ?? 0, e.seq))
        }
        break
      }
      case 'app-ack':
        appAcks.push({ t: e.t, node: e.node, id: e.id })
        break
      case 'crash':
        if (!crashes.has(e.node)) crashes.set(e.node, [])
        crashes.get(e.node)!.push(e.t)
        break
      case 'start':
        if (e.sender !== undefined) nodeOfSender.set(e.sender, e.node)
        break
      case 'nemesis':
        if (e.phase === 'stop') heals.push({ t: e.t, targets: e.targets })
        break
      case 'phase':
        if (e.phase === 'heal' && healAt === undefined) healAt = e.t
        if (e.phase === 'faults' && faultsAt === undefined) faultsAt = e.t
        break
      case 'sample':
        maxRss = Math.max(maxRss, e.rssMb ?? 0)
        maxFds = Math.max(maxFds, e.fds ?? 0)
        maxBuffered = Math.max(maxBuffered, e.buffered ?? 0)
        maxBufferedBytes = Math.max(maxBufferedBytes, e.bufferedBytes ?? 0)
        break
    }
  }

  const keyOfId = new Map<string, string>()
  for (const [id, ok] of l1) keyOfId.set(id, ok.key)
  // A publisher killed between its commit and writing the L1 line leaves an attempt with no
  // outcome; its message may still be delivered: "recovered" when its sender's node has such
  // an attempt, otherwise "unexpected" (nobody attempted it).
  const okKeys = new Set([...l1.values()].map(o => o.key))
  const unknownOutcomes = new Map<string, number>() // node -> attempts without outcome
  for (const [key, inv] of invokes) if (!okKeys.has(key) && !failedKeys.has(key)) unknownOutcomes.set(inv.node, (unknownOutcomes.get(inv.node) ?? 0) + 1)
  const recoveredIds = new Set<string>()
  const unexpected: string[] = []
  for (const [node, ds] of deliveries) {
    for (const d of ds) {
      if (l1.has(d.id) || recoveredIds.has(d.id)) continue
      const publisher = nodeOfSender.get(d.sender)
      if (publisher !== undefined && (unknownOutcomes.get(publisher) ?? 0) > 0) recoveredIds.add(d.id)
      else unexpected.push(`${node} got ${d.id.slice(0, 12)} (${d.sender.slice(-6)}/${d.seq})`)
    }
  }

  // duplicates
  let dupAllowed = 0
  const dupBad: string[] = []
  for (const [node, ds] of deliveries) {
    const first = new Map<string, number>()
    for (const d of ds) {
      const prev = first.get(d.id)
      if (prev === undefined) {
        first.set(d.id, d.t)
        continue
      }
      const crash = (crashes.get(node) ?? []).find(c => c >= prev && c <= d.t)
      const ackedBefore = crash !== undefined && appAcks.some(a => a.node === node && a.id === d.id && a.t <= crash)
      if (d.redelivered && crash !== undefined && !ackedBefore) dupAllowed++
      else dupBad.push(`${node}: ${d.sender.slice(-6)}/${d.seq} again${d.redelivered ? '' : ' unflagged'}${crash === undefined ? ', no crash between' : ''}${ackedBefore ? ', app-acked before the crash' : ''}`)
    }
  }

  // FIFO and causal, on first deliveries
  let regress = 0
  let skip = 0
  const fifoEx: string[] = []
  const causalEx: string[] = []
  let causal = 0
  for (const [node, ds] of deliveries) {
    const seen = new Set<string>()
    const vc = new Map<string, number>()
    for (const d of ds) {
      if (seen.has(d.id)) continue
      seen.add(d.id)
      const st = stream(d.sender, d.topic)
      const top = vc.get(st) ?? 0
      if (d.seq <= top) {
        regress++
        if (fifoEx.length < EXAMPLES) fifoEx.push(`${node}: ${short(st)} seq ${d.seq} after ${top}`)
      } else if (d.seq > top + 1) {
        skip++
        if (fifoEx.length < EXAMPLES) fifoEx.push(`${node}: ${short(st)} seq ${d.seq} after ${top} (skipped ${d.seq - top - 1})`)
      }
      const key = keyOfId.get(d.id)
      const deps = key === undefined ? undefined : depsAtInvoke.get(key)
      if (deps !== undefined) {
        for (const [x, need] of deps) {
          if (x === st || !x.endsWith(` ${d.topic}`)) continue
          if ((vc.get(x) ?? 0) < need) {
            causal++
            if (causalEx.length < EXAMPLES) causalEx.push(`${node}: ${short(st)}/${d.seq} before ${short(x)}/${need} (had ${vc.get(x) ?? 0})`)
            break
          }
        }
      }
      vc.set(st, Math.max(top, d.seq))
    }
  }

  // equivocation: one (sender, seq), several ids; split if eligible nodes kept different ones
  let pairs = 0
  let split = 0
  for (const ids of bySenderSeq.values()) {
    if (ids.size < 2) continue
    pairs++
    const kept = new Set(options.eligible.map(n => [...ids].find(id => seenAt.get(n)?.has(id)) ?? 'none'))
    if (kept.size > 1) split++
  }

  // lost, split per sender around what each node delivered
  let prefix = 0
  let middle = 0
  let postfix = 0
  const lostEx: string[] = []
  for (const node of options.eligible) {
    const seen = seenAt.get(node) ?? new Set<string>()
    const range = new Map<string, [number, number]>()
    for (const d of deliveries.get(node) ?? []) {
      const st = stream(d.sender, d.topic)
      const r = range.get(st)
      range.set(st, r === undefined ? [d.seq, d.seq] : [Math.min(r[0], d.seq), Math.max(r[1], d.seq)])
    }
    for (const [id, ok] of l1) {
      if (seen.has(id)) continue
      const r = range.get(stream(ok.sender, ok.topic))
      if (r !== undefined && ok.seq < r[0]) prefix++
      else if (r !== undefined && ok.seq < r[1]) middle++
      else postfix++
      if (lostEx.length < EXAMPLES) lostEx.push(`${node} never delivered ${ok.sender.slice(-6)}/${ok.seq} (${ok.topic})`)
    }
  }

  // convergence and latency
  const conv: number[] = []
  const lat: number[] = []
  const warmConv: number[] = []
  const warmLat: number[] = []
  for (const [node, ds] of deliveries) {
    const seen = new Set<string>()
    for (const d of ds) {
      if (seen.has(d.id)) continue
      seen.add(d.id)
      const ok = l1.get(d.id)
      if (ok === undefined || ok.node === node) continue
      const inv = invokes.get(ok.key)
      const warm = faultsAt !== undefined && (inv?.t ?? ok.t) < faultsAt
      if (inv !== undefined) (warm ? warmLat : lat).push(d.t - inv.t)
      const acked = ackAt.get(d.id) ?? ok.t
      const heal = heals.filter(h => h.t <= d.t && (h.targets.includes(node) || h.targets.includes(ok.node) || h.targets.includes('*'))).reduce((m, h) => Math.max(m, h.t), 0)
      ;(warm ? warmConv : conv).push(Math.max(0, d.t - Math.max(acked, heal)))
    }
  }

  // unseen curve
  const first = new Map<string, Map<string, number>>() // node -> id -> first delivery time
  for (const [node, ds] of deliveries) {
    const m = new Map<string, number>()
    for (const d of ds) if (!m.has(d.id)) m.set(d.id, d.t)
    first.set(node, m)
  }
  // as steps: +1 when a message is committed, -1 when a node first delivers it; sampled each second
  const steps: Array<[number, number]> = []
  for (const node of options.eligible) {
    const got = first.get(node)
    for (const [id, ok] of l1) {
      const at = got?.get(id)
      if (at !== undefined && at <= ok.t) continue // delivered before its L1 line was written: never unseen
      steps.push([ok.t, 1])
      if (at !== undefined) steps.push([at, -1])
    }
  }
  steps.sort((a, b) => a[0] - b[0])
  let start = Infinity
  let end = -Infinity
  for (const e of history) {
    if (e.t < start) start = e.t
    if (e.t > end) end = e.t
  }
  let maxUnseen = 0
  let finalUnseen = 0
  let zeroAfterHeal: number | undefined
  let level = 0
  let k = 0
  for (let t = start; t <= end + 1000; t += 1000) {
    while (k < steps.length && steps[k]![0] <= t) level += steps[k++]![1]
    maxUnseen = Math.max(maxUnseen, level)
    finalUnseen = level
    if (healAt !== undefined && t >= healAt && level === 0 && zeroAfterHeal === undefined) zeroAfterHeal = t - healAt
    if (level > 0) zeroAfterHeal = undefined
  }

  const lostTotal = prefix + middle + postfix
  return {
    attempted: invokes.size,
    l1: l1.size,
    l2: l2Ids.size,
    failed: failedKeys.size,
    recovered: recoveredIds.size,
    lost: { total: lostTotal, prefix, middle, postfix, examples: lostEx },
    unexpected: { total: unexpected.length, examples: unexpected.slice(0, EXAMPLES) },
    duplicated: { allowed: dupAllowed, violations: dupBad.length, examples: dupBad.slice(0, EXAMPLES) },
    fifo: { regress, skip, examples: fifoEx },
    causal: { violations: causal, examples: causalEx },
    equivocation: { pairs, split },
    convergence: quantiles(conv),
    latency: quantiles(lat),
    warmup: { latency: quantiles(warmLat), convergence: quantiles(warmConv) },
    unseen: { max: maxUnseen, final: finalUnseen, zeroAfterHealMs: zeroAfterHeal },
    resources: { maxRssMb: maxRss, maxFds, maxBuffered, maxBufferedBytes },
    ok: lostTotal === 0 && unexpected.length === 0 && dupBad.length === 0 && regress + skip === 0 && causal === 0 && split === 0
  }
}
