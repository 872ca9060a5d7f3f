// Runs a command inside a new network namespace (and mount namespace) where only the loopback
// interface exists and is up: every socket of the command and its children (relays, page
// servers, Chromium and its WebRTC ICE checks) can reach 127.0.0.0/8 and nothing
// else (BROWSER-NOTES G1). Needs root, or unprivileged user namespaces (`unshare -rnm`),
// and `ip` (iproute2).
//
//   node scripts/loopback-only.ts vitest run
//
// Inside, WEFT_LOOPBACK_ONLY=1 is set; tests that need the namespace check it.
import { spawn, spawnSync } from 'node:child_process'

const command = process.argv.slice(2)
if (command.length === 0) {
  console.error('usage: node scripts/loopback-only.ts <command> [args…]')
  process.exit(2)
}

if (process.env.WEFT_LOOPBACK_ONLY === '1') {
  // already inside one: run as is
  run(command[0]!, command.slice(1))
} else {
  const inner = ['sh', '-c', 'ip link set lo up && exec "$@"', 'loopback-only', ...command]
  const asRoot = process.getuid?.() === 0
  // its own mount namespace too: mounts made inside (chaos C7's small disks) end with it, even
  // when the run is killed
  const flags = asRoot ? ['-n', '-m'] : ['-r', '-n', '-m']
  const probe = spawnSync('unshare', [...flags, '--', 'sh', '-c', 'ip link set lo up'], { stdio: 'pipe' })
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.toString().trim()
    console.error(`loopback-only: cannot create a loopback-only network namespace (${why}).
The browser tests and benchmarks need one so that WebRTC stays on 127.0.0.1: run as root,
or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), and
install iproute2 for \`ip\`.`)
    process.exit(1)
  }
  run('unshare', [...flags, '--', ...inner])
}

function run (file: string, args: string[]): void {
  const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, WEFT_LOOPBACK_ONLY: '1' } })
  const forward = (signal: NodeJS.Signals): void => { child.kill(signal) }
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('exit', (code, signal) => {
    process.off('SIGINT', forward)
    process.off('SIGTERM', forward)
    if (signal !== null) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
