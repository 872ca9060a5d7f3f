import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreAdapterTests } from '@weft/test-suites'
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

  it('says clearly when the file cannot be opened', () => {
    expect(() => SqliteStore.open({ path: '/etc/hostname/weft/nope.db' })).toThrow(expect.objectContaining({ name: 'StoreError' }))
  })

  it('encodes keys so that byte order is key order, and back', () => {
    const samples = [['a'], ['a', 'b'], ['a', ''], ['a\u0000'], ['a\u0001', 'x'], ['a', 'b\u0000c'], ['é', 'ü']]
    for (const k of samples) expect(decodeKey(encodeKey(k))).toEqual(k)
  })
})
