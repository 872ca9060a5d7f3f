// Collects bench metrics, prints them as a table and writes bench/results/latest.json as
//   {"meta": {...}, "metrics": {"<dotted.name>": {"value", "unit", "baseline"?, "ratio"?, "target"?, "note"?}}}
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'

export interface Metric {
  value: number
  unit: string
  /** The metric this one is compared with, measured in the same run. */
  baseline?: string
  /** value / baseline's value. */
  ratio?: number
  /** What the issue asks for, in words (e.g. ">= 64 bytes"). */
  target?: string
  note?: string
}

export class Report {
  readonly metrics: Record<string, Metric> = {}

  add (name: string, metric: Metric): void {
    this.metrics[name] = metric
  }

  /** Fills `ratio` for every metric whose baseline was measured. */
  finish (): void {
    for (const m of Object.values(this.metrics)) {
      const base = m.baseline === undefined ? undefined : this.metrics[m.baseline]
      if (base !== undefined && base.value !== 0) m.ratio = round(m.value / base.value, 3)
    }
  }

  print (): void {
    const rows = Object.entries(this.metrics).map(([name, m]) => [
      name, fmt(m.value), m.unit, m.baseline ?? '', m.ratio === undefined ? '' : m.ratio.toFixed(2), m.target ?? ''
    ])
    const head = ['metric', 'value', 'unit', 'baseline', 'ratio', 'target']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)))
    const line = (r: string[]): string => r.map((c, i) => i === 1 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)).join('  ')
    console.log(line(head))
    console.log(widths.map(w => '-'.repeat(w)).join('  '))
    for (const r of rows) console.log(line(r))
  }

  write (file: URL, meta: Record<string, unknown>): void {
    mkdirSync(new URL('.', file), { recursive: true })
    writeFileSync(file, JSON.stringify({ meta: { ...machine(), ...meta }, metrics: this.metrics }, null, 2) + '\n')
  }
}

function machine (): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: round(totalmem() / 2 ** 30, 1),
    loadavg: loadavg().map(l => round(l, 2))
  }
}

export function round (n: number, digits = 0): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

function fmt (n: number): string {
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(round(n, 2))
}

export function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function percentile (values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!
}
