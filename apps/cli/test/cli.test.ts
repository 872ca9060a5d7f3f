/**
 * The weft command, as scripts use it: separate processes, real sockets on 127.0.0.1.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'

const WEFT = new URL('../bin/weft.js', import.meta.url).pathname
const dirs: string[] = []
const children = new Set<ChildProcess>()
afterEach(() => { for (const c of children) c.kill('SIGKILL'); children.clear() })
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

function dir (): string {
  const d = mkdtempSync(join(tmpdir(), 'weft-cli-'))
  dirs.push(d)
  return d
}

function run (args: string[], input?: string, env: Record<string, string> = {}): { code: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [WEFT, ...args], { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Runs weft in the background; resolves with its output when it exits. */
function runAsync (args: string[], input?: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [WEFT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  if (input !== undefined) child.stdin!.end(input)
  else child.stdin!.end()
  return new Promise(resolve => child.on('exit', code => { children.delete(child); resolve({ code, stdout, stderr }) }))
}

interface Relay { child: ChildProcess, peerId: string, tcp: string, ws: string, metrics?: string }

async function relay (data: string, extra: string[] = []): Promise<Relay> {
  const child = spawn(process.execPath, [WEFT, 'relay', '--data', data, '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--topic', '*', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const first = await new Promise<string>((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 20_000)
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      if (buf.includes('\n')) {
        clearTimeout(timer)
        resolve(buf.split('\n')[0]!)
      }
    })
    child.on('exit', code => reject(new Error(`relay exited ${code}: ${stderr}`)))
  })
  const line = JSON.parse(first) as { event: string, peerId: string, addrs: string[], metrics?: string }
  expect(line.event).toBe('listening')
  return { child, peerId: line.peerId, tcp: line.addrs.find(a => !a.includes('/ws'))!, ws: line.addrs.find(a => a.includes('/ws'))!, metrics: line.metrics }
}

describe('weft CLI', () => {
  it('prints help, and one-line errors with exit 2 for bad input', async () => {
    const help = run(['--help'])
    expect(help.code).toBe(0)
    for (const cmd of ['weft relay', 'weft pub', 'weft sub', 'weft chat', 'weft id']) expect(help.stdout).toContain(cmd)
    const cases: Array<[string[], RegExp]> = [
      [['pub', 't', '--bogus', '--bootstrap', '/ip4/127.0.0.1/tcp/1'], /unknown flag --bogus/],
      [['sub', 't', '--bootstrap', 'nonsense'], /bad multiaddr for --bootstrap: nonsense/],
      [['relay'], /needs --data/],
      [['relay', '--data', '/etc/hostname/x'], /not writable/],
      [['relay', '--data', dir(), '--metrics', 'nope'], /--metrics must be HOST:PORT/],
      [['relay', '--data', dir(), '--inbound-per-host', '0'], /--inbound-per-host must be a positive integer/],
      [['relay', '--data', dir(), '--author-rate', '0'], /--author-rate must be a positive number/],
      [['relay', '--data', dir(), '--circuit-bytes', '1.5'], /--circuit-bytes must be a positive integer/],
      [['relay', '--data', dir(), '--retain-count', '0'], /--retain-count must be a positive integer/],
      [['frobnicate'], /unknown command/],
      [['pub', 't', 'x', '--bootstrap', '/ip4/127.0.0.1/tcp/1', '--count', '0'], /--count must be a positive integer/]
    ]
    for (const [args, message] of cases) {
      const r = run(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(message)
    }
    const env = run(['sub', 't'], undefined, { WEFT_BOOTSTRAP: 'also-nonsense' })
    expect(env.code).toBe(2)
    expect(env.stderr).toMatch(/bad multiaddr for --bootstrap: also-nonsense/)
  }, 60_000)

  it('says when a port is already in use', async () => {
    const blocker = createServer()
    await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as AddressInfo).port
    try {
      const r = await runAsync(['relay', '--data', dir(), '--listen', `/ip4/127.0.0.1/tcp/${port}`])
      expect(r.code).toBe(2)
      expect(r.stderr.trim().split('\n')).toEqual([`weft: address already in use: /ip4/127.0.0.1/tcp/${port}`])
    } finally {
      blocker.close()
    }
  }, 30_000)

  it('relay, pub and sub: acked messages reach a subscriber, JSON lines as documented; id is stable; metrics move', async () => {
    const r = await relay(dir(), ['--metrics', '127.0.0.1:0'])
    const data = dir()
    const pub = run(['pub', 'news', 'hello', 'world', '--bootstrap', r.tcp, '--data', data, '--json'])
    expect(pub.code).toBe(0)
    const acked = pub.stdout.trim().split('\n').map(l => JSON.parse(l))
    const me = run(['id', '--data', data]).stdout.trim()
    expect(acked).toEqual([1, 2].map(seq => ({ event: 'acked', topic: 'news', author: me, seq, id: expect.stringMatching(/^[0-9a-f]{64}$/) })))
    const bin = run(['pub', 'news', '--bootstrap', r.tcp, '--data', data], '\u00ff\u00fe line from stdin\n')
    expect(bin.code).toBe(0)
    const sub = run(['sub', 'news', '--bootstrap', r.tcp, '--json', '--count', '3', '--timeout', '30'])
    expect(sub.code).toBe(0)
    const lines = sub.stdout.trim().split('\n').map(l => JSON.parse(l))
    expect(lines.map(l => [l.author, l.seq, l.data])).toEqual([[me, 1, 'hello'], [me, 2, 'world'], [me, 3, '\u00ff\u00fe line from stdin']])
    expect(lines[0]).toEqual({ topic: 'news', author: me, seq: 1, id: acked[0].id, deps: {}, data: 'hello' })
    // a config file and binary payloads: not UTF-8, so the line carries data64
    const cfgDir = dir()
    writeFileSync(join(cfgDir, 'weft.json'), JSON.stringify({ bootstrap: [r.tcp], json: true }))
    const bytes = run(['pub', 'blobs', '--config', join(cfgDir, 'weft.json'), '--count', '1', '--size', '4'])
    expect(bytes.code, bytes.stderr).toBe(0)
    const blob = JSON.parse(run(['sub', 'blobs', '--config', join(cfgDir, 'weft.json'), '--count', '1', '--timeout', '30']).stdout) as { data64?: string, data?: string }
    expect(blob.data).toBeUndefined()
    expect(Buffer.from(blob.data64!, 'base64')).toEqual(Buffer.from([0x30, 0x20, 0xff, 0xff]))
    const timeout = run(['sub', 'news', '--bootstrap', r.tcp, '--count', '5', '--timeout', '3'])
    expect(timeout.code).toBe(1)
    expect(timeout.stderr).toMatch(/timed out after 3 s with 3 of 5 messages/)
    const health = await (await fetch(`${r.metrics}/healthz`)).json()
    expect(health).toMatchObject({ status: 'ok', peerId: r.peerId })
    const metrics = await (await fetch(`${r.metrics}/metrics`)).text()
    const value = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1])
    for (const line of metrics.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{kind="\w+"\})? \d+)$/)
    expect(value('weft_messages_in_total')).toBe(4) // 3 news, 1 blob
    expect(value('weft_messages_out_total')).toBeGreaterThanOrEqual(4) // the late subscribers caught up from the relay
    expect(value('weft_messages_stored')).toBe(4)
    expect(value('weft_messages_stored_bytes')).toBeGreaterThan(4 * 100) // 4 signed envelopes
    expect(value('weft_topics')).toBe(2)
    expect(value('weft_acks_sent_total')).toBeGreaterThan(0)
    expect(value('weft_sync_wants_served_total')).toBeGreaterThan(0)
    // SIGTERM: clean exit 0 within 5 s
    const t0 = Date.now()
    r.child.kill('SIGTERM')
    const code = await new Promise<number | null>(resolve => r.child.on('exit', c => resolve(c)))
    expect(code).toBe(0)
    expect(Date.now() - t0).toBeLessThan(5_000)
  }, 120_000)

  it('a subscriber started after 1,000 messages catches up from the relay', async () => {
    const r = await relay(dir())
    const pub = run(['pub', 'log', '--bootstrap', r.tcp, '--data', dir(), '--count', '1000', '--size', '200', '--json'])
    expect(pub.code, pub.stderr).toBe(0)
    expect(pub.stdout.trim().split('\n')).toHaveLength(1000)
    const sub = run(['sub', 'log', '--bootstrap', r.tcp, '--json', '--count', '1000', '--timeout', '60'])
    expect(sub.code).toBe(0)
    const seqs = sub.stdout.trim().split('\n').map(l => (JSON.parse(l) as { seq: number }).seq)
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
  }, 120_000)

  it('a relay with --retain-count 100 keeps the newest 100 of 1,000 messages; a late subscriber starts after what is gone', async () => {
    const r = await relay(dir(), ['--retain-count', '100', '--metrics', '127.0.0.1:0'])
    const pub = run(['pub', 'kept', '--bootstrap', r.tcp, '--data', dir(), '--count', '1000', '--size', '200', '--json'])
    expect(pub.code, pub.stderr).toBe(0)
    const pruned = async (): Promise<number> => Number(/^weft_messages_pruned_total (\d+)$/m.exec(await (await fetch(`${r.metrics}/metrics`)).text())?.[1])
    const deadline = Date.now() + 30_000 // pruned every 10 s
    while (await pruned() < 900 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 250))
    expect(await pruned()).toBe(900)
    const metrics = await (await fetch(`${r.metrics}/metrics`)).text()
    expect(/^weft_messages_stored (\d+)$/m.exec(metrics)?.[1]).toBe('100')
    const sub = run(['sub', 'kept', '--bootstrap', r.tcp, '--json', '--count', '100', '--timeout', '60'])
    expect(sub.code, sub.stderr).toBe(0)
    const seqs = sub.stdout.trim().split('\n').map(l => (JSON.parse(l) as { seq: number }).seq)
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i))
  }, 120_000)

  it('three relays in a line: publishers at both ends, subscribers at both ends, each message once and in order', async () => {
    const r1 = await relay(dir())
    const r2 = await relay(dir(), ['--bootstrap', r1.tcp])
    const r3 = await relay(dir(), ['--bootstrap', r2.tcp])
    await new Promise(resolve => setTimeout(resolve, 1500))
    const subs = [runAsync(['sub', 'line', '--bootstrap', r1.tcp, '--json', '--count', '100', '--timeout', '60']), runAsync(['sub', 'line', '--bootstrap', r3.tcp, '--json', '--count', '100', '--timeout', '60'])]
    await new Promise(resolve => setTimeout(resolve, 1000))
    const [p1, p3] = await Promise.all([
      runAsync(['pub', 'line', '--bootstrap', r1.tcp, '--count', '50', '--json']),
      runAsync(['pub', 'line', '--bootstrap', r3.tcp, '--count', '50', '--json'])
    ])
    expect([p1.code, p3.code]).toEqual([0, 0])
    for (const s of await Promise.all(subs)) {
      expect(s.code, s.stderr).toBe(0)
      const msgs = s.stdout.trim().split('\n').map(l => JSON.parse(l) as { author: string, seq: number })
      expect(new Set(msgs.map(m => `${m.author}/${m.seq}`)).size).toBe(100)
      const last = new Map<string, number>()
      for (const m of msgs) {
        expect(m.seq).toBe((last.get(m.author) ?? 0) + 1)
        last.set(m.author, m.seq)
      }
    }
  }, 180_000)

  it('causality across peers: a chat on r3 answers every message of a chat on r1; a subscriber always delivers a message before its answer', async () => {
    const r1 = await relay(dir())
    const r2 = await relay(dir(), ['--bootstrap', r1.tcp])
    const r3 = await relay(dir(), ['--bootstrap', r2.tcp])
    await new Promise(resolve => setTimeout(resolve, 1500))
    const watcher = runAsync(['sub', 'talk', '--bootstrap', r2.tcp, '--json', '--count', '40', '--timeout', '60'])
    // the answering chat: for every message it delivers from someone else, it publishes "re: <text>"
    const answerer = spawn(process.execPath, [WEFT, 'chat', 'talk', '--bootstrap', r3.tcp, '--json'], { stdio: ['pipe', 'pipe', 'pipe'] })
    children.add(answerer)
    let buf = ''
    let answered = 0
    answerer.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      const lines = buf.split('\n')
      buf = lines.pop()!
      for (const line of lines) {
        const m = JSON.parse(line) as { data: string, own?: boolean }
        if (m.own !== true) {
          answerer.stdin!.write(`re: ${m.data}\n`)
          if (++answered === 20) answerer.stdin!.end()
        }
      }
    })
    await new Promise(resolve => setTimeout(resolve, 1000))
    const asker = await runAsync(['chat', 'talk', '--bootstrap', r1.tcp, '--json'], Array.from({ length: 20 }, (_, i) => `question ${i}`).join('\n') + '\n')
    expect(asker.code, asker.stderr).toBe(0)
    const seen = await watcher
    expect(seen.code, seen.stderr).toBe(0)
    const texts = seen.stdout.trim().split('\n').map(l => (JSON.parse(l) as { data: string }).data)
    expect(texts.filter(t => t.startsWith('re: '))).toHaveLength(20)
    for (const [i, t] of texts.entries()) {
      if (t.startsWith('re: ')) expect(texts.indexOf(t.slice(4)), `"${t.slice(4)}" before its answer`).toBeLessThan(i)
    }
  }, 180_000)

  it('a middle relay SIGKILLed mid-stream and restarted on its folder: no acked message is lost', async () => {
    const r1 = await relay(dir())
    const d2 = dir()
    let r2 = await relay(d2, ['--bootstrap', r1.tcp])
    const port = r2.tcp.split('/')[4]!
    const r3 = await relay(dir(), ['--bootstrap', `/ip4/127.0.0.1/tcp/${port}/p2p/${r2.peerId}`])
    await new Promise(resolve => setTimeout(resolve, 1500))
    const sub = runAsync(['sub', 'kill', '--bootstrap', r3.tcp, '--json', '--count', '300', '--timeout', '90'])
    await new Promise(resolve => setTimeout(resolve, 1000))
    const pub = runAsync(['pub', 'kill', '--bootstrap', r1.tcp, '--count', '300', '--rate', '100', '--json', '--timeout', '60'])
    await new Promise(resolve => setTimeout(resolve, 1200))
    r2.child.kill('SIGKILL')
    await new Promise(resolve => r2.child.on('exit', resolve))
    await new Promise(resolve => setTimeout(resolve, 500))
    r2 = await relay(d2, ['--bootstrap', r1.tcp, '--listen', `/ip4/127.0.0.1/tcp/${port}`])
    const published = await pub
    expect(published.code, published.stderr).toBe(0)
    const acked = published.stdout.trim().split('\n').map(l => (JSON.parse(l) as { seq: number }).seq)
    expect(acked).toHaveLength(300)
    const got = await sub
    expect(got.code, got.stderr).toBe(0)
    const seqs = got.stdout.trim().split('\n').map(l => (JSON.parse(l) as { seq: number }).seq)
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
  }, 180_000)
})
