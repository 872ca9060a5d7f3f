// Flags, WEFT_* environment variables and an optional JSON config file, validated
// into one typed config per command. Any problem is a UsageError: one line, exit 2.
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'

export class UsageError extends Error {
  override name = 'UsageError'
}

export interface Common {
  network: string
  data?: string
  bootstrap: string[]
  json: boolean
}

export interface RelayConfig extends Common {
  data: string
  listen: string[]
  metrics?: { host: string, port: number }
  topics: string[]
  /** New inbound connections accepted per IP address per second (RELIABILITY.md row 19). */
  inboundPerHost?: number
  /** Gossip messages taken per author per topic per second (burst 5×); past it Ignored (RELIABILITY.md row 18). */
  authorRate?: number
  /** Bytes each way per relayed (circuit) connection; past it the relay ends the connection. */
  circuitBytes?: number
  /** Seconds per relayed (circuit) connection; past it the relay ends the connection. */
  circuitSeconds?: number
  /** History kept per topic (PeerInit.retention); absent: all of it. */
  retention?: { maxCount?: number, maxBytes?: number, maxAgeMs?: number }
}

export interface PubConfig extends Common {
  topic: string
  messages: string[]
  count?: number
  size: number
  rate?: number
  wait: boolean
  timeoutS: number
}

export interface SubConfig extends Common {
  topic: string
  count?: number
  timeoutS?: number
}

const OPTIONS = {
  data: { type: 'string' },
  listen: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  metrics: { type: 'string' },
  topic: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  network: { type: 'string' },
  count: { type: 'string' },
  size: { type: 'string' },
  rate: { type: 'string' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  config: { type: 'string' },
  'inbound-per-host': { type: 'string' },
  'author-rate': { type: 'string' },
  'circuit-bytes': { type: 'string' },
  'circuit-seconds': { type: 'string' },
  'retain-count': { type: 'string' },
  'retain-bytes': { type: 'string' },
  'retain-seconds': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

type Raw = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean : string }

/** Which flags each command takes. */
const ALLOWED: Record<string, ReadonlyArray<keyof typeof OPTIONS>> = {
  relay: ['data', 'listen', 'bootstrap', 'metrics', 'topic', 'json', 'network', 'config', 'inbound-per-host', 'author-rate', 'circuit-bytes', 'circuit-seconds', 'retain-count', 'retain-bytes', 'retain-seconds'],
  pub: ['data', 'bootstrap', 'json', 'network', 'count', 'size', 'rate', 'no-wait', 'timeout', 'config'],
  sub: ['data', 'bootstrap', 'json', 'network', 'count', 'timeout', 'config'],
  chat: ['data', 'bootstrap', 'json', 'network', 'timeout', 'config'],
  id: ['data', 'config']
}

export function parse (command: string, argv: string[], env: NodeJS.ProcessEnv): { raw: Raw, positionals: string[] } {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    const message = (err as Error).message
    const unknown = /Unknown option '([^']+)'/.exec(message)
    throw new UsageError(unknown !== null ? `unknown flag ${unknown[1]}` : message.split('\n')[0]!)
  }
  const raw: Raw = { ...fromEnv(env), ...fromFile(parsed.values.config ?? env.WEFT_CONFIG), ...stripUndefined(parsed.values as Raw) }
  const allowed = new Set(ALLOWED[command] ?? [])
  for (const key of Object.keys(parsed.values)) {
    if (key !== 'help' && !allowed.has(key as keyof typeof OPTIONS)) throw new UsageError(`unknown flag --${key} for "weft ${command}"`)
  }
  return { raw, positionals: parsed.positionals }
}

function stripUndefined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** WEFT_DATA, WEFT_BOOTSTRAP (comma-separated), WEFT_LISTEN, WEFT_TOPIC, WEFT_METRICS, WEFT_NETWORK, WEFT_JSON=1. */
function fromEnv (env: NodeJS.ProcessEnv): Raw {
  const list = (v: string | undefined): string[] | undefined => v === undefined || v === '' ? undefined : v.split(',').map(s => s.trim()).filter(Boolean)
  return stripUndefined({
    data: env.WEFT_DATA,
    bootstrap: list(env.WEFT_BOOTSTRAP),
    listen: list(env.WEFT_LISTEN),
    topic: list(env.WEFT_TOPIC),
    metrics: env.WEFT_METRICS,
    network: env.WEFT_NETWORK,
    json: env.WEFT_JSON === '1' || env.WEFT_JSON === 'true' ? true : undefined
  } as Raw)
}

function fromFile (file: string | undefined): Raw {
  if (file === undefined) return {}
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${(err as Error).message}`)
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`config file ${file} must hold a JSON object`)
  for (const key of Object.keys(json)) if (!(key in OPTIONS)) throw new UsageError(`unknown key "${key}" in config file ${file}`)
  return json as Raw
}

function addrs (list: string[] | undefined, what: string): string[] {
  return (list ?? []).map(a => {
    try {
      return multiaddr(a).toString()
    } catch {
      throw new UsageError(`bad multiaddr for --${what}: ${a}`)
    }
  })
}

function positiveInt (v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${what} must be a positive integer, got "${v}"`)
  return n
}

function positiveNumber (v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${what} must be a positive number, got "${v}"`)
  return n
}

function writableDir (dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    accessSync(dir, constants.W_OK)
  } catch {
    throw new UsageError(`data folder ${dir} is not writable`)
  }
  return dir
}

function common (raw: Raw): Common {
  return {
    network: raw.network ?? 'weft',
    data: raw.data === undefined ? undefined : writableDir(raw.data),
    bootstrap: addrs(raw.bootstrap, 'bootstrap'),
    json: raw.json === true
  }
}

export function relayConfig (raw: Raw): RelayConfig {
  if (raw.data === undefined) throw new UsageError('weft relay needs --data DIR (identity and store live there)')
  let metrics: RelayConfig['metrics']
  if (raw.metrics !== undefined) {
    const m = /^(.+):(\d{1,5})$/.exec(raw.metrics)
    if (m === null || Number(m[2]) > 65535) throw new UsageError(`--metrics must be HOST:PORT, got "${raw.metrics}"`)
    metrics = { host: m[1]!, port: Number(m[2]) }
  }
  const c = common(raw)
  return {
    ...c,
    data: c.data!,
    listen: raw.listen === undefined ? ['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002/ws'] : addrs(raw.listen, 'listen'),
    metrics,
    topics: raw.topic ?? [],
    inboundPerHost: positiveInt(raw['inbound-per-host'], 'inbound-per-host'),
    authorRate: positiveNumber(raw['author-rate'], 'author-rate'),
    circuitBytes: positiveInt(raw['circuit-bytes'], 'circuit-bytes'),
    circuitSeconds: positiveInt(raw['circuit-seconds'], 'circuit-seconds'),
    retention: retention(raw)
  }
}

function retention (raw: Raw): RelayConfig['retention'] {
  const maxCount = positiveInt(raw['retain-count'], 'retain-count')
  const maxBytes = positiveInt(raw['retain-bytes'], 'retain-bytes')
  const seconds = positiveInt(raw['retain-seconds'], 'retain-seconds')
  if (maxCount === undefined && maxBytes === undefined && seconds === undefined) return undefined
  return {
    ...(maxCount === undefined ? {} : { maxCount }),
    ...(maxBytes === undefined ? {} : { maxBytes }),
    ...(seconds === undefined ? {} : { maxAgeMs: seconds * 1000 })
  }
}

export function pubConfig (raw: Raw, positionals: string[]): PubConfig {
  const [topic, ...messages] = positionals
  if (topic === undefined) throw new UsageError('usage: weft pub TOPIC [MESSAGE...] --bootstrap MULTIADDR')
  const c = common(raw)
  if (c.bootstrap.length === 0) throw new UsageError('weft pub needs --bootstrap MULTIADDR')
  return {
    ...c,
    topic,
    messages,
    count: positiveInt(raw.count, 'count'),
    size: positiveInt(raw.size, 'size') ?? 64,
    rate: positiveNumber(raw.rate, 'rate'),
    wait: raw['no-wait'] !== true,
    timeoutS: positiveNumber(raw.timeout, 'timeout') ?? 30
  }
}

export function subConfig (raw: Raw, positionals: string[], command = 'sub'): SubConfig {
  const [topic, ...extra] = positionals
  if (topic === undefined || extra.length > 0) throw new UsageError(`usage: weft ${command} TOPIC --bootstrap MULTIADDR`)
  const c = common(raw)
  if (c.bootstrap.length === 0) throw new UsageError(`weft ${command} needs --bootstrap MULTIADDR`)
  return { ...c, topic, count: positiveInt(raw.count, 'count'), timeoutS: positiveNumber(raw.timeout, 'timeout') }
}

export function idConfig (raw: Raw): { data: string } {
  if (raw.data === undefined) throw new UsageError('weft id needs --data DIR')
  return { data: writableDir(raw.data) }
}
