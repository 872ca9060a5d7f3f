// The power-loss fault on a real SQLite WAL: a writer commits 200 rows, then is SIGKILLed in the
// middle of a large transaction whose pages spilled into the WAL. losePower cuts and tears that
// unsynced tail; the database then opens, passes its integrity check and holds exactly the
// 200 committed rows.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { prng } from '@weft/test-suites/prng'
import { afterEach, describe, expect, it } from 'vitest'
import { losePower } from './power-loss.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

const WRITER = `
const { DatabaseSync } = require('node:sqlite')
const db = new DatabaseSync(process.argv[1])
db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=16; PRAGMA wal_autocheckpoint=0; CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)')
const put = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)')
for (let i = 1; i <= 200; i++) put.run(i, Buffer.alloc(512, i))
db.exec('BEGIN')
for (let i = 201; i <= 20000; i++) put.run(i, Buffer.alloc(512, 7))
console.log('in the middle')
setInterval(() => {}, 1000)
`

describe('power loss on a SQLite WAL', () => {
  for (const seed of [1, 2, 3]) {
    it(`keeps every committed row and nothing else (seed ${seed})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'weft-power-'))
      dirs.push(dir)
      const db = join(dir, 'db.sqlite')
      const child = spawn(process.execPath, ['-e', WRITER, db], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>(resolve => child.stdout!.once('data', () => resolve()))
      const walBefore = statSync(`${db}-wal`).size
      child.kill('SIGKILL')
      await new Promise(resolve => child.once('exit', resolve))
      const loss = losePower(`${db}-wal`, prng(seed))
      expect(loss.unsyncedBytes).toBeGreaterThan(0) // the open transaction had spilled
      expect(loss.cutBytes).toBeGreaterThan(0)
      expect(statSync(`${db}-wal`).size).toBe(walBefore - loss.cutBytes)
      const reopened = new DatabaseSync(db)
      try {
        expect(reopened.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
        expect(reopened.prepare('SELECT count(*) AS n, max(k) AS top FROM t').get()).toEqual({ n: 200, top: 200 })
      } finally {
        reopened.close()
      }
    })
  }
})
