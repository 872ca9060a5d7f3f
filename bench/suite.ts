import type { Report } from './report.ts'

/** A group of benchmarks. `metrics` lists the names (or prefixes) it produces, for `--only`. */
export interface Suite {
  name: string
  metrics: string[]
  run(report: Report, wanted: (metric: string) => boolean): Promise<void>
}
