// `npm start`: a relay on 127.0.0.1 and the demo web app. Open the printed URL in two tabs.
import { startDemo } from './demo-server.ts'

const port = Number(process.env.PORT ?? 5173)
try {
  const demo = await startDemo({ port })
  console.log(`weft relay ${demo.relay.peerId}`)
  console.log(`  listening on ${demo.relay.tcp} and ${demo.relay.ws}`)
  console.log(`\nweft demo: open ${demo.url} in two tabs (or two browsers), pick a name each, and chat.`)
  console.log('Try "go offline" in one tab, send a few messages, then go online again. Ctrl-C stops.')
  const stop = (): void => { void demo.stop().then(() => process.exit(0)) }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} catch (err) {
  const e = err as Error & { code?: string }
  console.error(`npm start: ${e.code === 'EADDRINUSE' ? `port ${port} is in use (set PORT=…)` : e.message}`)
  process.exit(1)
}
