// Runs the checkers again on a kept history: `node chaos/check.ts chaos/results/<run>/<scenario>/history.jsonl`.
// Eligible nodes are the clients that appear in it (n1, n2, … or p1, p2, …). Prints the report as JSON.
import { readFileSync } from 'node:fs'
import { check } from './checkers.ts'
import type { HistoryEvent } from './history.ts'

const file = process.argv[2]
if (file === undefined) {
  console.error('usage: node chaos/check.ts <history.jsonl>')
  process.exit(2)
}
const history: HistoryEvent[] = []
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.trim() === '') continue
  try {
    history.push(JSON.parse(line) as HistoryEvent)
  } catch {
    // a torn line: not an event
  }
}
const eligible = [...new Set(history.flatMap(e => 'node' in e && /^[np]\d+$/.test(e.node) && e.type === 'subscribe' ? [e.node] : []))]
console.log(JSON.stringify(check(history, { eligible }), null, 2))
