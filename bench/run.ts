// The one entry for every benchmark: `npm run bench [-- --only <prefix>]`.
// Prints a table and writes bench/results/latest.json (not committed).
import { Report } from './report.ts'
import { coreSuite } from './suites/core.ts'
import { storeSuite } from './suites/store.ts'
import { meshSuite } from './suites/mesh.ts'
import { relaySuite } from './suites/relay.ts'
import { browserSuite } from './suites/browser.ts'
import type { Suite } from './suite.ts'

const suites: Suite[] = [coreSuite, storeSuite, meshSuite, relaySuite, browserSuite]

const args = process.argv.slice(2)
const onlyAt = args.indexOf('--only')
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined
if (onlyAt >= 0 && (only === undefined || only.startsWith('--'))) {
  console.error('usage: npm run bench [-- --only <metric prefix>]')
  process.exit(2)
}
const unknown = args.filter((a, i) => a !== '--only' && i !== onlyAt + 1)
if (unknown.length > 0) {
  console.error(`unknown argument: ${unknown[0]}; usage: npm run bench [-- --only <metric prefix>]`)
  process.exit(2)
}

const report = new Report()
const wanted = (name: string): boolean => only === undefined || name.startsWith(only) || only.startsWith(name)
const started = Date.now()
let ran = 0
for (const suite of suites) {
  if (!suite.metrics.some(wanted)) continue
  console.error(`bench: ${suite.name} …`)
  await suite.run(report, wanted)
  ran++
}
if (ran === 0) {
  console.error(`no benchmark matches "${only}"; metrics: ${suites.flatMap(s => s.metrics).join(', ')}`)
  process.exit(2)
}
report.finish()
report.print()
report.write(new URL('./results/latest.json', import.meta.url), { only: only ?? null, seconds: Math.round((Date.now() - started) / 1000) })
console.error('bench: wrote bench/results/latest.json')
