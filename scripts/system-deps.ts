// The Debian packages `npm test` needs besides npm's: Chromium (the browser tests drive
// /usr/bin/chromium; Playwright cannot download browsers here), iproute2 (`ip`, for the
// loopback-only network namespace every test runs in) and faketime (libfaketime, for the
// clock-fault tests). Run as root with apt-get at hand, it installs the missing ones; otherwise
// it stops with the command to run.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const onPath = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const needed: Array<[pkg: string, present: boolean, why: string]> = [
  ['chromium', existsSync('/usr/bin/chromium'), 'the browser tests'],
  ['iproute2', onPath('ip'), 'the loopback-only network namespace'],
  ['faketime', onPath('faketime'), 'the clock-fault tests']
]
const missing = needed.filter(([, present]) => !present)
if (missing.length > 0) {
  const pkgs = missing.map(([pkg]) => pkg)
  const what = missing.map(([pkg, , why]) => `${pkg} (${why})`).join(', ')
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    process.stderr.write(`npm test needs ${what}: run \`apt-get install -y ${pkgs.join(' ')}\` as root, then npm test again\n`)
    process.exit(1)
  }
  process.stdout.write(`system-deps: installing ${what} with apt-get\n`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env })
}
