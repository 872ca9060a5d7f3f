/**
 * Frames on a libp2p stream: a varint length, then one encoded SyncFrame.
 * The reader refuses a length above the limit at the header, before
 * buffering anything (a length-prefix bomb resets the stream). The writer
 * waits for the stream's `drain` event when its buffer is full.
 */
import { Uint8ArrayList } from 'uint8arraylist'
import { FRAME_DEADLINE_MS, MAX_FRAME_BYTES } from '../constants.ts'
import { ProtocolError } from '../errors.ts'
import { SyncFrame } from './pb/sync.ts'
import type { Stream } from '@libp2p/interface'

/** Encodes and sends one frame, waiting for drain when the stream's buffer is full. */
export async function writeFrame (stream: Stream, frame: SyncFrame, signal?: AbortSignal): Promise<void> {
  const body = SyncFrame.encode(frame)
  const head: number[] = []
  let n = body.length
  while (n >= 128) {
    head.push((n & 127) | 128)
    n >>>= 7
  }
  head.push(n)
  const bytes = new Uint8Array(head.length + body.length)
  bytes.set(head)
  bytes.set(body, head.length)
  if (stream.send(bytes)) return
  await drained(stream, signal)
}

async function drained (stream: Stream, signal?: AbortSignal): Promise<void> {
  if (!stream.writableNeedsDrain) return
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.removeEventListener('drain', done)
      stream.removeEventListener('close', done)
      signal?.removeEventListener('abort', done)
      if (signal?.aborted === true) reject(signal.reason)
      else resolve()
    }
    stream.addEventListener('drain', done)
    stream.addEventListener('close', done)
    signal?.addEventListener('abort', done)
  })
}

/**
 * Reads frames until the stream ends, handing each to `onFrame` (awaited, so
 * a slow consumer slows the reader). Throws ProtocolError on an oversize or
 * undecodable frame, and when a frame begun is not complete `deadlineMs`
 * after its first byte (a slow trickle holding a stream slot, RELIABILITY.md
 * row 3): the stream is reset.
 */
export async function readFrames (stream: Stream, onFrame: (frame: SyncFrame) => Promise<void> | void, maxBytes = MAX_FRAME_BYTES, deadlineMs = FRAME_DEADLINE_MS): Promise<void> {
  const buffer = new Uint8ArrayList()
  let timer: ReturnType<typeof setTimeout> | undefined
  let late: ProtocolError | undefined
  const watch = (): void => {
    if (buffer.byteLength === 0) {
      clearTimeout(timer)
      timer = undefined
    } else if (timer === undefined) {
      timer = setTimeout(() => {
        late = new ProtocolError(`a sync frame still incomplete ${deadlineMs} ms after its first byte`)
        stream.abort(late)
      }, deadlineMs)
    }
  }
  try {
    for await (const chunk of stream) {
      buffer.append(chunk)
      for (;;) {
        const header = readLength(buffer)
        if (header === undefined) break
        if (header.length > maxBytes) throw new ProtocolError(`sync frame of ${header.length} bytes, the limit is ${maxBytes}`)
        if (buffer.byteLength < header.size + header.length) break
        const body = buffer.subarray(header.size, header.size + header.length)
        buffer.consume(header.size + header.length)
        // the next frame's clock starts with its first byte
        clearTimeout(timer)
        timer = undefined
        let frame: SyncFrame
        try {
          frame = SyncFrame.decode(body)
        } catch (err) {
          throw new ProtocolError('undecodable sync frame', { cause: err })
        }
        await onFrame(frame)
      }
      watch()
    }
  } catch (err) {
    throw late ?? err
  } finally {
    clearTimeout(timer)
  }
  if (late !== undefined) throw late
}

function readLength (buffer: Uint8ArrayList): { length: number, size: number } | undefined {
  let length = 0
  let scale = 1
  for (let i = 0; i < Math.min(buffer.byteLength, 5); i++) {
    const b = buffer.get(i)
    length += (b & 127) * scale
    if (b < 128) return { length, size: i + 1 }
    scale *= 128
  }
  if (buffer.byteLength >= 5) return { length: Infinity, size: 5 }
  return undefined
}
