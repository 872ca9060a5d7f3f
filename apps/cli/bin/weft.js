#!/usr/bin/env node
// The weft command. Plain JavaScript with no modern syntax until the version check,
// so that an old Node prints one clear line instead of a stack trace.
'use strict'
var major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write('weft needs Node.js 22 or newer (found ' + process.version + '); run it as `npx -y -p node@24 -- npx weft ...`; build it first with `npm ci` (which runs `tsc -b`) or `npm run build`\n')
  process.exit(1)
}
import('../dist/main.js').catch(function (err) {
  process.stderr.write('weft: ' + (err && err.message ? err.message : String(err)) + '\n')
  process.exit(1)
})
