// Clock faults on real Node processes with libfaketime (Debian package `faketime`; RELIABILITY.md
// 10.1). A process started with faketimeEnv(file) reads its wall-clock offset from `file` on every
// clock read (FAKETIME_NO_CACHE), so setFakeOffset moves its clock while it runs. Used by the
// chaos harness (C6) and packages/mesh/test/clock-process.test.ts.
//
// Only CLOCK_REALTIME is faked (Date.now, new Date()). libfaketime fakes CLOCK_MONOTONIC too by
// default, and libuv times setTimeout/setInterval by CLOCK_MONOTONIC: a fixed offset set at start
// is harmless, but an offset moved back while the process runs stalls every timer until the
// monotonic clock catches up (an hour for -1 h). Hence FAKETIME_DONT_FAKE_MONOTONIC=1; the
// monotonic clock (process.hrtime) then stays the machine's, shared by every process.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs'

/** libfaketimeMT: the thread-safe build (Node calls clock_gettime from several threads). */
const CANDIDATES = ['x86_64-linux-gnu', 'aarch64-linux-gnu', ''].map(arch => `/usr/lib/${arch === '' ? '' : `${arch}/`}faketime/libfaketimeMT.so.1`)

/** The path of libfaketime; throws, saying how to install it, when it is missing. */
export function libfaketime (): string {
  const found = CANDIDATES.find(p => existsSync(p))
  if (found === undefined) {
    throw new Error(`libfaketime is not installed (looked for ${CANDIDATES.join(', ')}): the clock-fault tests need it. ` +
      'Install the Debian package: apt-get install -y faketime (.ci/run does).')
  }
  return found
}

/** Environment for a child process whose wall clock follows the offset in `file` (write it with setFakeOffset first). */
export function faketimeEnv (file: string): Record<string, string> {
  return { LD_PRELOAD: libfaketime(), FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' }
}

/** Sets the wall-clock offset (seconds, fractions allowed) of the processes reading `file`; atomic (write, then rename). */
export function setFakeOffset (file: string, offsetS: number): void {
  writeFileSync(`${file}.tmp`, `${offsetS < 0 ? '-' : '+'}${Math.abs(offsetS).toFixed(3)}\n`)
  renameSync(`${file}.tmp`, file)
}

/**
 * Removes the shared memory libfaketime creates per process (/dev/shm/faketime_shm_<pid>). It does
 * so itself on a clean exit, not after SIGKILL; a stale one can make the next process given that
 * pid fail under libfaketime ("shm_open failed: File exists", libfaketime's README).
 */
export function faketimeCleanup (pid: number | undefined): void {
  if (pid === undefined) return
  rmSync(`/dev/shm/faketime_shm_${pid}`, { force: true })
  rmSync(`/dev/shm/sem.faketime_sem_${pid}`, { force: true })
}
