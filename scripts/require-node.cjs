#!/usr/bin/env node
// Stops any entry point run on a Node older than 22 with one clear line.
// Plain CommonJS with no modern syntax, so that it runs on any old Node.
'use strict'
var major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write('weft needs Node.js 22 or newer (found ' + process.version + '); run the same command as `npx -y -p node@24 -- <command>`, e.g. `npx -y -p node@24 -- npm test`\n')
  process.exit(1)
}
