// Prints the plain closing line CI reads ("N passed, N failed") from the
// Vitest JSON report written by `npm test`.
import { readFileSync } from 'node:fs'

const file = new URL('../test-results/vitest.json', import.meta.url)
const report = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number, numFailedTests: number, numPendingTests: number, numTodoTests: number }
const skipped = report.numPendingTests + report.numTodoTests
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
if (report.numPassedTests === 0 || report.numFailedTests > 0) process.exit(1)
