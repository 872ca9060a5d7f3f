/** Errors of the mesh. Compare by `name`. */

/** `publish` was asked not to wait and the in-flight window is full. */
export class WindowFullError extends Error {
  static override name = 'WindowFullError'
  constructor (message = 'The in-flight window is full', options?: ErrorOptions) {
    super(message, options)
    this.name = 'WindowFullError'
  }
}

/** The peer is stopped (or stopping). */
export class PeerStoppedError extends Error {
  static override name = 'PeerStoppedError'
  constructor (message = 'The peer is stopped', options?: ErrorOptions) {
    super(message, options)
    this.name = 'PeerStoppedError'
  }
}

/** The libp2p node cannot carry weft (no gossipsub service, or gossipsub signs messages). */
export class MisconfiguredNodeError extends Error {
  static override name = 'MisconfiguredNodeError'
  constructor (message = 'The libp2p node is not configured for weft', options?: ErrorOptions) {
    super(message, options)
    this.name = 'MisconfiguredNodeError'
  }
}

/** A sync frame broke the protocol (too large, undecodable, wrong network). */
export class ProtocolError extends Error {
  static override name = 'ProtocolError'
  constructor (message = 'Sync protocol violation', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ProtocolError'
  }
}

/** The topic name is reserved for weft itself (it starts with `_weft/`). */
export class ReservedTopicError extends Error {
  static override name = 'ReservedTopicError'
  constructor (message = 'The topic name is reserved', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ReservedTopicError'
  }
}
