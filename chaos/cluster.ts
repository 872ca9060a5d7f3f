// The processes of one chaos run: `weft relay` processes and chaos clients (chaos/client.ts),
// every link between them through its own LinkProxy, and what the nemeses do to them (SIGKILL
// and restart, SIGSTOP/SIGCONT, power loss, cutting links, moving the wall clock of clients run
// under libfaketime). Client histories and the
// controller's own events go, in arrival order, into one history (and history.jsonl).
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, createWriteStream, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, statfsSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { build } from 'vite'
import { launch } from '../e2e/lib/chromium.ts'
import { serveStatic } from '../e2e/lib/static-server.ts'
import { faketimeCleanup, faketimeEnv, libfaketime, setFakeOffset } from '../scripts/faketime.ts'
import { startRelayProcess } from '../scripts/relay-process.ts'
import { flipBit } from './bit-flip.ts'
import { DeliveryTracker } from './delivery-tracker.ts'
import { losePower } from './power-loss.ts'
import { measureStore } from './store-size.ts'
import type { BitFlip } from './bit-flip.ts'
import { LinkProxy } from './proxy.ts'
import type { ClientConfig } from './client.ts'
import type { HistoryEvent } from './history.ts'
import type { PowerLoss } from './power-loss.ts'
import type { StoreSize, TabStoreSize } from './store-size.ts'
import type { ChildProcess } from 'node:child_process'
import type { WriteStream } from 'node:fs'
import type { StaticServer } from '../e2e/lib/static-server.ts'
import type { Browser, Page } from 'playwright-core'

const CLIENT = new URL('./client.ts', import.meta.url).pathname
const PAGE = new URL('./page/', import.meta.url).pathname
export const NETWORK = 'weft-chaos'

interface Proc {
  name: string
  kind: 'relay' | 'client' | 'browser'
  child?: ChildProcess
  dataDir: string
  /** relay: its peer id and TCP port once started */
  peerId?: string
  port?: number
  wsPort?: number
  /** browser: its tab */
  page?: Page
  /** client under libfaketime: the file its wall-clock offset is read from (setClock) */
  clock?: string
  /** browser tab under Playwright's clock (setClock moves its Date) */
  pageClock?: boolean
  paused: boolean
  starts: number
}

export interface ClusterInit {
  dir: string
  relays: number
  clients: number
  /** Chromium tabs as clients (chaos/page), reaching the relays over WebSockets. @default 0 */
  browsers?: number
  /** Clients n1…nK run under libfaketime, each with its own clock (setClock). @default 0 */
  clocks?: number
  /**
   * Tabs b1…bK run under Playwright's clock, installed before the page loads, so setClock can move
   * their `Date` while `performance.now()` and timers keep real time. @default 0
   */
  pageClocks?: number
  /**
   * The last K clients keep their data on a small disk of their own: a tmpfs of smallDiskBytes
   * mounted on their data folder for the run (root, or a user namespace as scripts/loopback-only.ts makes), which `fillDisk` fills. @default 0
   */
  smallDisks?: number
  /** Size of each small disk: it must hold what the client stores in the run. @default SMALL_DISK_BYTES */
  smallDiskBytes?: number
  /** Extra flags for every `weft relay` (C9: libp2p's circuit limits). */
  relayFlags?: string[]
  /** Every node (relay, client, tab) keeps at most this many messages per topic (PeerInit.retention). @default all */
  retainCount?: number
  /** Each client's links: to this many relays. @default 2 */
  relaysPerClient?: number
  topics: string[]
  /** Messages per second over all clients. */
  rate: number
  payload: ClientConfig['payload']
  seed: number
}

/** How long the first start may take until every client and tab is up and subscribed. */
const START_TIMEOUT_MS = 120_000

/** Default size of a client's own disk (ClusterInit.smallDisks): enough for the short and long tiers of C7. */
export const SMALL_DISK_BYTES = 64 * 1024 * 1024

export class Cluster {
  readonly history: HistoryEvent[] = []
  /** Whether every committed message reached every subscriber yet (for the drain). */
  readonly deliveries = new DeliveryTracker()
  readonly procs = new Map<string, Proc>()
  /** `${from}->${to}` */
  readonly links = new Map<string, LinkProxy>()
  /** With a retention (`retainCount`): every Node store, measured at stop once its process exited. */
  readonly stores: StoreSize[] = []
  /** With a retention: every tab's store, measured through its page at the start of stop. */
  readonly tabStores: TabStoreSize[] = []
  readonly #init: ClusterInit
  readonly #out: WriteStream
  readonly #logs: string
  #publishing = true
  /** Set once every node of the first start is up: until then clients and tabs hold their publishing. */
  #started = false
  #sampler: ReturnType<typeof setInterval> | undefined
  #browser: Browser | undefined
  /** Tabs switched offline by isolate. */
  readonly #offlineTabs = new Set<string>()
  #server: StaticServer | undefined
  readonly #pageLog: WriteStream
  /** tmpfs mounts made for small disks, unmounted at stop */
  readonly #mounts: string[] = []

  constructor (init: ClusterInit) {
    this.#init = init
    mkdirSync(init.dir, { recursive: true })
    this.#logs = join(init.dir, 'logs')
    mkdirSync(this.#logs, { recursive: true })
    this.#out = createWriteStream(join(init.dir, 'history.jsonl'))
    this.#pageLog = createWriteStream(join(this.#logs, 'browsers.log'))
  }

  record (e: HistoryEvent): void {
    this.history.push(e)
    this.deliveries.observe(e)
    this.#out.write(`${JSON.stringify(e)}\n`)
  }

  get relayNames (): string[] { return [...this.procs.values()].filter(p => p.kind === 'relay').map(p => p.name) }
  get clientNames (): string[] { return [...this.procs.values()].filter(p => p.kind === 'client').map(p => p.name) }
  get browserNames (): string[] { return [...this.procs.values()].filter(p => p.kind === 'browser').map(p => p.name) }
  /** Everything that subscribes and must deliver: Node clients and browser tabs. */
  get subscriberNames (): string[] { return [...this.clientNames, ...this.browserNames] }

  /** Relays of client i: i mod R, then the next ones. */
  relaysOf (client: string): string[] {
    const i = Number(client.slice(1)) - 1
    const n = Math.min(this.#init.relaysPerClient ?? 2, this.#init.relays)
    return Array.from({ length: n }, (_, k) => `r${((i + k) % this.#init.relays) + 1}`)
  }

  async start (): Promise<void> {
    for (let i = 1; i <= this.#init.relays; i++) this.procs.set(`r${i}`, { name: `r${i}`, kind: 'relay', dataDir: join(this.#init.dir, `r${i}`), paused: false, starts: 0 })
    for (let i = 1; i <= this.#init.clients; i++) this.procs.set(`n${i}`, { name: `n${i}`, kind: 'client', dataDir: join(this.#init.dir, `n${i}`), paused: false, starts: 0 })
    if ((this.#init.clocks ?? 0) > 0) libfaketime() // missing: fail now, saying how to install it
    for (const name of this.clientNames.slice(0, this.#init.clocks ?? 0)) {
      const p = this.procs.get(name)!
      p.clock = join(this.#init.dir, `${name}.clock`)
      setFakeOffset(p.clock, 0)
    }
    for (let i = 1; i <= (this.#init.browsers ?? 0); i++) this.procs.set(`b${i}`, { name: `b${i}`, kind: 'browser', dataDir: '', paused: false, starts: 0, pageClock: i <= (this.#init.pageClocks ?? 0) })
    for (const name of this.smallDiskNames) this.#mountSmallDisk(this.procs.get(name)!.dataDir)
    for (const r of this.relayNames) await this.#startRelay(r)
    for (const c of this.clientNames) this.#startClient(c)
    if (this.browserNames.length > 0) await this.#startBrowsers()
    this.#sampler = setInterval(() => { this.#sample() }, 5_000)
    // nobody publishes until every client and tab is up and subscribed (ClientConfig.hold)
    const subscribed = (name: string): number => this.history.filter(e => e.type === 'subscribe' && 'node' in e && e.node === name).length
    const deadline = Date.now() + START_TIMEOUT_MS
    while (!this.subscriberNames.every(n => subscribed(n) >= this.#init.topics.length)) {
      if (Date.now() > deadline) throw new Error(`chaos: not every node was up within ${START_TIMEOUT_MS / 1000} s: ${this.subscriberNames.filter(n => subscribed(n) < this.#init.topics.length).join(', ')}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    this.#started = true
    for (const n of this.subscriberNames) this.#tell(n, 'go')
  }

  async #link (from: string, to: string, ws = false): Promise<string> {
    const target = this.procs.get(to)!
    const key = `${from}->${to}`
    let proxy = this.links.get(key)
    if (proxy === undefined) {
      proxy = new LinkProxy(key, ws ? target.wsPort! : target.port!)
      proxy.ws = ws
      this.links.set(key, proxy)
      await proxy.listen()
    }
    return `/ip4/127.0.0.1/tcp/${proxy.port}${ws ? '/ws' : ''}/p2p/${target.peerId}`
  }

  async #startRelay (name: string): Promise<void> {
    const p = this.procs.get(name)!
    const i = Number(name.slice(1))
    // relay i keeps dialled every relay before it, through the link's proxy
    const bootstrap: string[] = []
    for (let j = 1; j < i; j++) bootstrap.push(await this.#link(name, `r${j}`))
    const args = ['--data', p.dataDir, '--network', NETWORK, '--topic', '*', '--listen', `/ip4/127.0.0.1/tcp/${p.port ?? 0}`,
      '--listen', `/ip4/127.0.0.1/tcp/${p.wsPort ?? 0}/ws`, ...bootstrap.flatMap(b => ['--bootstrap', b]), ...(this.#init.relayFlags ?? []),
      ...(this.#init.retainCount === undefined ? [] : ['--retain-count', String(this.#init.retainCount)])]
    const info = await startRelayProcess(args, createWriteStream(join(this.#logs, `${name}.log`), { flags: 'a' }))
    p.child = info.child
    p.starts++
    p.peerId = info.peerId
    const port = (ws: boolean): number => Number(info.addrs.find(a => a.includes('/ws') === ws)!.split('/tcp/')[1]!.split('/')[0])
    p.port = port(false)
    p.wsPort = port(true)
    for (const [key, proxy] of this.links) if (key.endsWith(`->${name}`)) proxy.targetPort = proxy.ws ? p.wsPort : p.port
    this.record({ t: Date.now(), node: name, type: p.starts === 1 ? 'start' : 'restart', sender: info.peerId })
  }

  #startClient (name: string, extra: Partial<ClientConfig> = {}): void {
    const p = this.procs.get(name)!
    void (async () => {
      const bootstrap = await Promise.all(this.relaysOf(name).map(r => this.#link(name, r)))
      const config: ClientConfig = {
        node: name,
        network: NETWORK,
        dataDir: p.dataDir,
        bootstrap,
        topics: this.#init.topics,
        rate: this.#publishing ? this.#init.rate / this.#init.clients : 0,
        hold: !this.#started,
        seed: this.#init.seed * 1000 + Number(name.slice(1)) * 10 + p.starts,
        payload: this.#init.payload,
        ...(this.#init.retainCount === undefined ? {} : { retainCount: this.#init.retainCount }),
        ...(p.clock === undefined ? {} : { realMinusMonotonic: Date.now() - Number(process.hrtime.bigint()) / 1e6 }),
        ...extra
      }
      const env = p.clock === undefined ? process.env : { ...process.env, FAKETIME: undefined, ...faketimeEnv(p.clock) }
      const child = spawn(process.execPath, [CLIENT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'], env })
      child.stdin!.on('error', () => undefined) // a killed client's pipe
      if (p.clock !== undefined) child.once('exit', () => { faketimeCleanup(child.pid) })
      p.child = child
      p.starts++
      child.stderr!.pipe(createWriteStream(join(this.#logs, `${name}.log`), { flags: 'a' }))
      createInterface({ input: child.stdout! }).on('line', l => {
        try {
          const e = JSON.parse(l) as HistoryEvent
          if (e.type === 'start' && 'sender' in e && e.sender !== undefined) p.peerId = e.sender
          this.record(e)
        } catch {
          // a line torn by SIGKILL: not an event
        }
      })
      if (p.starts > 1) this.record({ t: Date.now(), node: name, type: 'restart' })
    })()
  }

  /** Builds chaos/page (not minified: readable page errors and heap snapshots), serves it, and opens one Chromium tab per browser client. */
  async #startBrowsers (): Promise<void> {
    const out = join(this.#init.dir, 'page')
    await build({ root: PAGE, configFile: false, logLevel: 'warn', build: { outDir: out, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000, minify: false } })
    this.#server = await serveStatic(out)
    this.#browser = await launch()
    for (const name of this.browserNames) {
      const p = this.procs.get(name)!
      const bootstrap = await Promise.all(this.relaysOf(name).map(r => this.#link(name, r, true)))
      const config = { node: name, network: NETWORK, bootstrap, topics: this.#init.topics, rate: this.#init.rate / this.#init.clients, seed: this.#init.seed * 1000 + 900 + Number(name.slice(1)), retainCount: this.#init.retainCount, hold: !this.#started }
      const context = await this.#browser.newContext()
      if (p.pageClock === true) await context.clock.install()
      await context.exposeBinding('weftChaosEmit', (_source, e: HistoryEvent) => { this.record(e) })
      const page = await context.newPage()
      page.on('pageerror', err => { this.#pageLog.write(`${name}: pageerror ${err.message}\n`) })
      page.on('console', m => { if (m.type() === 'error') this.#pageLog.write(`${name}: ${m.text()}\n`) })
      await page.goto(`${this.#server.url}?config=${encodeURIComponent(JSON.stringify(config))}`)
      p.page = page
      p.starts++
    }
  }

  /** SIGKILL (a crash). */
  kill (name: string): void {
    const p = this.procs.get(name)!
    if (p.child === undefined || p.child.exitCode !== null || p.child.signalCode !== null) return
    if (p.paused) p.child.kill('SIGCONT')
    p.paused = false
    p.child.kill('SIGKILL')
    this.record({ t: Date.now(), node: name, type: 'crash' })
  }

  /** SIGKILL, then a power loss on its store: the unsynced WAL tail is cut and torn. */
  powerLoss (name: string, rand: () => number): Promise<PowerLoss> {
    const p = this.procs.get(name)!
    this.kill(name)
    return new Promise(resolve => {
      const done = (): void => { resolve(losePower(join(p.dataDir, 'weft.db-wal'), rand)) }
      if (p.child === undefined || p.child.exitCode !== null || p.child.signalCode !== null) done()
      else p.child.once('exit', done)
    })
  }

  /** Names of the clients on a small disk of their own. */
  get smallDiskNames (): string[] {
    return this.clientNames.slice(this.clientNames.length - (this.#init.smallDisks ?? 0))
  }

  #mountSmallDisk (dir: string): void {
    mkdirSync(dir, { recursive: true })
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${this.#init.smallDiskBytes ?? SMALL_DISK_BYTES}`, 'weft-chaos-disk', dir], { stdio: 'pipe' })
    if (r.status !== 0) throw new Error(`a small disk (tmpfs) for the disk-full nemesis needs mount(8) as root or in a user namespace (run through scripts/loopback-only.ts): ${r.stderr?.toString().trim() ?? r.error}`)
    this.#mounts.push(dir)
  }

  /** Fills a small-disk client's disk (a ballast file takes every free byte): its writes fail with ENOSPC. Returns the bytes taken. */
  fillDisk (name: string): number {
    const dir = this.procs.get(name)!.dataDir
    const { bavail, bsize } = statfsSync(dir)
    const bytes = Number(bavail) * Number(bsize)
    // in 16 MiB writes, not one buffer the size of the disk; the node's own writes may take the last bytes first
    const chunk = Buffer.alloc(Math.min(bytes, 16 * 1024 * 1024))
    const fd = openSync(join(dir, 'ballast'), 'w')
    let taken = 0
    try {
      while (taken < bytes) taken += writeSync(fd, chunk, 0, Math.min(bytes - taken, chunk.length))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
    } finally {
      closeSync(fd)
    }
    return taken
  }

  /** Frees what `fillDisk` took. */
  freeDisk (name: string): void {
    rmSync(join(this.procs.get(name)!.dataDir, 'ballast'), { force: true })
  }

  /** Flips one bit in a stored message of a stopped client (chaos/bit-flip.ts); kill it first. */
  async bitFlip (name: string, rand: () => number): Promise<BitFlip | undefined> {
    const p = this.procs.get(name)!
    if (p.child !== undefined && p.child.exitCode === null && p.child.signalCode === null) await new Promise(resolve => p.child!.once('exit', resolve))
    return await flipBit(p.dataDir, p.peerId, rand)
  }

  async restart (name: string, extra: Partial<ClientConfig> = {}): Promise<void> {
    const p = this.procs.get(name)!
    if (p.child !== undefined && p.child.exitCode === null && p.child.signalCode === null) await new Promise(resolve => p.child!.once('exit', resolve))
    if (p.kind === 'relay') await this.#startRelay(name)
    else this.#startClient(name, extra)
  }

  /**
   * Sets the wall-clock offset (seconds) of a client under libfaketime (it takes effect at its next
   * clock read) or of a tab under Playwright's clock (its `Date` jumps; its timers do not).
   */
  setClock (name: string, offsetS: number): void {
    const p = this.procs.get(name)!
    if (p.pageClock === true && p.page !== undefined) {
      void p.page.clock.setSystemTime(Date.now() + offsetS * 1000).catch((err: Error) => { this.#pageLog.write(`${name}: setClock ${err.message}\n`) })
      return
    }
    if (p.clock === undefined) throw new Error(`${name} runs under neither libfaketime nor Playwright's clock`)
    setFakeOffset(p.clock, offsetS)
  }

  pause (name: string): void {
    const p = this.procs.get(name)!
    if (p.child === undefined || p.paused) return
    p.child.kill('SIGSTOP')
    p.paused = true
  }

  resume (name: string): void {
    const p = this.procs.get(name)!
    if (p.child === undefined || !p.paused) return
    p.child.kill('SIGCONT')
    p.paused = false
  }

  isUp (name: string): boolean {
    const p = this.procs.get(name)
    if (p?.page !== undefined) return !p.page.isClosed()
    const c = p?.child
    return c !== undefined && c.exitCode === null && c.signalCode === null
  }

  /** Cuts every link between the two sides. */
  partition (sideA: string[]): string[] {
    const a = new Set(sideA)
    const cut: string[] = []
    for (const [key, proxy] of this.links) {
      const [from, to] = key.split('->') as [string, string]
      if (a.has(from) !== a.has(to)) {
        proxy.cut()
        cut.push(key)
      }
    }
    return cut
  }

  /**
   * Cuts every link of one node. A tab's direct WebRTC links to other tabs do not pass through the
   * proxies, so a tab is also switched offline (`peer.setOffline`) until healAll.
   */
  isolate (name: string): void {
    for (const [key, proxy] of this.links) if (key.startsWith(`${name}->`) || key.endsWith(`->${name}`)) proxy.cut()
    if (this.procs.get(name)?.page !== undefined) {
      this.#tell(name, 'offline')
      this.#offlineTabs.add(name)
    }
  }

  healAll (): void {
    for (const name of this.#offlineTabs) this.#tell(name, 'online')
    this.#offlineTabs.clear()
    for (const proxy of this.links.values()) proxy.heal()
  }

  /** Tells every client to stop publishing (the drain), and restarted ones not to start. */
  stopPublishing (): void {
    this.#publishing = false
    for (const c of this.subscriberNames) this.#tell(c, 'drain')
  }

  /** Has a client publish its burst (chaos/client.ts BURST) at once. */
  burst (name: string): void {
    this.#tell(name, 'burst')
  }

  #tell (name: string, command: 'go' | 'drain' | 'burst' | 'offline' | 'online'): void {
    const p = this.procs.get(name)
    if (p?.page !== undefined) {
      void p.page.evaluate((c) => { (globalThis as unknown as { chaosPage?: Record<string, () => void> }).chaosPage?.[c]?.() }, command).catch(() => undefined)
      return
    }
    if (p?.child !== undefined && this.isUp(name)) p.child.stdin?.write(`${command}\n`)
  }

  #sample (): void {
    for (const p of this.procs.values()) {
      const pid = p.child?.pid
      if (pid === undefined || !this.isUp(p.name) || p.paused) continue
      try {
        const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
        const fds = readdirSync(`/proc/${pid}/fd`).length
        const size = (f: string): number => { try { return statSync(join(p.dataDir, f)).size } catch { return 0 } }
        const storeMb = Math.round((size('weft.db') + size('weft.db-wal')) / 104_857.6) / 10
        this.record({ t: Date.now(), node: p.name, type: 'sample', rssMb: Math.round(rss), fds, storeMb })
      } catch {
        // exited between the check and the read
      }
    }
  }

  /**
   * A V8 heap snapshot of every tab, after a forced GC, into `<dir>/heap/<tab>-<label>.heapsnapshot`
   * (run.ts --heap-snapshots; read them with chaos/heap-summary.ts or Chromium's DevTools). The tab
   * stops for the seconds a snapshot takes. Returns the files written.
   */
  async heapSnapshots (label: string): Promise<string[]> {
    const dir = join(this.#init.dir, 'heap')
    mkdirSync(dir, { recursive: true })
    const files: string[] = []
    for (const name of this.browserNames) {
      const page = this.procs.get(name)!.page
      if (page === undefined) continue
      const file = join(dir, `${name}-${label}.heapsnapshot`)
      const fd = openSync(file, 'w')
      const cdp = await page.context().newCDPSession(page)
      try {
        cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => { writeSync(fd, chunk) })
        await cdp.send('HeapProfiler.collectGarbage')
        await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
        files.push(file)
      } finally {
        closeSync(fd)
        await cdp.detach().catch(() => undefined)
      }
    }
    return files
  }

  async stop (): Promise<void> {
    clearInterval(this.#sampler)
    if (this.#init.retainCount !== undefined) {
      for (const name of this.browserNames) {
        const page = this.procs.get(name)!.page
        if (page === undefined) continue
        const stats = page.evaluate(async () => await (globalThis as unknown as { chaosPage: { storeStats: () => Promise<Omit<TabStoreSize, 'node'>> } }).chaosPage.storeStats())
        let timer: ReturnType<typeof setTimeout> | undefined
        const timeout = new Promise<undefined>(resolve => { timer = setTimeout(() => { resolve(undefined) }, 10_000) })
        const s = await Promise.race([stats.catch(() => undefined), timeout])
        clearTimeout(timer)
        if (s !== undefined) this.tabStores.push({ node: name, ...s })
      }
    }
    const exits: Array<Promise<unknown>> = []
    for (const p of this.procs.values()) {
      if (p.child === undefined || !this.isUp(p.name)) continue
      if (p.paused) p.child.kill('SIGCONT')
      exits.push(new Promise(resolve => {
        const timer = setTimeout(() => { p.child!.kill('SIGKILL') }, 5_000)
        p.child!.once('exit', () => { clearTimeout(timer); resolve(undefined) })
      }))
      p.child!.kill('SIGTERM')
    }
    await Promise.all(exits)
    await this.#browser?.close()
    await this.#server?.close()
    for (const proxy of this.links.values()) await proxy.close()
    if (this.#init.retainCount !== undefined) {
      for (const p of this.procs.values()) {
        if (p.kind === 'browser') continue
        const s = await measureStore(p.name, p.dataDir, this.#init.topics)
        if (s !== undefined) this.stores.push(s)
      }
    }
    for (const dir of this.#mounts.splice(0)) spawnSync('umount', [dir], { stdio: 'pipe' })
    await new Promise(resolve => this.#pageLog.end(resolve))
    await new Promise(resolve => this.#out.end(resolve))
  }
}
