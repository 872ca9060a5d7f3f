import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreAdapterTests } from '@weft/test-suites'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { SqliteStore } from './sqlite-store.ts'
import { decodeKey, encodeKey } from './key-codec.ts'

runStoreAdapterTests('SqliteStore (file on disk)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-'))
  const path = join(dir, 'weft.db')
  let adapter = SqliteStore.open({ path })
  return {
    adapter,
    reopen: async () => {
      await adapter.close()
      adapter = SqliteStore.open({ path })
      return adapter
    },
    setCap: async (bytes) => { adapter.setMaxBytes(bytes) },
    teardown: async () => {
      await adapter.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
})

describe('SqliteStore specifics', () => {
  it('keeps the database readable by its owner only, in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-'))
    try {
      const store = SqliteStore.open({ path: join(dir, 'sub', 'weft.db') })
      await store.write([{ type: 'put', key: ['x'], value: new Uint8Array(1) }])
      expect(statSync(join(dir, 'sub', 'weft.db')).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700)
      expect(statSync(join(dir, 'sub', 'weft.db-wal')).isFile()).toBe(true)
      await store.close()
      await expect(store.get(['x'])).rejects.toHaveProperty('name', 'StoreError')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('stores 1 KiB messages in about their size on disk: rows up to ~4 KB stay on their page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-'))
    try {
      const path = join(dir, 'weft.db')
      const store = SqliteStore.open({ path })
      let live = 0
      for (let batch = 0; batch < 40; batch++) {
        const ops = Array.from({ length: 64 }, (_, i) => {
          const key = ['m', 'topic', '12D3KooWPT98FXMfDQYavZm66EeVjTqP9Nnehn1gyaydqV8L8BQw', String(batch * 64 + i).padStart(16, '0')]
          const value = new Uint8Array(1200).fill(i)
          live += encodeKey(key).length + value.length
          return { type: 'put' as const, key, value }
        })
        await store.write(ops)
      }
      await store.close()
      const db = new DatabaseSync(path)
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
      db.close()
      const ratio = statSync(path).size / live
      // measured 1.13 (the old WITHOUT ROWID table: 3.7, one overflow page per row)
      expect(ratio).toBeLessThan(1.3)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('moves a store of an earlier release (a WITHOUT ROWID table) to the rowid table, keeping every record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-'))
    try {
      const path = join(dir, 'weft.db')
      const old = new DatabaseSync(path)
      old.exec('PRAGMA journal_mode = WAL; CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID')
      const put = old.prepare('INSERT INTO kv (k, v) VALUES (?, ?)')
      const k = (i: number): string[] => ['m', 't', String(i).padStart(4, '0')]
      for (let i = 0; i < 300; i++) put.run(encodeKey(k(i)), new Uint8Array(1500).fill(i % 251))
      old.close()
      const store = SqliteStore.open({ path })
      const all = await store.range(['m', 't'])
      expect(all.map(e => e.key)).toEqual(Array.from({ length: 300 }, (_, i) => k(i)))
      expect(all.every((e, i) => e.value.length === 1500 && e.value[0] === i % 251)).toBe(true)
      await store.write([{ type: 'put', key: k(300), value: new Uint8Array(3) }])
      await store.close()
      const check = new DatabaseSync(path)
      const table = check.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'kv'").get() as { sql: string }
      check.close()
      expect(table.sql).not.toMatch(/WITHOUT ROWID/i)
      const again = SqliteStore.open({ path }) // a second open finds nothing to move
      expect(await again.range(['m', 't'])).toHaveLength(301)
      await again.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps an earlier release\'s table, working, when moving it fails (here: the new table\'s name is taken)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-'))
    try {
      const path = join(dir, 'weft.db')
      const old = new DatabaseSync(path)
      old.exec('PRAGMA journal_mode = WAL; CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID; CREATE TABLE kv_rowid (x)')
      old.prepare('INSERT INTO kv (k, v) VALUES (?, ?)').run(encodeKey(['m', 'a']), new Uint8Array([1]))
      old.close()
      const store = SqliteStore.open({ path })
      expect(await store.get(['m', 'a'])).toEqual(new Uint8Array([1]))
      await store.write([{ type: 'put', key: ['m', 'b'], value: new Uint8Array([2]) }])
      expect((await store.range(['m'])).map(e => e.key)).toEqual([['m', 'a'], ['m', 'b']])
      await store.close()
      const check = new DatabaseSync(path)
      const table = check.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'kv'").get() as { sql: string }
      check.close()
      expect(table.sql).toMatch(/WITHOUT ROWID/i) // rolled back whole: still the old table
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('says clearly when the file cannot be opened', () => {
    expect(() => SqliteStore.open({ path: '/etc/hostname/weft/nope.db' })).toThrow(expect.objectContaining({ name: 'StoreError' }))
  })

  it('encodes keys so that byte order is key order, and back', () => {
    const samples = [['a'], ['a', 'b'], ['a', ''], ['a\u0000'], ['a\u0001', 'x'], ['a', 'b\u0000c'], ['é', 'ü']]
    for (const k of samples) expect(decodeKey(encodeKey(k))).toEqual(k)
  })
})
