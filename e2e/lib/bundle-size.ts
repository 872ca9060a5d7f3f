// The size a browser downloads for a Vite build: every .js file in its assets folder, gzipped.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

export function jsGzipKb (assetsDir: string): number {
  return readdirSync(assetsDir).filter(f => f.endsWith('.js')).reduce((n, f) => n + gzipSync(readFileSync(join(assetsDir, f))).length, 0) / 1024
}
