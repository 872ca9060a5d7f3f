/**
 * One author identity per tab. Tabs of one origin share one IndexedDB, and
 * each tab is its own libp2p peer, so each needs its own peer id anyway. The
 * store keeps a pool of identities; a tab claims the first one no other tab
 * holds, with an exclusive Web Lock held for the tab's lifetime (the browser
 * releases it when the tab closes or crashes). A reloaded tab gets its
 * identity, and so its outbox, back; a duplicated tab gets another one. Only
 * the lock holder writes as that author, and `appendOwn` is conditional on the
 * seq counter besides, so no (author, seq) is ever written twice.
 */
import type { AuthorId, WeftStore } from '@weft/core'

export interface TabIdentity {
  /** The identity's name in the store's pool. */
  readonly name: string
  /** Its secret key bytes, as stored. */
  readonly secret: Uint8Array
  /** True when this claim created it. */
  readonly created: boolean
  /** Lets another tab claim it. Safe to call twice. */
  release(): void
}

export interface TabIdentityInit {
  /** Makes a new identity when every stored one is held by another tab. */
  create(): Promise<{ secret: Uint8Array, author: AuthorId }>
  /** Lock name prefix; one pool per store. @default 'weft:identity' */
  lockPrefix?: string
  /** Identities in the pool, at most. Past it, claiming fails. @default 64 */
  maxIdentities?: number
  /**
   * The identity this tab held before (kept by the caller in sessionStorage, which
   * survives a reload): waited for up to `preferWaitMs`, since the page being
   * replaced may still hold its lock for a moment.
   */
  prefer?: string
  /** @default 3000 */
  preferWaitMs?: number
}

/** Claims an identity no other tab of this origin holds, creating one if all are taken. */
export async function claimTabIdentity (store: WeftStore, init: TabIdentityInit): Promise<TabIdentity> {
  const prefix = init.lockPrefix ?? 'weft:identity'
  const max = init.maxIdentities ?? 64
  if (init.prefer !== undefined && (await store.identities()).includes(init.prefer)) {
    const release = await waitLock(`${prefix}:${init.prefer}`, init.preferWaitMs ?? 3000)
    const secret = release === undefined ? undefined : await store.identity(init.prefer)
    if (release !== undefined && secret !== undefined) return { name: init.prefer, secret, created: false, release }
    release?.()
  }
  for (let attempt = 0; attempt < max + 4; attempt++) {
    const names = await store.identities()
    for (const name of names) {
      const release = await tryLock(`${prefix}:${name}`)
      if (release === undefined) continue
      const secret = await store.identity(name)
      if (secret === undefined) {
        release() // corrupt record: reported by the store; try the next one
        continue
      }
      return { name, secret, created: false, release }
    }
    if (names.length >= max) break
    // a new name; one whose lock is held is being created by another tab right now: take the next
    for (let k = names.length + 1; k <= max; k++) {
      const name = `tab-${String(k).padStart(3, '0')}`
      if (names.includes(name)) continue
      const release = await tryLock(`${prefix}:${name}`)
      if (release === undefined) continue
      const made = await init.create()
      try {
        await store.createIdentity(name, made.secret, made.author)
      } catch (err) {
        release()
        if ((err as Error).name === 'WriteConflictError') break // created meanwhile: read the names again
        throw err
      }
      return { name, secret: made.secret, created: true, release }
    }
  }
  throw new Error(`no free identity in a pool of ${max}: close some tabs`)
}

/** Waits up to `ms` for an exclusive Web Lock; resolves to its release function, or undefined on timeout. */
async function waitLock (name: string, ms: number): Promise<(() => void) | undefined> {
  return await new Promise((resolve) => {
    navigator.locks.request(name, { signal: AbortSignal.timeout(ms) }, async () => { await holdUntilReleased(resolve) })
      .catch(() => resolve(undefined))
  })
}

/** Takes an exclusive Web Lock if free; resolves to its release function, or undefined if another tab holds it. */
async function tryLock (name: string): Promise<(() => void) | undefined> {
  return await new Promise((resolve, reject) => {
    navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
      if (lock === null) resolve(undefined)
      else await holdUntilReleased(resolve)
    }).catch(reject)
  })
}

/** Inside a lock callback: hands out a release function (safe to call twice) and keeps the lock until it is called. */
async function holdUntilReleased (resolve: (release: () => void) => void): Promise<void> {
  await new Promise<void>(release => {
    let done = false
    resolve(() => {
      if (!done) {
        done = true
        release()
      }
    })
  })
}
