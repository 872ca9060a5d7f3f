// Storage benchmarks: WeftStore on SQLite (Node) and on IndexedDB (Chromium), each
// against bare writes of the same bytes in one transaction per batch, in the same run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { WeftStore, sealEnvelope, seqKey } from '@weft/core'
import { nodeCrypto, nodeSigner } from '@weft/crypto-node'
import { SqliteStore } from '@weft/storage-sqlite'
import { buildPage } from '../../e2e/lib/build-page.ts'
import { launch } from '../../e2e/lib/chromium.ts'
import { serveStatic } from '../../e2e/lib/static-server.ts'
import { median, round } from '../report.ts'
import type { Envelope } from '@weft/core'
import type { Report } from '../report.ts'
import type { Suite } from '../suite.ts'

const BATCH = 256
const N = 20_000

async function envelopes (n: number): Promise<Envelope[]> {
  const crypto = nodeCrypto()
  const signers = [1, 2, 3, 4].map(i => nodeSigner(new Uint8Array(32).fill(i)))
  const seqs = [0, 0, 0, 0]
  const out: Envelope[] = []
  for (let i = 0; i < n; i++) {
    const a = i % 4
    out.push(await sealEnvelope({ network: 'bench', topic: 'store', seq: ++seqs[a]!, time: i, context: { full: false, deps: [] }, payload: new Uint8Array(1024).fill(i & 0xff) }, signers[a]!, crypto))
  }
  return out
}

async function weftSqlite (envs: Envelope[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'))
  const store = await WeftStore.open(SqliteStore.open({ path: join(dir, 'weft.db') }), { now: Date.now, randomId: () => 'bench' })
  const t0 = performance.now()
  for (let i = 0; i < envs.length; i += BATCH) await store.appendReceived('store', envs.slice(i, i + BATCH))
  const rate = envs.length / ((performance.now() - t0) / 1000)
  if ((await store.stats('store')).count !== envs.length) throw new Error('not everything was stored')
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  return rate
}

/** The baseline: the same bytes under comparable keys, bare INSERTs into the same table layout (a rowid table keyed by k), one transaction per batch, same pragmas. */
function rawSqlite (envs: Envelope[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'))
  const db = new DatabaseSync(join(dir, 'raw.db'))
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL)')
  const insert = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)')
  const enc = new TextEncoder()
  const t0 = performance.now()
  for (let i = 0; i < envs.length; i += BATCH) {
    db.exec('BEGIN IMMEDIATE')
    for (const e of envs.slice(i, i + BATCH)) insert.run(enc.encode(`msg\u0000store\u0000${e.author}\u0000${seqKey(e.seq)}`), e.bytes)
    db.exec('COMMIT')
  }
  const rate = envs.length / ((performance.now() - t0) / 1000)
  db.close()
  rmSync(dir, { recursive: true, force: true })
  return rate
}

async function sqlite (report: Report): Promise<void> {
  const envs = await envelopes(N)
  const weft: number[] = []
  const raw: number[] = []
  for (let run = 0; run < 3; run++) {
    raw.push(rawSqlite(envs))
    weft.push(await weftSqlite(envs))
  }
  report.add('store.sqlite.raw.msgs_per_s', { value: round(median(raw)), unit: 'msg/s', note: `bare INSERTs of ${N} 1 KiB envelopes, ${BATCH} per transaction, WAL, synchronous=FULL; median of 3` })
  report.add('store.sqlite.append.msgs_per_s', {
    value: round(median(weft)),
    unit: 'msg/s',
    baseline: 'store.sqlite.raw.msgs_per_s',
    target: '>= 50,000, ratio >= 0.7',
    note: `WeftStore.appendReceived (checksums, held vector, stats) on SqliteStore, ${BATCH} per write, synchronous=FULL; median of 3`
  })
}

async function idb (report: Report): Promise<void> {
  const dir = await buildPage(new URL('../../e2e/fixtures/store-page/', import.meta.url).pathname)
  const server = await serveStatic(dir)
  const browser = await launch()
  try {
    const page = await browser.newPage()
    await page.goto(server.url)
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
    const runs: Array<{ append: number, raw: number }> = []
    for (let run = 0; run < 3; run++) {
      runs.push(await page.evaluate(({ n, batch }) => (globalThis as any).lab.bench(n, batch), { n: 5000, batch: BATCH }))
    }
    report.add('store.idb.raw.msgs_per_s', { value: round(median(runs.map(r => r.raw))), unit: 'msg/s', note: `Chromium ${browser.version()}: bare put() of 5,000 1 KiB envelopes, ${BATCH} per strict transaction; median of 3` })
    report.add('store.idb.append.msgs_per_s', {
      value: round(median(runs.map(r => r.append))),
      unit: 'msg/s',
      baseline: 'store.idb.raw.msgs_per_s',
      target: '>= 5,000, ratio >= 0.7',
      note: `WeftStore.appendReceived on IdbStore in Chromium, ${BATCH} per strict transaction; median of 3`
    })
  } finally {
    await browser.close()
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export const storeSuite: Suite = {
  name: 'store',
  metrics: ['store.sqlite', 'store.idb'],
  async run (report, wanted) {
    if (wanted('store.sqlite')) await sqlite(report)
    if (wanted('store.idb')) await idb(report)
  }
}
