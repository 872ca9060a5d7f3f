// The few universal globals the core uses. Core compiles with neither DOM nor
// Node types, so touching anything platform-specific fails to compile.
declare class TextEncoder {
  encode (input?: string): Uint8Array<ArrayBuffer>
}
declare class TextDecoder {
  constructor (label?: string, options?: { fatal?: boolean })
  decode (input?: Uint8Array): string
}
