// Bundles a test page with Vite into a temporary folder.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'

export async function buildPage (root: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'weft-page-'))
  await build({ root, logLevel: 'warn', configFile: false, build: { outDir, target: 'es2022', emptyOutDir: true, minify: false } })
  return outDir
}
