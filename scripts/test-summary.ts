// Prints the plain closing line CI reads ("N passed, N failed") from the
// Vitest JSON report written by `npm test`, counting each chaos scenario run
// (chaos/results/latest.json, written by `npm run chaos`) as one test.
import { existsSync, readFileSync } from 'node:fs'

const file = new URL('../test-results/vitest.json', import.meta.url)
const report = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number, numFailedTests: number, numPendingTests: number, numTodoTests: number }
const skipped = report.numPendingTests + report.numTodoTests
const chaosFile = new URL('../chaos/results/latest.json', import.meta.url)
const chaos = existsSync(chaosFile) ? (JSON.parse(readFileSync(chaosFile, 'utf8')) as { outcomes: Array<{ failures: string[] }> }).outcomes : []
const chaosFailed = chaos.filter(o => o.failures.length > 0).length
const passed = report.numPassedTests + chaos.length - chaosFailed
const failed = report.numFailedTests + chaosFailed
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''} (${chaos.length} of them chaos scenarios)`)
if (report.numPassedTests === 0 || failed > 0) process.exit(1)
