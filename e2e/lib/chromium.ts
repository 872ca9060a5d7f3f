// Launching Debian's Chromium through playwright-core, with the flags that work on
// this kind of machine (BROWSER-NOTES.md). Never a downloaded browser.
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext } from 'playwright-core'

export const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // WebRTC between pages on 127.0.0.1, inside the loopback-only namespace the tests run in (BROWSER-NOTES G1)
  '--allow-loopback-in-peer-connection', '--use-fake-ui-for-media-stream'
]

export async function launch (): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
}

/** A browser with a profile folder that survives close and relaunch, as a person's would. */
export async function launchPersistent (profileDir: string): Promise<BrowserContext> {
  return await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
}
