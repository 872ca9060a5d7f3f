// The demo's own Vite config (the root vite.config.ts is Vitest's).
import { defineConfig } from 'vite'

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  // libp2p, gossipsub and the weft core make one ~630 KB chunk (~176 KB gzip); the budget check is in e2e/demo.test.ts
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' }
})
