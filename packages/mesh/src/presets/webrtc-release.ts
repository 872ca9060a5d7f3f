/**
 * libp2p's WebRTC transport, with each closed connection let go (libp2p/js-libp2p#3567, open
 * in @libp2p/webrtc 6.0.33). The transport hangs a listener per connection on its own
 * lifetime's AbortSignal and removes it on the RTCPeerConnection's `close` event, which no
 * browser fires: so every direct connection a tab ever had (its RTCPeerConnection and the
 * connection around it, about 80 KB each) stayed reachable until the transport stopped. Found
 * in the C10 soak's tab heap snapshots (docs/RELIABILITY.md).
 *
 * The fix here is from outside: each RTCPeerConnection the transport hands to that hook gets a
 * `close` event once it is closed. Every way the transport ends a connection goes through
 * `close()`, so that is where it fires. If the transport's hook is not there (a version that
 * fixed it another way), nothing is changed.
 */
import { webRTC } from '@libp2p/webrtc'

type WebRTCInit = Parameters<typeof webRTC>[0]
type Hook = (pc: RTCPeerConnection, conn: unknown) => void

export function webRTCReleasingClosed (init?: WebRTCInit): ReturnType<typeof webRTC> {
  const factory = webRTC(init)
  return (components) => {
    const transport = factory(components)
    const t = transport as unknown as { _closeOnShutdown?: Hook }
    const hook = t._closeOnShutdown
    if (typeof hook === 'function') {
      t._closeOnShutdown = function (this: unknown, pc: RTCPeerConnection, conn: unknown): void {
        hook.call(this, pc, conn)
        closeEventOf(pc)
      }
    }
    return transport
  }
}

/** Makes `pc` dispatch `close` once, when it is closed (at once if it already is). */
function closeEventOf (pc: RTCPeerConnection): void {
  let fired = false
  const fire = (): void => {
    if (fired) return
    fired = true
    pc.dispatchEvent(new Event('close'))
  }
  if (pc.connectionState === 'closed' || pc.signalingState === 'closed') {
    fire()
    return
  }
  const close = pc.close.bind(pc)
  pc.close = () => {
    close()
    fire()
  }
}
