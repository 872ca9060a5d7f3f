// Vitest only (the demo app has its own Vite config). One project per environment:
// `node` for everything that runs in Node, `browser` for *.browser.test.ts in real
// Chromium (Debian's /usr/bin/chromium through Playwright; never a downloaded browser).
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'

/** Flags that work on this kind of machine (see BROWSER-NOTES.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // WebRTC between pages on 127.0.0.1, inside the loopback-only namespace the tests run in (BROWSER-NOTES G1)
  '--allow-loopback-in-peer-connection', '--use-fake-ui-for-media-stream'
]
const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'scripts/**/*.test.ts', 'e2e/**/*.test.ts', 'chaos/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.browser.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      },
      {
        test: {
          name: 'browser',
          include: ['packages/*/src/**/*.browser.test.ts'],
          testTimeout: 60_000,
          api: { host: '127.0.0.1' },
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }]
          }
        }
      }
    ]
  }
})
