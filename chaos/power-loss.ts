// The power-loss fault for a SQLite store in WAL mode (RELIABILITY.md 10.2, "nemesis disk").
// After the process is SIGKILLed, everything a completed commit wrote has been fsynced
// (synchronous=FULL syncs the WAL at each commit), and only the frames of a transaction in
// progress may not have been. A power loss loses those, and may tear the last of them: this
// cuts the WAL at a random point after its last commit frame and scrambles the torn frame.
// (It does not model a power loss during a checkpoint: SQLite syncs the WAL before copying
// and the database after.)
import { existsSync, openSync, closeSync, readSync, writeSync, fstatSync, ftruncateSync } from 'node:fs'

const WAL_HEADER = 32
const FRAME_HEADER = 24

export interface PowerLoss {
  /** Frames of the current WAL generation past its last commit frame: written, never synced by a commit. */
  unsyncedBytes: number
  /** Bytes past those that SQLite would not read anyway: frames of an earlier WAL generation (a checkpoint restarted the WAL) or never written. */
  invalidBytes: number
  /** Bytes removed. */
  cutBytes: number
  /** Bytes scrambled in what remains of the torn frame. */
  tornBytes: number
}

/** Applies a power loss to `walPath`; `rand` in [0, 1) decides where the tail is cut. */
export function losePower (walPath: string, rand: () => number): PowerLoss {
  const none = { unsyncedBytes: 0, invalidBytes: 0, cutBytes: 0, tornBytes: 0 }
  if (!existsSync(walPath)) return none
  const fd = openSync(walPath, 'r+')
  try {
    const size = fstatSync(fd).size
    if (size < WAL_HEADER) return none
    const header = Buffer.alloc(WAL_HEADER)
    readSync(fd, header, 0, WAL_HEADER, 0)
    const pageSize = header.readUInt32BE(8)
    const salt1 = header.readUInt32BE(16)
    const salt2 = header.readUInt32BE(20)
    const frame = FRAME_HEADER + pageSize
    let lastCommitEnd = WAL_HEADER
    let currentEnd = WAL_HEADER
    const fh = Buffer.alloc(FRAME_HEADER)
    for (let off = WAL_HEADER; off + frame <= size; off += frame) {
      readSync(fd, fh, 0, FRAME_HEADER, off)
      if (fh.readUInt32BE(8) !== salt1 || fh.readUInt32BE(12) !== salt2) break // an earlier WAL generation's frame, or never written
      currentEnd = off + frame
      if (fh.readUInt32BE(4) !== 0) lastCommitEnd = off + frame
    }
    const tail = size - lastCommitEnd
    if (tail <= 0) return none
    const keep = Math.floor(rand() * tail)
    ftruncateSync(fd, lastCommitEnd + keep)
    // tear: scramble up to 512 bytes at the end of what was kept
    const torn = Math.min(keep, 512)
    if (torn > 0) {
      const junk = Buffer.alloc(torn)
      for (let i = 0; i < torn; i++) junk[i] = Math.floor(rand() * 256)
      writeSync(fd, junk, 0, torn, lastCommitEnd + keep - torn)
    }
    return { unsyncedBytes: currentEnd - lastCommitEnd, invalidBytes: size - currentEnd, cutBytes: tail - keep, tornBytes: torn }
  } finally {
    closeSync(fd)
  }
}
